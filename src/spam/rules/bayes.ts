// The statistical classifier's probability as SpamAssassin's BAYES_* signals: one bucket fires,
// plus BAYES_999 on top of BAYES_99. Nothing when the models are not trained enough to be
// trusted (`ready` false). Scores are SpamAssassin's 50_scores.cf ones (with Bayes and network
// tests on) up to BAYES_95; the top two are higher than its 3.5 + 0.2, so that a classifier
// sure to 0.999 reaches junkScore 5 alone: here the models are each user's own moves to and from
// Junk, and a user who moved such mail to Junk expects the next one there (rspamd's BAYES_SPAM
// goes up to 5.1 for the same reason); anything less sure still needs another sign.
import type { Signal } from "../types.js";

const BUCKETS: readonly [upTo: number, name: string, score: number][] = [
  [0.01, "BAYES_00", -1.9],
  [0.05, "BAYES_05", -0.5],
  [0.2, "BAYES_20", -0.001],
  [0.4, "BAYES_40", -0.001],
  [0.6, "BAYES_50", 0.8],
  [0.8, "BAYES_60", 1.5],
  [0.95, "BAYES_80", 2.0],
  [0.99, "BAYES_95", 3.0],
  [Number.POSITIVE_INFINITY, "BAYES_99", 4.0],
];

export function bayesSignals(c: { probability: number; ready: boolean }): Signal[] {
  if (!c.ready || !Number.isFinite(c.probability)) return [];
  const p = c.probability;
  const detail = `classifier spam probability ${p.toFixed(4)}`;
  const bucket = BUCKETS.find(([upTo]) => p < upTo) ?? BUCKETS[BUCKETS.length - 1]!;
  const out: Signal[] = [{ name: bucket[1], score: bucket[2], detail }];
  if (p >= 0.999) out.push({ name: "BAYES_999", score: 1.0, detail });
  return out;
}
