import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recallAtFpr, rocAuc, type Scored } from "./roc.js";

const s = (score: number): Scored => ({ score, label: "spam" });
const h = (score: number): Scored => ({ score, label: "ham" });

describe("rocAuc", () => {
  it("is 1 for perfect separation and 0 for perfectly wrong", () => {
    assert.equal(rocAuc([s(0.9), s(0.8), h(0.2), h(0.1)]), 1);
    assert.equal(rocAuc([h(0.9), h(0.8), s(0.2), s(0.1)]), 0);
  });
  it("counts ties as one half (Mann–Whitney)", () => {
    // spam 0.9 beats both ham (2); spam 0.5 ties ham 0.5 (0.5) and beats ham 0.1 (1): 3.5 / 4.
    assert.equal(rocAuc([s(0.9), s(0.5), h(0.5), h(0.1)]), 3.5 / 4);
    assert.equal(rocAuc([s(1), s(1), h(1), h(1)]), 0.5);
  });
  it("matches a hand-computed mixed case", () => {
    // Pairs (spam > ham): s.8 beats h.7,h.3 (2); s.6 beats h.3 (1); s.2 beats none: 3 / 6.
    assert.equal(rocAuc([s(0.8), s(0.6), s(0.2), h(0.7), h(0.3)]), 3 / 6);
  });
  it("is NaN without one of the classes", () => {
    assert.ok(Number.isNaN(rocAuc([s(1)])));
  });
});

describe("recallAtFpr", () => {
  it("takes the smallest score with the FP rate at most the target", () => {
    // 10 ham, target 10 % allows 1 FP. Scores high→low: s.99 s.95 h.9 s.85 h.8 ...
    const items = [
      s(0.99),
      s(0.95),
      h(0.9),
      s(0.85),
      h(0.8),
      s(0.7),
      ...Array.from({ length: 8 }, () => h(0.1)),
    ];
    const r = recallAtFpr(items, 0.1);
    assert.deepEqual(r, { recall: 3 / 4, threshold: 0.85, falsePositives: 1, fpr: 0.1 });
    // 0 % allows none: only the spam above the top ham.
    assert.deepEqual(recallAtFpr(items, 0), { recall: 2 / 4, threshold: 0.95, falsePositives: 0, fpr: 0 });
  });
  it("never splits a tie between ham and spam", () => {
    // The top score is shared by a ham and two spam: with no FP allowed, nothing qualifies.
    const items = [s(1), s(1), h(1), s(0.5), h(0)];
    assert.deepEqual(recallAtFpr(items, 0), {
      recall: 0,
      threshold: Number.POSITIVE_INFINITY,
      falsePositives: 0,
      fpr: 0,
    });
    // With one FP allowed (50 % of 2 ham) the tie is taken whole, then 0.5 too.
    assert.deepEqual(recallAtFpr(items, 0.5), { recall: 1, threshold: 0.5, falsePositives: 1, fpr: 0.5 });
  });
  it("rounds the allowed count down: 0.1 % of 1,400 ham allows 1", () => {
    const items = [h(0.9), h(0.8), s(0.85), ...Array.from({ length: 1398 }, () => h(0))];
    const r = recallAtFpr(items, 0.001);
    assert.equal(r.falsePositives, 1);
    assert.equal(r.threshold, 0.85);
    assert.equal(r.recall, 1);
  });
});
