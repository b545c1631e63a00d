// Seventh round's yardstick: online logistic regression over hashed binary features (the model
// family that won the TREC spam tracks: Goodman & Yih, CEAS 2006; Sculley & Wachman, SIGIR 2007),
// out of fold on the same blocked folds as cv-filter.ts, alone and combined with the shipped
// classifier and the filter. Training groups only (easy ham 1, hard ham 1, spam 1); the 2003
// groups are never read. Nothing in src/ uses this model yet: docs/ARCHITECTURE.md "Seventh
// round" has the figures and why it is not built.
//   node --import tsx bench/spam/cv-logistic.ts [--folds 3,5,10] [--weights 0.35,0.5]
//     [--clip 3] [--passes 5] [--ensemble 3] [--rate 0.02] [--chars 5000] [--bits 20] [--thick 0]
// Features: the classifier's token hashes plus every overlapping character 4-gram (lower-cased)
// of the first `--chars` characters of header block (raw, first 3,000 octets), subject and
// decoded text; binary presence, hashed into 2^bits weights, one bias. SGD on the log loss, no
// regularisation, `--passes` shuffled passes (fixed seeds), averaged over `--ensemble` seeds: one
// pass or one seed moves the 0.1 % points by several tenths from seed to seed. Combination: the
// model's log-odds z, clipped to ±`--clip`, times a weight, added to the classifier's log-odds
// before BAYES_* points are taken (so the rule scores and calibration stay as they are).
import { bayesPoints } from "../../src/spam/rules/bayes.js";
import { blockedFolds, outOfFoldProbabilities, type TrainingItem, trainingItems } from "./folds.js";
import { recallAtFpr, rocAuc, type Scored } from "./metrics.js";

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) =>
  argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? fallback) : fallback;
const list = (name: string, fallback: string) => arg(name, fallback).split(",").map(Number);
const foldCounts = list("--folds", "3,5,10");
const weights = list("--weights", "0.35,0.5");
const clip = Number(arg("--clip", "3"));
const passes = Number(arg("--passes", "5"));
const ensemble = Number(arg("--ensemble", "3"));
const rate = Number(arg("--rate", "0.02"));
const chars = Number(arg("--chars", "5000"));
const bits = Number(arg("--bits", "20"));
const thick = Number(arg("--thick", "0"));
const mask = (1 << bits) - 1;

/** FNV-1a over `n` UTF-16 code units of `s` from `at`. */
function fnv(s: string, at: number, n: number): number {
  let h = 2166136261;
  for (let j = at; j < at + n; j++) h = Math.imul(h ^ s.charCodeAt(j), 16777619);
  return h >>> 0;
}

function features(it: TrainingItem): Uint32Array {
  const set = new Set<number>([mask]); // the last bucket is the bias
  // The token hashes are already well mixed; a multiplicative step spreads them over the mask.
  for (const h of it.tokens.hashes) set.add((Math.imul(h >>> 0, 2654435761) >>> 0) & mask);
  const body = it.sample.body;
  const end = body.indexOf("\r\n\r\n");
  const header = body.subarray(0, Math.min(end < 0 ? body.length : end, 3000)).toString("latin1");
  const s = `${header}\n${it.view.subject}\n${it.view.text}`.slice(0, chars).toLowerCase();
  for (let i = 0; i + 4 <= s.length; i++) set.add(fnv(s, i, 4) & mask);
  return Uint32Array.from(set);
}

/** A small deterministic generator, so a run is repeatable. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const dot = (w: Float32Array, f: Uint32Array) => {
  let z = 0;
  for (const k of f) z += w[k]!;
  return z;
};

/** Log-odds of `test` from a model trained by SGD on `train`. */
function fitScore(x: Uint32Array[], y: number[], train: number[], test: number[], seed: number): number[] {
  const w = new Float32Array(1 << bits);
  const order = [...train];
  for (let p = 0; p < passes; p++) {
    const r = lcg(seed + p);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const z = dot(w, x[i]!);
      if (thick > 0 && (y[i] ? z : -z) >= thick) continue; // "thick threshold": only near or wrong
      const g = rate * (y[i]! - 1 / (1 + Math.exp(-z)));
      for (const k of x[i]!) w[k]! += g;
    }
  }
  return test.map((i) => dot(w, x[i]!));
}

const items = trainingItems();
const labels = items.map((it) => it.sample.label);
const y = labels.map((l) => (l === "spam" ? 1 : 0));
const x = items.map(features);
const logit = (p: number) =>
  p <= 0 ? -12 : p >= 1 ? 12 : Math.max(-12, Math.min(12, Math.log(p / (1 - p))));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const ruleSum = items.map((it) => it.rules.reduce((s, r) => s + r.score, 0));
const filter = (i: number, p: number) => Math.round((ruleSum[i]! + bayesPoints(p)) * 10) / 10;

function line(label: string, scores: readonly number[]): string {
  const all: Scored[] = scores.map((score, i) => ({ score, label: labels[i]! }));
  const easy = all.filter((_, i) => items[i]!.sample.group !== "hard-ham-1");
  const pct = (v: number) => (100 * v).toFixed(1);
  const at = (s: Scored[]) => `${pct(recallAtFpr(s, 0.001).recall)} / ${pct(recallAtFpr(s, 0.01).recall)} %`;
  return `${label.padEnd(34)} AUC ${rocAuc(all).toFixed(5)}  ${at(all)}   easy ham only ${at(easy)}`;
}

console.log(
  `passes ${passes}, ensemble ${ensemble}, rate ${rate}, chars ${chars}, 2^${bits} buckets, thick ${thick}, clip ±${clip}; recall at 0.1 % / 1 % ham false positives`,
);
for (const k of foldCounts) {
  const fold = blockedFolds(
    items.map((it) => it.sample),
    k,
  );
  const prob = await outOfFoldProbabilities(items, fold, k);
  const z = new Array<number>(items.length).fill(0);
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < items.length; i++) (fold[i] === f ? test : train).push(i);
    for (let e = 0; e < ensemble; e++) {
      const zs = fitScore(x, y, train, test, 1000 + f + 7919 * e);
      test.forEach((i, j) => {
        z[i]! += zs[j]! / ensemble;
      });
    }
  }
  const zc = z.map((v) => Math.max(-clip, Math.min(clip, v)));
  console.log(line(`${k} folds, classifier`, prob));
  console.log(line(`${k} folds, logistic alone (unclipped)`, z));
  console.log(
    line(
      `${k} folds, filter before`,
      prob.map((p, i) => filter(i, p)),
    ),
  );
  for (const w of weights)
    console.log(
      line(
        `${k} folds, filter + ${w}·z`,
        prob.map((p, i) => filter(i, sigmoid(logit(p) + w * zc[i]!))),
      ),
    );
}
