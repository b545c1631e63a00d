// Tuning the built-in classifier on the SpamAssassin corpus without looking at the test set:
// k-fold cross-validation inside the 2002 training groups only. Each variant prints ROC AUC and
// spam recall at 0.1 % and 1 % ham false positives, pooled over the folds.
// `--holdout` then reports once on the held-out 2003 groups with the defaults (trained on all of
// the training groups), and the scoring time per message.
// Usage: node --import tsx bench/spam/tune.ts [--folds 5] [--holdout]
import { type ClassifyParams, classify } from "../../src/spam/classifier/classify.js";
import { MemorySpamModel } from "../../src/spam/classifier/memory-model.js";
import { type TokenOptions, tokenHashes } from "../../src/spam/classifier/tokens.js";
import { buildMessageView } from "../../src/spam/message-view.js";
import type { MessageView } from "../../src/spam/types.js";
import type { SpamStore } from "../../src/store/types.js";
import { loadCorpus, type Sample } from "./corpus.js";
import { recallAtFpr, rocAuc, type Scored } from "./metrics.js";

const argv = process.argv.slice(2);
const folds = Number(argv[argv.indexOf("--folds") + 1] ?? 5) || 5;
const holdout = argv.includes("--holdout");

interface Prepared {
  sample: Sample;
  view: MessageView;
}

export async function trainAll(
  store: SpamStore,
  items: readonly { sample: Sample; hashes: number[] }[],
): Promise<void> {
  for (const { sample, hashes } of items) {
    await store.train({ accountId: 0, key: sample.id, as: sample.label, hashes, scopes: [0] });
  }
}

export function report(label: string, scored: readonly Scored[]): string {
  const r1 = recallAtFpr(scored, 0.001);
  const r10 = recallAtFpr(scored, 0.01);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return `${label.padEnd(40)} AUC ${rocAuc(scored).toFixed(5)}  recall@0.1% ${pct(r1.recall)} (t=${r1.threshold.toPrecision(4)})  recall@1% ${pct(r10.recall)} (t=${r10.threshold.toPrecision(4)})`;
}

async function crossValidate(
  prepared: readonly Prepared[],
  tok: TokenOptions,
  params: Partial<ClassifyParams>,
): Promise<Scored[]> {
  const items = prepared.map((p) => ({ sample: p.sample, hashes: tokenHashes(p.view, tok) }));
  const scored: Scored[] = [];
  for (let f = 0; f < folds; f++) {
    const store = new MemorySpamModel();
    // Fold by position in the sorted list: every group is spread over all folds.
    await trainAll(
      store,
      items.filter((_, i) => i % folds !== f),
    );
    for (let i = f; i < items.length; i += folds) {
      const it = items[i];
      if (it === undefined) continue;
      const c = await classify(store, { accountId: null, params }, it.hashes);
      scored.push({ score: c.probability, label: it.sample.label });
    }
  }
  return scored;
}

const corpus = loadCorpus();
const prepare = (s: Sample): Prepared => ({ sample: s, view: buildMessageView(s.body) });
const train = corpus.train.map(prepare);

if (!holdout) {
  const variants: [string, TokenOptions, Partial<ClassifyParams>][] = [
    ["default", {}, {}],
    ["no bigrams", { bigrams: false }, {}],
    ["no header tokens", { headers: false }, {}],
    ["maxClues 50", {}, { maxClues: 50 }],
    ["maxClues 300", {}, { maxClues: 300 }],
    ["minDev 0.05", {}, { minDev: 0.05 }],
    ["minDev 0.2", {}, { minDev: 0.2 }],
    ["s 0.1", {}, { s: 0.1 }],
    ["s 1", {}, { s: 1 }],
  ];
  const only = argv.filter((a) => !a.startsWith("--") && Number.isNaN(Number(a)));
  for (const [label, tok, params] of variants) {
    if (only.length > 0 && !only.some((o) => label.includes(o))) continue;
    console.log(report(`cv${folds} ${label}`, await crossValidate(train, tok, params)));
  }
} else {
  const store = new MemorySpamModel();
  await trainAll(
    store,
    train.map((p) => ({ sample: p.sample, hashes: tokenHashes(p.view) })),
  );
  const scored: Scored[] = [];
  const times: number[] = [];
  for (const s of corpus.test) {
    const t0 = performance.now();
    const c = await classify(store, { accountId: null }, tokenHashes(buildMessageView(s.body)));
    times.push(performance.now() - t0);
    scored.push({ score: c.probability, label: s.label });
  }
  times.sort((a, b) => a - b);
  const q = (x: number) => (times[Math.min(times.length - 1, Math.floor(x * times.length))] ?? 0).toFixed(2);
  console.log(report("held-out (easy-ham-2 + spam-2)", scored));
  console.log(
    `scoring per message (view + tokens + classify, memory model): p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`,
  );
  console.log(`model: ${JSON.stringify(await store.modelStats())}`);
}
