import assert from "node:assert/strict";
import { test } from "node:test";
import { bayesPoints, bayesSignals } from "./bayes.js";

test("classifier probability to a BAYES_* signal named by its bucket", () => {
  const cases: [number, string][] = [
    [0, "BAYES_00"],
    [0.03, "BAYES_05"],
    [0.1, "BAYES_20"],
    [0.3, "BAYES_40"],
    [0.5, "BAYES_50"],
    [0.7, "BAYES_60"],
    [0.9, "BAYES_80"],
    [0.97, "BAYES_95"],
    [0.995, "BAYES_99"],
    [1, "BAYES_99"],
  ];
  for (const [p, want] of cases)
    assert.deepEqual(
      bayesSignals({ probability: p, ready: true }).map((s) => s.name),
      [want],
      String(p),
    );
  assert.deepEqual(bayesSignals({ probability: 1, ready: false }), []);
  assert.deepEqual(bayesSignals({ probability: Number.NaN, ready: true }), []);
});

test("points are a smooth, increasing function of the probability, clipped at both ends", () => {
  // 0.61 × logit(p) + 3.2: no opinion is 3.2 (the constant that puts the filter's 0.1 % ham
  // false-positive point of cross-validation at junkScore 5) …
  assert.equal(bayesPoints(0.5), 3.2);
  // … sure to 0.95, the classifier alone reaches junkScore 5 …
  assert.equal(bayesPoints(0.95), 5);
  assert.ok(bayesPoints(0.949) < 5);
  // … and inside one bucket the order is kept (0.991 and 0.9999 were both BAYES_99=4).
  assert.ok(bayesPoints(0.991) < bayesPoints(0.9999));
  // Clipped at log-odds ±12: never more than 10.5 (far from rejectScore 15), never below −4.1.
  assert.equal(bayesPoints(1), 10.52);
  assert.equal(bayesPoints(1 - 1e-12), 10.52);
  assert.equal(bayesPoints(0), -4.12);
  assert.equal(bayesPoints(1e-12), -4.12);
  assert.equal(bayesPoints(0.001), -1.01);
  let prev = Number.NEGATIVE_INFINITY;
  for (let p = 0; p <= 1; p += 0.01) {
    const x = bayesPoints(p);
    assert.ok(x >= prev, `monotone at ${p}`);
    prev = x;
  }
  assert.equal(bayesSignals({ probability: 0.95, ready: true })[0]!.score, 5);
});
