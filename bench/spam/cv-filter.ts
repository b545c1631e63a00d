// The filter's whole local score (rule families + BAYES_*), out of fold, at several blocked fold
// counts at once: the yardstick for the classifier's parameters together with the rules
// (tune.ts cross-validates the classifier alone; tune.ts --combine one fold count). Training
// groups only (easy ham 1, hard ham 1, spam 1); the 2003 groups are never read. Besides recall at
// 0.1 % and 1 % ham false positives over all the training ham, it prints the same over the easy
// ham alone (the hard ham still trains), since the held-out ham group is an easy one: a choice
// should not win by one measure and lose by the other.
//   node --import tsx bench/spam/cv-filter.ts [--folds 3,5,10] [--variant '{"tok":{…},"params":{…}}']
import { type ClassifyParams, classify } from "../../src/spam/classifier/classify.js";
import { MemorySpamModel } from "../../src/spam/classifier/memory-model.js";
import { messageTokens, type TokenOptions } from "../../src/spam/classifier/tokens.js";
import { buildMessageView } from "../../src/spam/message-view.js";
import { bayesSignals } from "../../src/spam/rules/index.js";
import { total } from "../../src/spam/score.js";
import { localRuleSignals } from "./combine.js";
import { loadCorpus } from "./corpus.js";
import { recallAtFpr, rocAuc, type Scored } from "./metrics.js";

const argv = process.argv.slice(2);
const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const foldCounts = (arg("--folds") ?? "3,5,10").split(",").map(Number);
const variantText = arg("--variant") ?? "{}";
const variant = JSON.parse(variantText) as { tok?: TokenOptions; params?: Partial<ClassifyParams> };

const { train } = loadCorpus();
const items = train.map((s) => {
  const view = buildMessageView(s.body);
  return { s, tokens: messageTokens(view, variant.tok), rules: localRuleSignals(s, view) };
});
const labels = items.map((it) => it.s.label);

/** Blocked folds: each group cut into `k` contiguous runs (tune.ts --blocked). */
function blockedFolds(k: number): number[] {
  const size = new Map<string, number>();
  for (const it of items) size.set(it.s.group, (size.get(it.s.group) ?? 0) + 1);
  const seen = new Map<string, number>();
  return items.map((it) => {
    const j = seen.get(it.s.group) ?? 0;
    seen.set(it.s.group, j + 1);
    return Math.floor((j * k) / (size.get(it.s.group) ?? 1));
  });
}

function line(label: string, scores: readonly number[]): string {
  const all: Scored[] = scores.map((score, i) => ({ score, label: labels[i]! }));
  const easy = all.filter((_, i) => items[i]!.s.group !== "hard-ham-1");
  const pct = (x: number) => (100 * x).toFixed(1);
  return `${label.padEnd(24)} AUC ${rocAuc(all).toFixed(5)}  ${pct(recallAtFpr(all, 0.001).recall)} / ${pct(recallAtFpr(all, 0.01).recall)} %   easy ham only ${pct(recallAtFpr(easy, 0.001).recall)} / ${pct(recallAtFpr(easy, 0.01).recall)} %`;
}

console.log(`variant ${variantText}; recall at 0.1 % / 1 % ham false positives`);
for (const k of foldCounts) {
  const fold = blockedFolds(k);
  const prob: number[] = [];
  for (let f = 0; f < k; f++) {
    const model = new MemorySpamModel();
    for (let i = 0; i < items.length; i++)
      if (fold[i] !== f)
        await model.train({
          accountId: 0,
          key: items[i]!.s.id,
          as: labels[i]!,
          hashes: items[i]!.tokens.hashes,
          scopes: [0],
        });
    for (let i = 0; i < items.length; i++)
      if (fold[i] === f)
        prob[i] = (
          await classify(model, { accountId: null, params: variant.params }, items[i]!.tokens)
        ).probability;
  }
  console.log(line(`${k} folds, classifier`, prob));
  console.log(
    line(
      `${k} folds, filter`,
      prob.map((p, i) => total([...items[i]!.rules, ...bayesSignals({ probability: p, ready: true })])),
    ),
  );
}
