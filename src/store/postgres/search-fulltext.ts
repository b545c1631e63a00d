// MailStore.searchText and matchText on PostgreSQL (issue 17): the word index of the SQLite store
// (src/store/sqlite/fulltext.ts, whose comment explains the design) on PostgreSQL's own means
// (tables in schema-search.ts):
//  - the text indexed is mime/searchable.ts's, lower-cased, cut into words exactly where the SQLite
//    store cuts them (wordsOf: runs of ASCII letters and digits and of any non-ASCII character);
//  - a needle without separators is in a text exactly when it is inside one of the text's words,
//    so its messages are those holding one of the vocabulary's words that contain it: the words
//    are found through their trigrams (GIN on ftw_terms.tris, hashed keys of search-trigrams.ts,
//    then strpos() decides), the messages through GIN on fts_words (array overlap &&). That
//    answer is "sure";
//  - a needle with separators is its words side by side: the first ends a word (trigrams, then
//    LIKE '%first'), the middle ones are words (@>), the last begins one (LIKE 'last%' on the
//    C-collated unique index, a range scan); its candidates are "maybe";
//  - blobs in fts_pending (not yet indexed, or partial: longer than fullTextMaxBytes, holding a
//    word too long for an index entry or text that is not well-formed UTF-16, or bringing more
//    new vocabulary words than the budget allows, shared/fulltext-budget.ts) are "maybe" for
//    every search, so a search during the indexer's catch-up finds what a scan finds; nothing is
//    written for a partial body (its words would never be used).
// A search reads the vocabulary, the words and fts_pending in one REPEATABLE READ snapshot: a
// body indexed between two of those reads would otherwise be in neither answer.
//
// The indexer runs after commits (ctx.onCommit), in batches, each one transaction that claims
// its pending rows with FOR UPDATE SKIP LOCKED (and leaves those past the budget's text and new
// words pending for the next batch), so indexers on several nodes share the work and
// never index a body twice at once; the vocabulary's words are inserted in sorted order, so two
// indexers adding the same new words wait for each other instead of deadlocking. Cost: the
// vocabulary's trigram arrays (each word once) and each body's word ids; a search is a few index
// lookups plus its candidates' message rows.
import { searchableText } from "../../mime/searchable.js";
import type { MessageStructure } from "../../mime/types.js";
import {
  type BatchTotals,
  batchTakesMore,
  type FullTextBudget,
  fullTextBudget,
} from "../shared/fulltext-budget.js";
import { planNeedle, wordsOf } from "../shared/search-words.js";
import { sortedUnique } from "../shared/sorted-unique.js";
import type { FullTextField, FullTextScope, TextMatch } from "../types.js";
import { readBlob } from "./blobs.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";
import { mustMailbox } from "./search-kit.js";
import { needleTrigramKeys, wordTrigramKeys } from "./search-trigrams.js";

export const DEFAULT_FULL_TEXT_BATCH = 100;
/** Longer words are not indexed (a btree entry holds at most ~2,700 octets): a body holding one
 *  stays pending (partial), a candidate of every search. */
const MAX_TERM_OCTETS = 1000;
/** Word ids cached per process (the vocabulary only grows; ids never change), so indexing a body
 *  asks the database only about words this process has not seen; emptied at this size. */
const KNOWN_WORDS = 200_000;
/** Bodies up to this size are read with the batch's claim (one round trip for the batch). */
const INLINE_BODY_BYTES = 64 * 1024;

/** After a commit, the indexer starts this much later, so a burst of deliveries is one batch. */
const START_DELAY_MS = 20;
/** Prefix words one needle's last word may stand for before that condition is left out. */
const PREFIX_WORDS_FACTOR = 4;

/** A lone surrogate: PostgreSQL would store U+FFFD for it, which another string also maps to. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export interface FullTextOptions {
  batch: number;
  maxBytes: number;
  maxWords: number;
  /** Whether this process runs the indexer (CLI commands do not). */
  indexer: boolean;
  /** What one body and one batch may add (shared/fulltext-budget.ts; defaults there). */
  budget?: Partial<FullTextBudget>;
}

type Part = "head" | "body" | "more";

interface Indexed {
  blobId: number;
  /** Empty when the body is not complete: nothing is written for a partial body (it is a
   *  candidate of every search, so its words would never be used). */
  words: Record<Part, Set<string>>;
  complete: boolean;
  /** Its text's length, for the batch's budget. */
  bytes: number;
}

const emptyWords = (): Record<Part, Set<string>> => ({ head: new Set(), body: new Set(), more: new Set() });

export function createFullTextOps(ctx: PgCtx, opts: FullTextOptions) {
  const db = ctx.db;
  const batch = Math.max(1, Math.floor(opts.batch));
  const maxWords = Math.max(1, Math.floor(opts.maxWords));
  const budget = fullTextBudget(opts.budget);
  /** Committed words and their ids. */
  let known = new Map<string, number>();

  /** The vocabulary's words containing `part` (within), ending or beginning with it; null when
   *  there are more than `limit`. */
  const wordIds = async (
    t: Tx,
    part: string,
    how: "within" | "end" | "start",
    limit: number,
  ): Promise<number[] | null> => {
    let rows: { id: number }[];
    if (how === "start") {
      // The word holds no LIKE metacharacter: %, _ and \ are separators.
      rows = await t.rows("SELECT id FROM ftw_terms WHERE term LIKE $1 LIMIT $2", [`${part}%`, limit + 1]);
    } else {
      const cond = how === "within" ? "strpos(term, $2) > 0" : "term LIKE $2";
      rows = await t.rows(`SELECT id FROM ftw_terms WHERE tris @> $1::int[] AND ${cond} LIMIT $3`, [
        needleTrigramKeys(part),
        how === "within" ? part : `%${part}`,
        limit + 1,
      ]);
    }
    return rows.length > limit ? null : rows.map((r) => r.id);
  };

  /** The conditions on one column of fts_words for a plan, as SQL over numbered parameters. */
  interface Query {
    sure: string[];
    maybe: string[];
    params: unknown[];
  }

  /** The plan's conditions, [] sure and maybe when nothing can hold the needle; null when the
   *  index cannot narrow it. */
  const queryFor = async (t: Tx, needle: string, field: FullTextField): Promise<Query | null> => {
    const plan = planNeedle(needle);
    if (plan === null) return null;
    const own: Part[] = field === "text" ? ["head", "body"] : ["body"];
    const extra: Part[] = field === "text" ? ["more"] : [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length + 1}`; // $1 is the scope
    };
    if ("within" in plan) {
      const ids = await wordIds(t, plan.within, "within", maxWords);
      if (ids === null) return null;
      if (ids.length === 0) return { sure: [], maybe: [], params };
      const w = p(ids);
      return {
        sure: own.map((c) => `f.${c} && ${w}::int[]`),
        maybe: extra.map((c) => `f.${c} && ${w}::int[]`),
        params,
      };
    }
    const conds: ((c: Part) => string)[] = [];
    if (Array.from(plan.first).length >= 3) {
      const ids = await wordIds(t, plan.first, "end", maxWords);
      if (ids?.length === 0) return { sure: [], maybe: [], params };
      if (ids !== null) {
        const w = p(ids);
        conds.push((c) => `f.${c} && ${w}::int[]`);
      }
    }
    if (plan.middle.length > 0) {
      const rows = await t.rows<{ id: number }>("SELECT id FROM ftw_terms WHERE term = ANY($1::text[])", [
        plan.middle,
      ]);
      // A middle word no indexed body holds: only pending ones can match.
      if (rows.length < new Set(plan.middle).size) return { sure: [], maybe: [], params };
      const w = p(rows.map((r) => r.id));
      conds.push((c) => `f.${c} @> ${w}::int[]`);
    }
    if (plan.last !== "") {
      const ids = await wordIds(t, plan.last, "start", maxWords * PREFIX_WORDS_FACTOR);
      if (ids?.length === 0) return { sure: [], maybe: [], params };
      if (ids !== null) {
        const w = p(ids);
        conds.push((c) => `f.${c} && ${w}::int[]`);
      }
    }
    if (conds.length === 0) return null;
    return {
      sure: [],
      maybe: [...own, ...extra].map((c) => `(${conds.map((f) => f(c)).join(" AND ")})`),
      params,
    };
  };

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = !opts.indexer;

  /** Indexes all pending now (and waits for a batch in flight). */
  const catchUp = async (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    await running;
    while (!ctx.closed && (await indexBatch()));
  };

  /** Before a search: when this process's indexer has work scheduled or running and it is at
   *  most one batch, that work is done first. So a search right after a delivery answers "sure"
   *  from the index rather than reading the new mail, and two searches in a row give the same
   *  answer (the contract compares matchText with searchText), while a search during a bulk
   *  import (more pending than a batch) does not wait for the import's indexing. */
  const settle = async (): Promise<void> => {
    if (stopped || (!timer && !running)) return;
    const r = await db.one<{ n: number }>(
      "SELECT count(*) AS n FROM (SELECT 1 FROM fts_pending WHERE NOT partial LIMIT $1) AS x",
      [batch + 1],
    );
    if ((r?.n ?? 0) > batch) return;
    try {
      await catchUp();
    } catch (error) {
      // Unindexed mail is still found (pending: "maybe"); the search goes on.
      ctx.log.warn("full-text indexing failed; searches read unindexed mail", { error });
    }
  };

  const matchText = async (
    scope: FullTextScope,
    field: FullTextField,
    needle: string,
  ): Promise<TextMatch | null> => {
    ctx.assertOpen();
    if (LONE_SURROGATE.test(needle)) return null;
    await settle();
    const account = !("mailboxId" in scope);
    const id = "mailboxId" in scope ? scope.mailboxId : scope.accountId;
    const [col, by] = account ? ["id", "account_id"] : ["uid", "mailbox_id"];
    return db.tx(
      async (t) => {
        if (!account) await mustMailbox(t, id);
        const q = await queryFor(t, needle, field);
        if (q === null) return null;
        const ids = async (cond: string[]) =>
          cond.length === 0
            ? []
            : (
                await t.rows<{ n: number }>(
                  `SELECT m.${col} AS n FROM fts_words f JOIN messages m ON m.blob_id = f.blob_id
                   WHERE m.${by} = $1 AND (${cond.join(" OR ")})`,
                  [id, ...q.params],
                )
              ).map((r) => r.n);
        const sureIds = await ids(q.sure);
        const maybeIds = await ids(q.maybe);
        // Not (fully) indexed: read and matched, never "sure".
        const pending = (
          await t.rows<{ n: number }>(
            `SELECT m.${col} AS n FROM fts_pending p JOIN messages m ON m.blob_id = p.blob_id
             WHERE m.${by} = $1`,
            [id],
          )
        ).map((r) => r.n);
        const out = new Set(pending);
        const sure = sortedUnique([sureIds]).filter((n) => !out.has(n));
        const isSure = new Set(sure);
        const maybe = sortedUnique([maybeIds, pending]).filter((n) => !isSure.has(n));
        return { sure, maybe };
      },
      { isolation: "repeatable read" },
    );
  };

  /** The words of one body by part; complete false when the index cannot hold all of its text. */
  const wordsOfBody = (blobId: number, body: Buffer, structure: MessageStructure): Indexed => {
    const t = searchableText(body, structure, opts.maxBytes);
    let complete = t.complete;
    const words = { head: new Set<string>(), body: new Set<string>(), more: new Set<string>() };
    for (const part of ["head", "body", "more"] as const) {
      for (const w of wordsOf(t[part])) {
        if (
          (w.length * 3 > MAX_TERM_OCTETS && Buffer.byteLength(w) > MAX_TERM_OCTETS) ||
          LONE_SURROGATE.test(w)
        ) {
          complete = false;
          continue;
        }
        words[part].add(w);
      }
    }
    const bytes = t.head.length + t.body.length + t.more.length;
    return { blobId, words: complete ? words : emptyWords(), complete, bytes };
  };

  /** Indexes one batch of pending blobs; false when there was nothing left to do. */
  const indexBatch = async (): Promise<boolean> => {
    const { more, fresh } = await db.tx(async (t) => {
      /** New vocabulary words of the bodies taken so far; with looked-up ids of known ones. */
      const batchNew = new Set<string>();
      const looked = new Map<string, number>();
      /** A body's new words, counted into batchNew; over budget.maxNewWords the body is left
       *  partial with nothing written (fulltext-budget.ts). Its words not cached are looked up,
       *  only when they could be too many (else all are inserted ON CONFLICT DO NOTHING, as
       *  before: one round trip fewer for ordinary mail). */
      const countNew = async (tx: Tx, e: Indexed): Promise<number> => {
        if (!e.complete) return 0;
        const unknown = new Set<string>();
        for (const s of Object.values(e.words))
          for (const w of s) if (!known.has(w) && !batchNew.has(w) && !looked.has(w)) unknown.add(w);
        if (unknown.size > budget.maxNewWords) {
          for (const r of await tx.rows<{ id: number; term: string }>(
            "SELECT id, term FROM ftw_terms WHERE term = ANY($1::text[])",
            [[...unknown]],
          )) {
            looked.set(r.term, r.id);
            unknown.delete(r.term);
          }
        }
        if (unknown.size > budget.maxNewWords) {
          e.complete = false;
          e.words = emptyWords();
          return 0;
        }
        for (const w of unknown) batchNew.add(w);
        return unknown.size;
      };
      // SKIP LOCKED: another node's indexer has those; KEY SHARE: a body being expunged is skipped
      // or waits for this commit (the rows below reference it).
      // The blob before its fts_pending row, the order an EXPUNGE takes them in (blob_refs
      // deletes the blob, whose cascade then deletes fts_pending): locking a blob whose newer
      // version an EXPUNGE is deleting waits for that EXPUNGE whatever SKIP LOCKED says
      // (PostgreSQL follows the update chain without it), and holding that blob's fts_pending row
      // meanwhile, as the opposite order did, was a deadlock (the clauses' order is the order the
      // rows are locked in; db-retry stress in docs/ARCHITECTURE.md, PostgreSQL store).
      // A small body (one chunk, at most INLINE_BODY_BYTES) comes with its claim: one round trip
      // for the batch rather than one per body; a larger one is read on its own (readBlob), so a
      // batch's result stays under batch x INLINE_BODY_BYTES.
      const found = await t.rows<{ blob_id: number; structure: string; data: Buffer | null }>(
        `SELECT p.blob_id, b.structure,
                CASE WHEN b.size <= $2 THEN
                  (SELECT c.data FROM blob_chunks c WHERE c.blob_id = b.id AND c.seq = 0
                   AND octet_length(c.data) = b.size) END AS data
         FROM fts_pending p JOIN blobs b ON b.id = p.blob_id
         WHERE NOT p.partial ORDER BY p.blob_id LIMIT $1
         FOR KEY SHARE OF b SKIP LOCKED FOR UPDATE OF p SKIP LOCKED`,
        [batch, INLINE_BODY_BYTES],
      );
      const entries: Indexed[] = [];
      const totals: BatchTotals = { bodies: 0, bytes: 0, newWords: 0 };
      for (const r of found) {
        // Past the budget: the rest of the claim stays pending for the next batch.
        if (!batchTakesMore(budget, totals)) break;
        totals.bodies++;
        let e: Indexed;
        try {
          const body = r.data ?? (await readBlob(t, r.blob_id));
          e = wordsOfBody(r.blob_id, body, JSON.parse(r.structure) as MessageStructure);
        } catch (error) {
          // Unreadable: partial, so it is a candidate of every search and does not hold up the rest.
          ctx.log.warn("full-text indexing of a body failed; it is searched by reading it", { error });
          e = { blobId: r.blob_id, words: emptyWords(), complete: false, bytes: 0 };
        }
        entries.push(e);
        totals.bytes += e.bytes;
        totals.newWords += await countNew(t, e);
      }
      // The words first, in the same transaction as the bodies that hold them.
      const fresh = new Map<string, number>();
      const unknown = [...batchNew].sort();
      if (unknown.length > 0) {
        // Each word's trigram keys computed here (search-trigrams.ts), as an array literal.
        await t.run(
          `INSERT INTO ftw_terms (term, tris)
           SELECT w, k::int[] FROM unnest($1::text[], $2::text[]) AS u(w, k) ORDER BY w
           ON CONFLICT (term) DO NOTHING`,
          [unknown, unknown.map(wordTrigramKeys)],
        );
        for (const r of await t.rows<{ id: number; term: string }>(
          "SELECT id, term FROM ftw_terms WHERE term = ANY($1::text[])",
          [unknown],
        ))
          fresh.set(r.term, r.id);
      }
      const idOf = (w: string) => known.get(w) ?? looked.get(w) ?? fresh.get(w);
      const rowsOf = {
        blob: [] as number[],
        head: [] as string[],
        body: [] as string[],
        more: [] as string[],
      };
      for (const e of entries) {
        if (!e.complete) continue;
        const ids = (s: Set<string>) => {
          const out: number[] = [];
          for (const w of s) {
            const n = idOf(w);
            // Not found again (cannot happen unless the database changed the text): never "sure".
            if (n === undefined) e.complete = false;
            else out.push(n);
          }
          return out;
        };
        rowsOf.blob.push(e.blobId);
        rowsOf.head.push(`{${ids(e.words.head).join(",")}}`);
        rowsOf.body.push(`{${ids(e.words.body).join(",")}}`);
        rowsOf.more.push(`{${ids(e.words.more).join(",")}}`);
      }
      // One statement for the batch; each row's term ids travel as an array literal (text), since
      // an array parameter cannot hold rows of different lengths.
      if (rowsOf.blob.length > 0)
        await t.run(
          `INSERT INTO fts_words (blob_id, head, body, more)
           SELECT x.blob, x.head::integer[], x.body::integer[], x.more::integer[]
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS x(blob, head, body, more)
           ON CONFLICT (blob_id) DO UPDATE SET head = EXCLUDED.head, body = EXCLUDED.body, more = EXCLUDED.more`,
          [rowsOf.blob, rowsOf.head, rowsOf.body, rowsOf.more],
        );
      const done = entries.filter((e) => e.complete).map((e) => e.blobId);
      const partial = entries.filter((e) => !e.complete).map((e) => e.blobId);
      if (done.length > 0) await t.run("DELETE FROM fts_pending WHERE blob_id = ANY($1::bigint[])", [done]);
      if (partial.length > 0)
        await t.run("UPDATE fts_pending SET partial = true WHERE blob_id = ANY($1::bigint[])", [partial]);
      for (const [w, n] of looked) fresh.set(w, n);
      return { more: found.length === batch || entries.length < found.length, fresh };
    });
    // Only once committed: a rolled-back word must be looked up again.
    if (known.size + fresh.size > KNOWN_WORDS) known = new Map();
    for (const [w, n] of fresh) known.set(w, n);
    return more;
  };

  /** Drains the pending blobs batch by batch. Bounded: each batch removes or marks partial every
   *  blob it claimed, or the store closed. */
  const drain = async (): Promise<void> => {
    try {
      while (!stopped && !ctx.closed && (await indexBatch()));
    } catch (error) {
      if (!ctx.closed) ctx.log.warn("full-text indexing failed; searches read unindexed mail", { error });
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
    /** Called after every commit (and once at start, for what an earlier run left pending). */
    schedule,
    /** Indexes everything pending now (tests, the benchmark). */
    catchUp,
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
    matchText,
    async searchText(scope: FullTextScope, field: FullTextField, needle: string): Promise<number[] | null> {
      const m = await matchText(scope, field, needle);
      return m && sortedUnique([m.sure, m.maybe]);
    },
  };
}
