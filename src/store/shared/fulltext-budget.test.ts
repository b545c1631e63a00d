import assert from "node:assert/strict";
import { test } from "node:test";
import { batchTakesMore, DEFAULT_FULL_TEXT_BUDGET, fullTextBudget } from "./fulltext-budget.js";

test("fullTextBudget: defaults, and every limit at least 1 so a write always makes progress", () => {
  assert.deepEqual(fullTextBudget(), DEFAULT_FULL_TEXT_BUDGET);
  assert.deepEqual(fullTextBudget({ maxNewWords: 0, batchBytes: 2.7, batchNewWords: -5 }), {
    maxNewWords: 1,
    batchBytes: 2,
    batchNewWords: 1,
  });
});

test("batchTakesMore: always the first body, then only while text and new words are under the budget", () => {
  const b = fullTextBudget({ batchBytes: 100, batchNewWords: 10 });
  assert.equal(batchTakesMore(b, { bodies: 0, bytes: 0, newWords: 0 }), true);
  assert.equal(
    batchTakesMore(fullTextBudget({ batchBytes: 1 }), { bodies: 0, bytes: 5000, newWords: 0 }),
    true,
  );
  assert.equal(batchTakesMore(b, { bodies: 3, bytes: 99, newWords: 9 }), true);
  assert.equal(batchTakesMore(b, { bodies: 1, bytes: 100, newWords: 0 }), false);
  assert.equal(batchTakesMore(b, { bodies: 1, bytes: 0, newWords: 10 }), false);
});
