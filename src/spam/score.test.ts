import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "../log/logger.js";
import { message, ruleInput } from "./rules/test-input.js";
import { scored, sourceSignals, total } from "./score.js";
import type { SignalSource } from "./types.js";

test("the score is the sum of the signals, rounded to a tenth; strongest first", () => {
  assert.equal(
    total([
      { name: "A", score: 0.16 },
      { name: "B", score: 4.8 },
      { name: "C", score: -0.001 },
    ]),
    5,
  );
  assert.deepEqual(
    scored([
      { name: "A", score: 0.1 },
      { name: "B", score: -2 },
      { name: "C", score: 3 },
    ]).signals.map((s) => s.name),
    ["C", "B", "A"],
  );
});

test("sources are asked in parallel under one deadline; a late or failing one counts nothing and is logged", async () => {
  const lines: string[] = [];
  const log = createLogger({ format: "json", level: "debug", write: (l) => lines.push(l) });
  const { input, view } = ruleInput(message());
  const answer = (name: string, ms: number, score: number): SignalSource => ({
    name,
    signals: () => new Promise((resolve) => setTimeout(() => resolve([{ name: `${name}_HIT`, score }]), ms)),
  });
  const failing: SignalSource = { name: "broken", signals: () => Promise.reject(new Error("boom")) };
  const neverAnswers: SignalSource = { name: "silent", signals: () => new Promise(() => {}) };
  const got = await sourceSignals(
    [answer("fast", 5, 2), answer("also", 20, 1), failing, neverAnswers],
    input,
    view,
    { timeoutMs: 300, log },
  );
  assert.deepEqual(
    got.map((s) => s.name),
    ["fast_HIT", "also_HIT"],
  );
  assert.ok(lines.some((l) => l.includes("spam source too slow") && l.includes('"source":"silent"')));
  assert.ok(lines.some((l) => l.includes("spam source failed") && l.includes("boom")));
  assert.deepEqual(await sourceSignals([], input, view, { timeoutMs: 300, log }), []);
});
