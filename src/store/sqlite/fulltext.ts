// The full-text index behind MailStore.searchText and matchText: contentless FTS5 tables by word
// (SQLite's `ascii` tokenizer), keyed by blob like header-index.ts, so a body filed in several
// mailboxes is indexed once (schema v23, fulltext-words-schema.ts). What is indexed is
// mime/searchable.ts's lower-cased text: the top-level header (ftw_head), the text IMAP BODY
// matches (ftw_body), and what only JMAP reads (ftw_more).
//
// IMAP SEARCH is a substring match (RFC 9051 6.4.4) and Japanese has no spaces, so a word index
// answers through its vocabulary (ftw_terms, with a trigram index of its own): a needle without
// separators (ASCII other than letters and digits) is in a text exactly when it is inside one of
// the text's words, so the messages holding it are those holding one of the vocabulary's words
// that contain it, an OR of those words. That answer is exact ("sure": the message is not read)
// because the indexed strings are the matched strings, lower-cased the same way (JS toLowerCase;
// the tokenizer folds only ASCII, and no ASCII capital is left). A needle with separators
// ("example.org", "two words") is its words in any order: the first must end a word, the middle
// ones be words, the last begin one; the candidates are read and matched ("maybe").
// detail=none (no positions) keeps the index small: on bench:search's corpus it is about a quarter
// of the trigram index it replaced, which was 42 % of the mail.
//
// Which blobs are not (fully) indexed is kept in fts_pending: a row per blob, added by a trigger
// when a blob is inserted (and for every existing blob by the migrations, which therefore cost
// one INSERT ... SELECT, not an index build), removed when the indexer has written the blob's
// text, kept with partial = 1 when its text was longer than the per-message cap or would add more
// new vocabulary words than budget.maxNewWords (shared/fulltext-budget.ts: one message of random
// base64 cost 0.8 s of CPU in one write). Messages whose blob has a row there are "maybe" for
// every search, so a search made while the indexer catches up (after delivery, after the upgrade)
// finds what a scan finds; for the same reason nothing is written for a partial body (its rows
// and words would never be used). The indexer runs after commits, in batches, each one write in
// the group commit, bounded in bodies, text and new words (fulltext-budget.ts). Rows go with
// their blob (the blobs_fts_del trigger): blobs are only ever deleted row by row (schema.ts's
// blobs_unref). Words stay in the vocabulary when their last message goes: an OR with a word no
// message holds finds nothing more.

import { searchableText } from "../../mime/searchable.js";
import type { MessageStructure } from "../../mime/types.js";
import {
  type BatchTotals,
  batchTakesMore,
  type FullTextBudget,
  fullTextBudget,
} from "../shared/fulltext-budget.js";
import { type NeedlePlan, planNeedle, splitWords } from "../shared/search-words.js";
import { sortedUnique } from "../shared/sorted-unique.js";
import type { FullTextField, FullTextScope, TextMatch } from "../types.js";
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
export const DEFAULT_FULL_TEXT_MAX_WORDS = 2000;
/** More trigrams than this add little to the narrowing (and lengthen the query): an evenly
 *  spread subset is asked for, still a superset of the exact matches. */
const MAX_TRIGRAMS = 24;
/** Words per MATCH: a longer OR is split into several queries, their answers joined. */
const WORDS_PER_QUERY = 250;
/** Vocabulary words read per needle, as a multiple of the most words it may expand to: the
 *  trigram query over the vocabulary admits some that do not contain the needle. */
const WORD_CANDIDATES_FACTOR = 8;
/** Words known to be in the vocabulary (never removed from it), so that indexing a body asks the
 *  database only about words it has not seen; emptied when it reaches this size. */
const KNOWN_WORDS = 200_000;
/** Words looked up in the vocabulary per synchronous read while a body's new words are counted. */
const LOOKUP_CHUNK = 2000;
/** FTS5_MAX_TOKEN_SIZE: FTS5 cuts longer words (in the index and in queries) to this many octets. */
const MAX_WORD_OCTETS = 32768;
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
  /** Vocabulary words one needle may stand for (an OR of them); beyond, the search reads every
   *  message (matchText answers null). */
  maxWords: number;
  /** What one body and one write may add (shared/fulltext-budget.ts; defaults there). */
  budget?: Partial<FullTextBudget>;
}

/** The FTS5 query for a needle: its distinct trigrams, ANDed; null when it has fewer than three
 *  characters (no trigram) or a NUL (which FTS5 strings cannot hold). */
export function trigramQuery(needle: string): string | null {
  return trigramsOf(needle.toLowerCase());
}

/** trigramQuery for text already lower-cased (the vocabulary's words are). */
function trigramsOf(text: string): string | null {
  const cps = Array.from(text);
  if (cps.length < 3 || text.includes("\0")) return null;
  const all = new Set<string>();
  for (let i = 0; i + 3 <= cps.length; i++) all.add(cps[i]! + cps[i + 1]! + cps[i + 2]!);
  let list = [...all];
  if (list.length > MAX_TRIGRAMS) {
    const step = (list.length - 1) / (MAX_TRIGRAMS - 1);
    list = Array.from({ length: MAX_TRIGRAMS }, (_, i) => list[Math.round(i * step)]!);
  }
  return list.map((t) => `"${t.replaceAll('"', '""')}"`).join(" AND ");
}

const quote = (w: string) => `"${w.replaceAll('"', '""')}"`;

interface PendingBlob {
  blob_id: number;
  hash: string;
  structure: string;
}

type Table = "ftw_head" | "ftw_body" | "ftw_more";

export function createFullTextOps(ctx: Ctx, rows: MailboxRows, opts: FullTextOptions) {
  const db = ctx.db;
  const batch = Math.max(1, Math.floor(opts.batch));
  const maxWords = Math.max(1, Math.floor(opts.maxWords));
  const budget = fullTextBudget(opts.budget);
  const statements = new Map<string, { all(p: { scope: number; q?: string }): number[] }>();
  /** The messages of a scope whose blob `table` holds for @q, or that are pending. Driven by the
   *  index's answer (CROSS JOIN keeps that order) through messages_blob, so a rare word costs its
   *  few messages, not a pass over the mailbox's. */
  const inScope = (account: boolean, table: Table | "pending") => {
    const key = `${account}\0${table}`;
    let st = statements.get(key);
    if (!st) {
      const [col, scope] = account ? ["id", "account_id"] : ["uid", "mailbox_id"];
      const from =
        table === "pending"
          ? "fts_pending f CROSS JOIN messages m ON m.blob_id = f.blob_id WHERE"
          : `${table} f CROSS JOIN messages m ON m.blob_id = f.rowid WHERE ${table} MATCH @q AND`;
      st = db
        .prepare<[{ scope: number; q?: string }], number>(`SELECT m.${col} FROM ${from} m.${scope} = @scope`)
        .pluck(true);
      statements.set(key, st);
    }
    return st;
  };
  const s = {
    anyPending: db.prepare<[], number>("SELECT EXISTS (SELECT 1 FROM fts_pending)").pluck(true),
    words: db
      .prepare<[string, number], string>(
        `SELECT term FROM ftw_terms WHERE id IN
           (SELECT rowid FROM ftw_terms_tri WHERE ftw_terms_tri MATCH ? LIMIT ?)`,
      )
      .pluck(true),
    pending: db.prepare<[number], PendingBlob>(
      `SELECT p.blob_id, b.hash, b.structure FROM fts_pending p JOIN blobs b ON b.id = p.blob_id
       WHERE p.partial = 0 ORDER BY p.blob_id LIMIT ?`,
    ),
    hashOf: db.prepare<[number], string>("SELECT hash FROM blobs WHERE id = ?").pluck(true),
    del: (["ftw_head", "ftw_body", "ftw_more"] as const).map((t) =>
      db.prepare<[number]>(`DELETE FROM ${t} WHERE rowid = ?`),
    ),
    ins: (["ftw_head", "ftw_body", "ftw_more"] as const).map((t) =>
      db.prepare<[number, string]>(`INSERT INTO ${t} (rowid, t) VALUES (?, ?)`),
    ),
    addWord: db.prepare<[string]>("INSERT INTO ftw_terms (term) VALUES (?) ON CONFLICT DO NOTHING"),
    addWordTrigrams: db.prepare<[number | bigint, string]>(
      "INSERT INTO ftw_terms_tri (rowid, t) VALUES (?, ?)",
    ),
    hasWord: db.prepare<[string], number>("SELECT 1 FROM ftw_terms WHERE term = ?").pluck(true),
    done: db.prepare<[number]>("DELETE FROM fts_pending WHERE blob_id = ?"),
    partial: db.prepare<[number]>("UPDATE fts_pending SET partial = 1 WHERE blob_id = ?"),
  };
  /** Words committed to the vocabulary (it only grows, so this never goes stale). */
  let known = new Set<string>();

  /** The vocabulary's words that contain `part` and pass `keep`; null when there are more than
   *  maxWords (or too many candidates to look at). `part` has three characters or more. */
  const wordsWith = (part: string, keep: (w: string) => boolean): string[] | null => {
    const q = trigramsOf(part);
    if (q === null) return null;
    const limit = maxWords * WORD_CANDIDATES_FACTOR;
    const found = s.words.all(q, limit + 1);
    if (found.length > limit) return null;
    const out = found.filter(keep);
    return out.length > maxWords ? null : out;
  };

  /** The MATCH queries whose answers, joined, are the needle's candidates ([]: none can hold it);
   *  null when the index cannot narrow it. `sure`: the candidates hold it. */
  const queriesFor = (plan: NeedlePlan): { queries: string[]; sure: boolean } | null => {
    if ("within" in plan) {
      const words = wordsWith(plan.within, (w) => w.includes(plan.within));
      if (words === null) return null;
      return { queries: chunks(words), sure: true };
    }
    const and: string[] = plan.middle.map(quote);
    if (plan.last !== "") and.push(`${quote(plan.last)}*`);
    // The first word's ending: a word ending so, when the vocabulary can say which and there are
    // not too many; else that condition is left out (the candidates stay a superset).
    const firsts =
      Array.from(plan.first).length >= 3 ? wordsWith(plan.first, (w) => w.endsWith(plan.first)) : null;
    if (firsts?.length === 0) return { queries: [], sure: false };
    if (firsts === null) return and.length === 0 ? null : { queries: [and.join(" AND ")], sure: false };
    return { queries: chunks(firsts).map((or) => [`(${or})`, ...and].join(" AND ")), sure: false };
  };

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  /** Adds committed words to `known`, emptying it first when it would grow past KNOWN_WORDS. */
  const remember = (words: Iterable<string>, count: number): void => {
    if (known.size + count > KNOWN_WORDS) known = new Set();
    for (const w of words) known.add(w);
  };

  /** Of `unknown` (words not in `known`), those the vocabulary does not hold, or null as soon as
   *  there are more than budget.maxNewWords: the body is then left partial. Only looked up when
   *  they could be too many (else all are taken as new and inserted ON CONFLICT DO NOTHING, as
   *  before: no lookups for ordinary mail); then in chunks of LOOKUP_CHUNK, yielding between
   *  them, the words found remembered (committed ones). */
  const newWordsOf = async (unknown: string[]): Promise<string[] | null> => {
    if (unknown.length <= budget.maxNewWords) return unknown;
    const out: string[] = [];
    for (let i = 0; i < unknown.length; i += LOOKUP_CHUNK) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      const chunk = unknown.slice(i, i + LOOKUP_CHUNK);
      const found: string[] = [];
      const over = ctx.read(() => {
        for (const w of chunk) {
          if (s.hasWord.get(w) === undefined) {
            out.push(w);
            if (out.length > budget.maxNewWords) return true;
          } else found.push(w);
        }
        return false;
      });
      remember(found, found.length);
      if (over) return null;
    }
    return out;
  };

  /** Indexes one batch of pending blobs; false when there was nothing left to do. */
  const indexBatch = async (limit: number): Promise<boolean> => {
    const found = ctx.read(() => s.pending.all(limit));
    if (found.length === 0) return false;
    // texts null: the body is left partial with nothing written for it (fulltext-budget.ts).
    const entries: { r: PendingBlob; texts: string[] | null }[] = [];
    const fresh = new Set<string>();
    const totals: BatchTotals = { bodies: 0, bytes: 0, newWords: 0 };
    for (const r of found) {
      if (!batchTakesMore(budget, totals)) break;
      totals.bodies++;
      try {
        const body = await ctx.blobs.read(r.hash);
        const t = searchableText(body, JSON.parse(r.structure) as MessageStructure, opts.maxBytes);
        const texts = [t.head, t.body, t.more];
        let complete = t.complete;
        const unknown = new Set<string>();
        for (const text of texts)
          for (const w of splitWords(text)) {
            if (w === "") continue;
            if (!known.has(w) && !fresh.has(w)) unknown.add(w);
            // FTS5 keeps a word's first MAX_WORD_OCTETS only: two longer words alike up to there
            // would be one, so such a body is never "sure" (kept pending, read at each search).
            if (w.length * 3 > MAX_WORD_OCTETS && Buffer.byteLength(w) > MAX_WORD_OCTETS) complete = false;
          }
        const own = complete ? await newWordsOf([...unknown]) : null;
        if (own === null) {
          entries.push({ r, texts: null });
          continue;
        }
        for (const w of own) fresh.add(w);
        totals.newWords += own.length;
        totals.bytes += t.head.length + t.body.length + t.more.length;
        entries.push({ r, texts });
      } catch (error) {
        // Deleted meanwhile (the write below skips it), or unreadable: marked partial, so it is a
        // candidate of every search and does not hold up the bodies after it.
        ctx.log.warn("full-text indexing of a body failed; it is searched by reading it", { error });
        entries.push({ r, texts: null });
      }
    }
    if (stopped || ctx.closed) return false;
    await ctx.grouped(() => {
      // The words first, in the same transaction as the bodies that hold them: a body indexed
      // without its words in the vocabulary would not be found.
      for (const w of fresh) {
        const r = s.addWord.run(w);
        if (r.changes > 0) s.addWordTrigrams.run(r.lastInsertRowid, w);
      }
      for (const e of entries) {
        const id = e.r.blob_id;
        // Blob ids are reused once deleted: write only while the id still names the body read.
        if (s.hashOf.get(id) !== e.r.hash) continue;
        for (let i = 0; i < 3; i++) s.del[i]!.run(id);
        if (e.texts === null) {
          s.partial.run(id);
          continue;
        }
        for (let i = 0; i < 3; i++) s.ins[i]!.run(id, e.texts[i]!);
        s.done.run(id);
      }
      return { value: undefined };
    });
    // Only once committed: a rolled-back word must be written again by the next body holding it.
    remember(fresh, fresh.size);
    return entries.length < found.length || found.length === limit;
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

  const matchText = async (
    scope: FullTextScope,
    field: FullTextField,
    needle: string,
  ): Promise<TextMatch | null> => {
    const plan = planNeedle(needle);
    if (plan === null) return null;
    return ctx.read(() => {
      const account = !("mailboxId" in scope);
      const id = "mailboxId" in scope ? scope.mailboxId : scope.accountId;
      if ("mailboxId" in scope) rows.mustExist(scope.mailboxId);
      const found = queriesFor(plan);
      if (found === null) return null;
      // IMAP TEXT is the header and the body; ftw_more is only ever "maybe".
      const own: Table[] = field === "text" ? ["ftw_head", "ftw_body"] : ["ftw_body"];
      const sureTables = found.sure ? own : [];
      const maybeTables: Table[] = [
        ...(found.sure ? [] : own),
        ...(field === "text" ? ["ftw_more" as const] : []),
      ];
      const sureIds: number[][] = [];
      const maybeIds: number[][] = [];
      for (const q of found.queries) {
        for (const t of sureTables) sureIds.push(inScope(account, t).all({ scope: id, q }));
        for (const t of maybeTables) maybeIds.push(inScope(account, t).all({ scope: id, q }));
      }
      let sure = sortedUnique(sureIds);
      // Not (fully) indexed: read and matched, never "sure" (a capped body's index holds a prefix).
      if (s.anyPending.get() === 1) {
        const pending = inScope(account, "pending").all({ scope: id });
        const out = new Set(pending);
        sure = sure.filter((n) => !out.has(n));
        maybeIds.push(pending);
      }
      let maybe = sortedUnique(maybeIds);
      if (maybe.length > 0 && sure.length > 0) {
        const known = new Set(sure);
        maybe = maybe.filter((n) => !known.has(n));
      }
      return { sure, maybe };
    });
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
      matchText,
      async searchText(scope: FullTextScope, field: FullTextField, needle: string): Promise<number[] | null> {
        const m = await matchText(scope, field, needle);
        return m && sortedUnique([m.sure, m.maybe]);
      },
    },
  };
}

/** Words ORed, WORDS_PER_QUERY to a query. */
function chunks(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i += WORDS_PER_QUERY)
    out.push(
      words
        .slice(i, i + WORDS_PER_QUERY)
        .map(quote)
        .join(" OR "),
    );
  return out;
}
