// The full-text index behind MailStore.searchText: two contentless FTS5 tables with SQLite's
// trigram tokenizer, one for the top-level header text (IMAP TEXT, JMAP text) and one for the
// body text (IMAP BODY/TEXT, JMAP body/text), keyed by blob like header-index.ts, so a body filed
// in several mailboxes is indexed once. What is indexed is mime/searchable.ts's lower-cased text,
// a superset of what the exact matchers compare: the index only narrows the candidates.
//
// Why trigrams: IMAP SEARCH is a substring match (RFC 9051 6.4.4), and Japanese or Chinese text
// has no spaces to split words at, so a word index cannot answer "本語の". Every needle of three
// characters or more is a set of trigrams, each one a token. detail=none keeps only which rows
// hold a token (no positions): about a third of a detail=full index; the query is then "all the
// needle's trigrams" rather than "in this order", which may admit a few extra candidates the
// exact match removes. Contentless (content=''): the text is not stored a second time.
// Case: the text and the needle are lower-cased in JS, exactly as the matchers do, and the
// tokenizer is case_sensitive so that SQLite's own (different) folding never applies.
//
// Which blobs are not (fully) indexed is kept in fts_pending: a row per blob, added by a trigger
// when a blob is inserted (and for every existing blob by the migration, which therefore costs
// one INSERT ... SELECT, not an index build), removed when the indexer has written the blob's
// text, kept with partial = 1 when its text was longer than the per-message cap. Messages whose
// blob has a row there are always candidates, so a search made while the indexer catches up (after
// delivery, after the upgrade) finds what a scan finds. The indexer runs after commits, in
// batches, each one write in the group commit. Rows go with their blob (the blobs_fts_del trigger):
// blobs are only ever deleted row by row (schema.ts's blobs_unref).

import { searchableText } from "../../mime/searchable.js";
import type { MessageStructure } from "../../mime/types.js";
import type { FullTextField, FullTextScope } from "../types.js";
import type { Ctx } from "./context.js";
import type { MailboxRows } from "./mailboxes.js";

export const fullTextMigration = `
CREATE VIRTUAL TABLE fts_head USING fts5(t, tokenize = 'trigram case_sensitive 1', detail = none,
  content = '', contentless_delete = 1);
CREATE VIRTUAL TABLE fts_body USING fts5(t, tokenize = 'trigram case_sensitive 1', detail = none,
  content = '', contentless_delete = 1);
CREATE TABLE fts_pending (blob_id INTEGER PRIMARY KEY, partial INTEGER NOT NULL DEFAULT 0);
INSERT INTO fts_pending (blob_id) SELECT id FROM blobs;
CREATE TRIGGER blobs_fts_ins AFTER INSERT ON blobs BEGIN
  INSERT OR REPLACE INTO fts_pending (blob_id, partial) VALUES (NEW.id, 0);
END;
CREATE TRIGGER blobs_fts_del AFTER DELETE ON blobs BEGIN
  DELETE FROM fts_head WHERE rowid = OLD.id;
  DELETE FROM fts_body WHERE rowid = OLD.id;
  DELETE FROM fts_pending WHERE blob_id = OLD.id;
END;
`;

export const DEFAULT_FULL_TEXT_BATCH = 200;
export const DEFAULT_FULL_TEXT_MAX_BYTES = 1024 * 1024;
/** More trigrams than this add little to the narrowing (and lengthen the query): an evenly
 *  spread subset is asked for, still a superset of the exact matches. */
const MAX_TRIGRAMS = 24;
/** After a commit, the indexer starts this much later, so a burst of deliveries is one batch. */
const START_DELAY_MS = 20;
/** While other writes keep committing (a burst of deliveries), the indexer waits for a pause, in
 *  steps of DEFER_STEP_MS, but takes a batch at least every MAX_DEFER_MS: indexing costs about a
 *  quarter of a delivery's CPU, and unindexed mail is found anyway (fts_pending). */
const DEFER_STEP_MS = 25;
const PROBE_MS = 5;
/** Bodies per batch while other writes keep coming (the configured batch otherwise). */
const BUSY_BATCH = 16;
const MAX_DEFER_MS = 1000;

export interface FullTextOptions {
  /** Blobs indexed per write. */
  batch: number;
  /** Octets of encoded text parts indexed per message (0: all); the rest stays searchable by scan. */
  maxBytes: number;
}

/** The FTS5 query for a needle: its distinct trigrams, ANDed; null when it has fewer than three
 *  characters (no trigram) or a NUL (which FTS5 strings cannot hold). */
export function trigramQuery(needle: string): string | null {
  const cps = Array.from(needle.toLowerCase());
  if (cps.length < 3 || needle.includes("\0")) return null;
  const all = new Set<string>();
  for (let i = 0; i + 3 <= cps.length; i++) all.add(cps[i]! + cps[i + 1]! + cps[i + 2]!);
  let list = [...all];
  if (list.length > MAX_TRIGRAMS) {
    const step = (list.length - 1) / (MAX_TRIGRAMS - 1);
    list = Array.from({ length: MAX_TRIGRAMS }, (_, i) => list[Math.round(i * step)]!);
  }
  return list.map((t) => `"${t.replaceAll('"', '""')}"`).join(" AND ");
}

interface PendingBlob {
  blob_id: number;
  hash: string;
  structure: string;
}

export function createFullTextOps(ctx: Ctx, rows: MailboxRows, opts: FullTextOptions) {
  const db = ctx.db;
  const batch = Math.max(1, Math.floor(opts.batch));
  const inBody = "m.blob_id IN (SELECT rowid FROM fts_body WHERE fts_body MATCH @q)";
  const inHead = "m.blob_id IN (SELECT rowid FROM fts_head WHERE fts_head MATCH @q)";
  const unindexed = "m.blob_id IN (SELECT blob_id FROM fts_pending)";
  const candidates = (col: string, scope: string, field: FullTextField, pending: boolean) => {
    const terms = [inBody, ...(field === "text" ? [inHead] : []), ...(pending ? [unindexed] : [])];
    const st = db.prepare<[{ scope: number; q: string }], number>(
      `SELECT m.${col} FROM messages m WHERE m.${scope} = @scope AND (${terms.join(" OR ")}) ORDER BY m.${col}`,
    );
    return st.pluck(true);
  };
  const s = {
    anyPending: db.prepare<[], number>("SELECT EXISTS (SELECT 1 FROM fts_pending)").pluck(true),
    byMailbox: {
      body: [candidates("uid", "mailbox_id", "body", false), candidates("uid", "mailbox_id", "body", true)],
      text: [candidates("uid", "mailbox_id", "text", false), candidates("uid", "mailbox_id", "text", true)],
    },
    byAccount: {
      body: [candidates("id", "account_id", "body", false), candidates("id", "account_id", "body", true)],
      text: [candidates("id", "account_id", "text", false), candidates("id", "account_id", "text", true)],
    },
    pending: db.prepare<[number], PendingBlob>(
      `SELECT p.blob_id, b.hash, b.structure FROM fts_pending p JOIN blobs b ON b.id = p.blob_id
       WHERE p.partial = 0 ORDER BY p.blob_id LIMIT ?`,
    ),
    hashOf: db.prepare<[number], string>("SELECT hash FROM blobs WHERE id = ?").pluck(true),
    delHead: db.prepare<[number]>("DELETE FROM fts_head WHERE rowid = ?"),
    delBody: db.prepare<[number]>("DELETE FROM fts_body WHERE rowid = ?"),
    insHead: db.prepare<[number, string]>("INSERT INTO fts_head (rowid, t) VALUES (?, ?)"),
    insBody: db.prepare<[number, string]>("INSERT INTO fts_body (rowid, t) VALUES (?, ?)"),
    done: db.prepare<[number]>("DELETE FROM fts_pending WHERE blob_id = ?"),
    partial: db.prepare<[number]>("UPDATE fts_pending SET partial = 1 WHERE blob_id = ?"),
  };

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  /** Indexes one batch of pending blobs; false when there was nothing left to do. */
  const indexBatch = async (limit: number): Promise<boolean> => {
    const found = ctx.read(() => s.pending.all(limit));
    if (found.length === 0) return false;
    const entries: { r: PendingBlob; head: string; body: string; complete: boolean }[] = [];
    for (const r of found) {
      try {
        const body = await ctx.blobs.read(r.hash);
        const t = searchableText(body, JSON.parse(r.structure) as MessageStructure, opts.maxBytes);
        entries.push({ r, ...t });
      } catch (error) {
        // Deleted meanwhile (the write below skips it), or unreadable: marked partial, so it is a
        // candidate of every search and does not hold up the bodies after it.
        ctx.log.warn("full-text indexing of a body failed; it is searched by reading it", { error });
        entries.push({ r, head: "", body: "", complete: false });
      }
    }
    if (stopped || ctx.closed) return false;
    await ctx.grouped(() => {
      for (const e of entries) {
        const id = e.r.blob_id;
        // Blob ids are reused once deleted: write only while the id still names the body read.
        if (s.hashOf.get(id) !== e.r.hash) continue;
        s.delHead.run(id);
        s.delBody.run(id);
        s.insHead.run(id, e.head);
        s.insBody.run(id, e.body);
        if (e.complete) s.done.run(id);
        else s.partial.run(id);
      }
      return { value: undefined };
    });
    return found.length === limit;
  };

  /** Waits while other jobs are being committed (none of ours is in flight here): a first look
   *  of PROBE_MS, then steps of DEFER_STEP_MS until one passes without a commit, at most
   *  MAX_DEFER_MS in all. */
  const yieldToWriters = async (): Promise<boolean> => {
    const since = Date.now();
    let step = PROBE_MS;
    for (;;) {
      const before = ctx.writer.stats.jobs;
      await new Promise((r) => setTimeout(r, step));
      if (stopped || ctx.writer.stats.jobs === before) return false;
      if (Date.now() - since >= MAX_DEFER_MS) return true;
      step = DEFER_STEP_MS;
    }
  };

  /** Drains the pending blobs, batch by batch, yielding to other work between batches. Bounded:
   *  each batch removes or marks partial every blob it read, or the store closed. */
  const drain = async (): Promise<void> => {
    try {
      for (;;) {
        // While others write, small batches: a batch's write holds up the commit it joins.
        const busy = await yieldToWriters();
        if (stopped || ctx.closed || !(await indexBatch(busy ? BUSY_BATCH : batch))) break;
      }
    } catch (error) {
      if (!ctx.closed) ctx.log.warn("full-text indexing failed; searches scan unindexed mail", { error });
    }
  };

  const schedule = (): void => {
    if (stopped || timer || running) return;
    timer = setTimeout(() => {
      timer = null;
      running = drain().finally(() => {
        running = null;
      });
    }, START_DELAY_MS);
    timer.unref();
  };

  return {
    /** Called after every commit: new blobs have pending rows to index. */
    schedule,
    /** Indexes everything pending now (tests, the benchmark, the CLI). */
    async catchUp(): Promise<void> {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      await running;
      await drain();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
    ops: {
      async searchText(scope: FullTextScope, field: FullTextField, needle: string): Promise<number[] | null> {
        const q = trigramQuery(needle);
        if (q === null) return null;
        return ctx.read(() => {
          const pending = s.anyPending.get() === 1;
          if ("mailboxId" in scope) {
            rows.mustExist(scope.mailboxId);
            return s.byMailbox[field][pending ? 1 : 0]!.all({ scope: scope.mailboxId, q });
          }
          return s.byAccount[field][pending ? 1 : 0]!.all({ scope: scope.accountId, q });
        });
      },
    },
  };
}
