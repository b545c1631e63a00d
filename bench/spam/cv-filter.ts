// The filter's whole local score (rule families + BAYES_*), out of fold, at several blocked fold
// counts at once: the yardstick for the classifier's parameters together with the rules
// (tune.ts cross-validates the classifier alone; tune.ts --combine one fold count). Training
// groups only (easy ham 1, hard ham 1, spam 1); the 2003 groups are never read. Besides recall at
// 0.1 % and 1 % ham false positives over all the training ham, it prints the same over the easy
// ham alone (the hard ham still trains), since the held-out ham group is an easy one: a choice
// should not win by one measure and lose by the other.
//   node --import tsx bench/spam/cv-filter.ts [--folds 3,5,10] [--variant '{"tok":{…},"params":{…}}']
import type { ClassifyParams } from "../../src/spam/classifier/classify.js";
import type { TokenOptions } from "../../src/spam/classifier/tokens.js";
import { bayesSignals } from "../../src/spam/rules/index.js";
import { total } from "../../src/spam/score.js";
import { blockedFolds, outOfFoldProbabilities, trainingItems } from "./folds.js";
import { recallAtFpr, rocAuc, type Scored } from "./metrics.js";

const argv = process.argv.slice(2);
const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const foldCounts = (arg("--folds") ?? "3,5,10").split(",").map(Number);
const variantText = arg("--variant") ?? "{}";
const variant = JSON.parse(variantText) as { tok?: TokenOptions; params?: Partial<ClassifyParams> };

const items = trainingItems(variant.tok);
const labels = items.map((it) => it.sample.label);

function line(label: string, scores: readonly number[]): string {
  const all: Scored[] = scores.map((score, i) => ({ score, label: labels[i]! }));
  const easy = all.filter((_, i) => items[i]!.sample.group !== "hard-ham-1");
  const pct = (x: number) => (100 * x).toFixed(1);
  return `${label.padEnd(24)} AUC ${rocAuc(all).toFixed(5)}  ${pct(recallAtFpr(all, 0.001).recall)} / ${pct(recallAtFpr(all, 0.01).recall)} %   easy ham only ${pct(recallAtFpr(easy, 0.001).recall)} / ${pct(recallAtFpr(easy, 0.01).recall)} %`;
}

console.log(`variant ${variantText}; recall at 0.1 % / 1 % ham false positives`);
for (const k of foldCounts) {
  const fold = blockedFolds(
    items.map((it) => it.sample),
    k,
  );
  const prob = await outOfFoldProbabilities(items, fold, k, variant.params);
  console.log(line(`${k} folds, classifier`, prob));
  console.log(
    line(
      `${k} folds, filter`,
      prob.map((p, i) => total([...items[i]!.rules, ...bayesSignals({ probability: p, ready: true })])),
    ),
  );
}
