// The training groups as every tuning script sees them, and the blocked fold split they share
// (cv-filter.ts, sa-combo.ts, sa-rules.ts, tune.ts --blocked): one copy, so a figure from one
// script and a figure from another come from the same folds. Training groups only (easy ham 1,
// hard ham 1, spam 1); the 2003 groups are never read here.
import { type ClassifyParams, classify } from "../../src/spam/classifier/classify.js";
import { MemorySpamModel } from "../../src/spam/classifier/memory-model.js";
import { type MessageTokens, messageTokens, type TokenOptions } from "../../src/spam/classifier/tokens.js";
import { buildMessageView } from "../../src/spam/message-view.js";
import type { MessageView, Signal } from "../../src/spam/types.js";
import { localRuleSignals } from "./combine.js";
import { loadCorpus, type Sample } from "./corpus.js";

export interface TrainingItem {
  sample: Sample;
  view: MessageView;
  tokens: MessageTokens;
  /** The shipped rule families' signals (no BAYES_*: that one comes from the folds). */
  rules: Signal[];
}

/** The 3,250 training messages, each with its view, tokens (`tok`: a tokenizer variant) and
 *  the shipped rules' signals. */
export function trainingItems(tok: TokenOptions = {}): TrainingItem[] {
  return loadCorpus().train.map((sample) => {
    const view = buildMessageView(sample.body);
    return { sample, view, tokens: messageTokens(view, tok), rules: localRuleSignals(sample, view) };
  });
}

/** Blocked folds: each group cut into `k` contiguous runs, in the corpus' sorted order, so a spam
 *  run's near-copies stay in one fold (dealing by position put them on both sides and flattered
 *  the figures: docs/ARCHITECTURE.md "Measured choices"). */
export function blockedFolds(samples: readonly Pick<Sample, "group">[], k: number): number[] {
  const size = new Map<string, number>();
  for (const s of samples) size.set(s.group, (size.get(s.group) ?? 0) + 1);
  const seen = new Map<string, number>();
  return samples.map((s) => {
    const j = seen.get(s.group) ?? 0;
    seen.set(s.group, j + 1);
    return Math.floor((j * k) / (size.get(s.group) ?? 1));
  });
}

/** Each item's classifier probability from a model trained on the other folds (fresh in-memory
 *  models, all of a fold's training counted once; `params` a classifier variant). */
export async function outOfFoldProbabilities(
  items: readonly { sample: Sample; tokens: MessageTokens }[],
  fold: readonly number[],
  k: number,
  params: Partial<ClassifyParams> = {},
): Promise<number[]> {
  const prob: number[] = [];
  for (let f = 0; f < k; f++) {
    const model = new MemorySpamModel();
    for (let i = 0; i < items.length; i++)
      if (fold[i] !== f)
        await model.train({
          accountId: 0,
          key: items[i]!.sample.id,
          as: items[i]!.sample.label,
          hashes: items[i]!.tokens.hashes,
          scopes: [0],
        });
    for (let i = 0; i < items.length; i++)
      if (fold[i] === f)
        prob[i] = (await classify(model, { accountId: null, params }, items[i]!.tokens)).probability;
  }
  return prob;
}
