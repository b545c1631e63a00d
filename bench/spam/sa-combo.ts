// What a SpamAssassin rule would be worth beside the filter, before writing it: the rule names
// SpamAssassin fired on each training message (sa-rules.ts --sa-json FILE) added to the filter's
// out-of-fold score (rules + BAYES_*, blocked folds as tune.ts --blocked), each set's points
// fitted by logistic regression on the other folds (rule weights kept ≥ 0) and scored on the
// held fold, at 3, 5 and 10 folds; recall at 0.1 % / 1 % ham false positives over all training
// ham and over the easy ham alone. Training groups only. Printed after each row: the points the
// last fold's fit gave each rule. The evidence for src/spam/rules/money.ts.
//   node --import tsx bench/spam/sa-combo.ts --sa-json FILE --sets 'A,B;C' [--s 0.1]
import { readFileSync } from "node:fs";
import { bayesSignals } from "../../src/spam/rules/index.js";
import { blockedFolds, outOfFoldProbabilities, trainingItems } from "./folds.js";
import { fitLogistic } from "./logistic.js";
import { recallAtFpr, rocAuc, type Scored } from "./metrics.js";

const argv = process.argv.slice(2);
const arg = (n: string) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
const saJson = arg("--sa-json");
if (saJson === undefined)
  throw new Error("--sa-json FILE (written by sa-rules.ts --sa-json FILE) is required");
/** Robinson's s for the classifier (default: classify.ts' own). */
const robinsonS = arg("--s");
const sa = JSON.parse(readFileSync(saJson, "utf8")) as Record<string, string[]>;
const items = trainingItems();
const train = items.map((it) => it.sample);
const labels = train.map((s) => s.label);
const y = labels.map((l) => (l === "spam" ? 1 : 0) as 0 | 1);

/** The shipped score (rules + BAYES_*, not rounded) out of fold. */
async function base(k: number, fold: number[]): Promise<number[]> {
  const params = robinsonS === undefined ? {} : { s: Number(robinsonS) };
  const prob = await outOfFoldProbabilities(items, fold, k, params);
  return prob.map((p, i) =>
    [...items[i]!.rules, ...bayesSignals({ probability: p, ready: true })].reduce((s, x) => s + x.score, 0),
  );
}

function line(label: string, scores: number[]) {
  const sc: Scored[] = scores.map((score, i) => ({ score: Math.round(10 * score) / 10, label: labels[i]! }));
  const a = recallAtFpr(sc, 0.001);
  const b = recallAtFpr(sc, 0.01);
  const easy = sc.filter((_, i) => train[i]!.group !== "hard-ham-1");
  return `${label.padEnd(50)} AUC ${rocAuc(sc).toFixed(5)} ${(100 * a.recall).toFixed(1)} / ${(100 * b.recall).toFixed(1)}  easy ${(100 * recallAtFpr(easy, 0.001).recall).toFixed(1)} / ${(100 * recallAtFpr(easy, 0.01).recall).toFixed(1)}`;
}

/** Shipped score + fitted points for each rule set, nested (fit on the other folds). */
function withRules(
  k: number,
  fold: number[],
  b: number[],
  names: string[],
): { scores: number[]; w: number[] } {
  const rows = train.map((s, i) => {
    const hit = new Set(sa[s.id] ?? []);
    return [b[i]!, ...names.map((n) => (hit.has(n) ? 1 : 0))];
  });
  const nonNeg = new Set(names.map((_, j) => j + 1));
  const scores: number[] = [];
  let w: number[] = [];
  for (let f = 0; f < k; f++) {
    const idx = rows.map((_, i) => i).filter((i) => fold[i] !== f);
    const fit = fitLogistic(
      idx.map((i) => rows[i]!),
      idx.map((i) => y[i]!),
      { l2: 1e-3, nonNegative: nonNeg, iterations: 800 },
    );
    const w0 = fit.weights[0]!;
    w = fit.weights.slice(1).map((x) => x / w0);
    for (let i = 0; i < rows.length; i++)
      if (fold[i] === f) scores[i] = rows[i]!.reduce((s, x, j) => s + (j === 0 ? x : x * w[j - 1]!), 0);
  }
  return { scores, w };
}

const sets: string[][] = (arg("--sets") ?? "")
  .split(";")
  .filter((x) => x !== "")
  .map((x) => x.split(","));
for (const k of [3, 5, 10]) {
  // Blocked folds: the same split as tune.ts --blocked and cv-filter.ts.
  const fold = blockedFolds(train, k);
  const b = await base(k, fold);
  console.log(line(`f${k} shipped`, b));
  for (const set of sets) {
    const r = withRules(k, fold, b, set);
    console.log(
      line(`f${k} + ${set.join(",")}`.slice(0, 50), r.scores),
      r.w.map((x) => x.toFixed(2)).join(" "),
    );
  }
}
