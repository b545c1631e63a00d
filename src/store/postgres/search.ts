// MailStore's searches on PostgreSQL (issue 17): the header index (search-headers.ts) and the
// full-text index with its indexer (search-fulltext.ts), which runs after every committed write.
import type { FullTextBudget } from "../shared/fulltext-budget.js";
import type { MailStore } from "../types.js";
import type { PgCtx } from "./context.js";
import { createFullTextOps, DEFAULT_FULL_TEXT_BATCH } from "./search-fulltext.js";
import { createHeaderOps } from "./search-headers.js";

/** The MailStore methods this file implements. */
export type SearchKeys = "searchHeader" | "listEnvelopes" | "searchText" | "matchText";

export interface SearchOptions {
  /** Whether this process runs the full-text indexer (default true; CLI commands: false). */
  indexer?: boolean;
  /** Blobs indexed per transaction. */
  fullTextBatch?: number;
  /** What one body and one transaction of the indexer may add (shared/fulltext-budget.ts). */
  fullTextBudget?: Partial<FullTextBudget>;
}

export function createSearchOps(
  ctx: PgCtx,
  opts: SearchOptions = {},
): Pick<MailStore, SearchKeys> & { stop(): Promise<void>; catchUp(): Promise<void> } {
  const headers = createHeaderOps(ctx);
  const fullText = createFullTextOps(ctx, {
    batch: opts.fullTextBatch ?? DEFAULT_FULL_TEXT_BATCH,
    maxBytes: ctx.limits.fullTextMaxBytes,
    maxWords: ctx.limits.fullTextMaxWords,
    indexer: opts.indexer ?? true,
    budget: opts.fullTextBudget,
  });
  const previous = ctx.onCommit;
  ctx.onCommit = () => {
    previous?.();
    fullText.schedule();
  };
  // What an earlier run left pending (a crash, an import by a CLI command) is indexed now.
  fullText.schedule();
  return {
    searchHeader: headers.searchHeader,
    listEnvelopes: headers.listEnvelopes,
    searchText: fullText.searchText,
    matchText: fullText.matchText,
    stop: fullText.stop,
    catchUp: fullText.catchUp,
  };
}
