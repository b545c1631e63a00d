// How much work one full-text indexer write may take on, alike on both stores (sqlite/fulltext.ts,
// postgres/search-fulltext.ts). Why: the cost of indexing a body is mostly its NEW vocabulary
// words (each a vocabulary row plus its trigrams), and one hostile message of 1 MB of random
// base64 brings ~40,000 of them: 0.8 s of CPU inside one SQLite write, the event loop blocked for
// every user meanwhile (docs/ARCHITECTURE.md, "Full-text index"). So:
//  - a body that would add more than maxNewWords new words is left partial (fts_pending.partial),
//    with nothing written for it: a partial body is a candidate of every search and is read and
//    matched, so its index rows and words would never be used, and answers stay exact;
//  - a batch stops taking bodies once it holds batchBytes of text or batchNewWords new words, so a
//    write holds at most those plus one body's (at most storage.fullTextMaxBytes of text and
//    maxNewWords words), whatever its count of bodies. The check comes before a body is read, so
//    no body is read twice.

export interface FullTextBudget {
  /** New vocabulary words one body may add; beyond, it is left partial and read at each search. */
  maxNewWords: number;
  /** Text (UTF-16 code units) after which a write takes no more bodies. */
  batchBytes: number;
  /** New vocabulary words after which a write takes no more bodies. */
  batchNewWords: number;
}

export const DEFAULT_FULL_TEXT_BUDGET: Readonly<FullTextBudget> = {
  maxNewWords: 1000,
  batchBytes: 1024 * 1024,
  batchNewWords: 4000,
};

/** A budget with every limit at least 1 (a write always makes progress). */
export function fullTextBudget(partial: Partial<FullTextBudget> = {}): FullTextBudget {
  const pick = (k: keyof FullTextBudget) =>
    Math.max(1, Math.floor(partial[k] ?? DEFAULT_FULL_TEXT_BUDGET[k]));
  return {
    maxNewWords: pick("maxNewWords"),
    batchBytes: pick("batchBytes"),
    batchNewWords: pick("batchNewWords"),
  };
}

/** What a batch has taken so far. */
export interface BatchTotals {
  bodies: number;
  bytes: number;
  newWords: number;
}

/** Whether a batch holding `t` takes one more body: always its first, then only while both totals
 *  are under the budget. */
export function batchTakesMore(b: FullTextBudget, t: BatchTotals): boolean {
  return t.bodies === 0 || (t.bytes < b.batchBytes && t.newWords < b.batchNewWords);
}
