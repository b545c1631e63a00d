import assert from "node:assert/strict";
import { test } from "node:test";
import { bayesSignals } from "./bayes.js";

test("classifier probability to BAYES_* buckets", () => {
  const cases: [number, string[]][] = [
    [0, ["BAYES_00"]],
    [0.03, ["BAYES_05"]],
    [0.1, ["BAYES_20"]],
    [0.3, ["BAYES_40"]],
    [0.5, ["BAYES_50"]],
    [0.7, ["BAYES_60"]],
    [0.9, ["BAYES_80"]],
    [0.97, ["BAYES_95"]],
    [0.995, ["BAYES_99"]],
    [0.9995, ["BAYES_99", "BAYES_999"]],
    [1, ["BAYES_99", "BAYES_999"]],
  ];
  for (const [p, want] of cases)
    assert.deepEqual(
      bayesSignals({ probability: p, ready: true }).map((s) => s.name),
      want,
      String(p),
    );
  assert.deepEqual(bayesSignals({ probability: 1, ready: false }), []);
  assert.equal(bayesSignals({ probability: 0.995, ready: true })[0]!.score, 4);
  // Sure to 0.999, the classifier alone reaches junkScore 5.
  assert.equal(
    bayesSignals({ probability: 0.9999, ready: true }).reduce((s, x) => s + x.score, 0),
    5,
  );
});
