// Flag updates (RFC 7162 CONDSTORE) and EXPUNGE on PostgreSQL (issue 17), as the SQLite store
// does them (src/store/sqlite/messages.ts): every changed message takes the next mod-sequence of
// its mailbox, one per message in UID order, so a client can tell any two changes apart; expunged
// UIDs are kept in `expunged` with theirs (QRESYNC VANISHED (EARLIER)).
//
// Several nodes write one mailbox: each write holds the mailbox row's lock (FOR NO KEY UPDATE, the
// lock order of schema-mail.ts) while it hands out mod-sequences, so they are above every committed
// one and no two writers share one. Every write that changes a mailbox's messages (file, flags,
// expunge, COPY/MOVE, RENAME INBOX, account removal) moves its highest_modseq under that lock: so
// "highest_modseq unchanged" means "no message of it changed". The rows' changes go in one
// statement over arrays (unnest), not one round trip per message: STORE 1:* is one UPDATE.
//
// Round trips (an IMAP STORE or EXPUNGE is one call; each round trip costs CPU on both sides,
// docs/ARCHITECTURE.md, PostgreSQL store): setFlags reads the rows and the mailbox's
// highest_modseq in one autocommit statement, works out the new flags here (the shared rules of
// flag-update.ts) and writes them in one more, which applies only if highest_modseq is still the
// one read (compare and set under the row's lock: UPDATE re-reads a row changed by a committed
// writer, EvalPlanQual). Two round trips where a transaction took five, and a STORE that changes
// nothing writes nothing (no lock, no commit to flush). A lost race reads again; after a few, the
// locking transaction (lockedSetFlags) decides. expunge is one statement.
import { StoreError } from "../errors.js";
import {
  type CheckedFlagUpdate,
  checkFlagUpdate,
  checkUids,
  flagsEvent,
  nextFlags,
} from "../shared/flag-update.js";
import { flagList } from "../shared/flags.js";
import type { FlagUpdate, FlagUpdateResult } from "../types.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";

/** Valid UIDs, distinct and ascending; StoreError("invalid") for anything else. */
export interface LockedMailbox {
  id: number;
  account_id: number;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
}

/** Locks these mailboxes' rows in ascending id order (schema-mail.ts), so two writers taking two
 *  mailboxes in opposite roles (MOVE a→b and b→a) wait instead of deadlocking. StoreError
 *  ("not-found") if one does not exist. */
export async function lockMailboxes(t: Tx, ids: number[]): Promise<Map<number, LockedMailbox>> {
  const want = [...new Set(ids)].sort((a, b) => a - b);
  for (const id of want) {
    if (!Number.isSafeInteger(id) || id <= 0) throw new StoreError("not-found", `no mailbox ${id}`);
  }
  const rows = await t.rows<LockedMailbox>(
    `SELECT id, account_id, uid_validity, uid_next, highest_modseq FROM mailboxes
     WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE`,
    [want],
  );
  const out = new Map(rows.map((r) => [r.id, r]));
  for (const id of want) if (!out.has(id)) throw new StoreError("not-found", `no mailbox ${id}`);
  return out;
}

interface FlagRow {
  id: number;
  uid: number;
  modseq: number;
  sys_flags: number;
  keywords: string;
}

/** What a setFlags call writes: each changed message's new flags and mod-sequence (from `base` + 1
 *  in UID order), and what it answers. */
interface FlagPlan {
  result: FlagUpdateResult;
  keywordsAdded: Set<string>;
  ids: number[];
  bits: number[];
  kws: string[];
  modseqs: number[];
  /** The mailbox's highest_modseq after the write. */
  modseq: number;
}

function planFlags(rows: FlagRow[], u: CheckedFlagUpdate, base: number): FlagPlan {
  const p: FlagPlan = {
    result: { updated: [], failedUnchangedSince: [] },
    keywordsAdded: new Set<string>(),
    ids: [],
    bits: [],
    kws: [],
    modseqs: [],
    modseq: base,
  };
  for (const m of rows) {
    const next = nextFlags(m, u, p.keywordsAdded);
    if (next === "conflict") {
      p.result.failedUnchangedSince.push(m.uid);
      continue;
    }
    if (next === null) continue;
    p.modseq++;
    p.ids.push(m.id);
    p.bits.push(next.bits);
    p.kws.push(next.keywords);
    p.modseqs.push(p.modseq);
    p.result.updated.push({
      uid: m.uid,
      flags: flagList(next.bits, next.keywords),
      modseq: p.modseq,
      messageId: m.id,
    });
  }
  return p;
}

/** Reads the rows with the mailbox's state (and no lock) before a compare-and-set write. One UID
 *  (STORE n, the common case) has its own text: with an array parameter PostgreSQL plans the
 *  statement again at every call (a custom plan for a one-element array always looks cheaper than
 *  the generic one), 0.16 ms of its CPU each (pg_stat_statements: plans = calls). */
const readForUpdate = (many: boolean) =>
  `SELECT b.account_id, b.highest_modseq, m.id, m.uid, m.modseq, m.sys_flags, m.keywords
   FROM mailboxes b LEFT JOIN messages m ON m.mailbox_id = b.id AND ${many ? "m.uid = ANY($2::bigint[])" : "m.uid = $2"}
   WHERE b.id = $1 ORDER BY m.uid`;
const READ_ONE = readForUpdate(false);
const READ_MANY = readForUpdate(true);

/** The write of a plan read without a lock: applied only if the mailbox's highest_modseq is still
 *  $7 when its row is locked (the UPDATE of `b` waits for a writer holding it, then re-checks the
 *  newest row). The messages' UPDATE joins `b`, so it changes nothing when `b` did not; it also
 *  keeps to the mailbox (a message moved away meanwhile would have moved highest_modseq anyway). */
const WRITE_IF_UNCHANGED = `WITH b AS (
    UPDATE mailboxes SET highest_modseq = $5 WHERE id = $6 AND highest_modseq = $7 RETURNING id),
  u AS (
    UPDATE messages m SET sys_flags = v.bits, keywords = v.kw, modseq = v.ms
    FROM unnest($1::bigint[], $2::int[], $3::text[], $4::bigint[]) AS v(id, bits, kw, ms), b
    WHERE m.id = v.id AND m.mailbox_id = b.id)
  SELECT count(*)::int AS n FROM b`;
/** WRITE_IF_UNCHANGED for one message (STORE n), with scalar parameters: the array form was planned
 *  again at every call, as READ_MANY was (pg_stat_statements under bench:imap's mixed load: plans
 *  = calls, 0.23 ms of PostgreSQL's CPU per STORE). */
const WRITE_ONE_IF_UNCHANGED = `WITH b AS (
    UPDATE mailboxes SET highest_modseq = $5 WHERE id = $6 AND highest_modseq = $7 RETURNING id),
  u AS (
    UPDATE messages m SET sys_flags = $2::int, keywords = $3::text, modseq = $4::bigint FROM b
    WHERE m.id = $1::bigint AND m.mailbox_id = b.id)
  SELECT count(*)::int AS n FROM b`;

/** Compare-and-set attempts before the locking transaction decides (each lost one means another
 *  writer changed the mailbox between the read and the write). */
const OPTIMISTIC_ATTEMPTS = 3;

export function createFlagOps(ctx: PgCtx) {
  const db = ctx.db;

  /** setFlags in one transaction that holds the mailbox row's lock throughout. */
  const lockedSetFlags = (mailboxId: number, u: CheckedFlagUpdate): Promise<FlagUpdateResult> =>
    ctx.write(async (t) => {
      const box = (await lockMailboxes(t, [mailboxId])).get(mailboxId)!;
      if (u.uids.length === 0) return { value: { updated: [], failedUnchangedSince: [] } };
      const found = await t.rows<FlagRow>(
        `SELECT id, uid, modseq, sys_flags, keywords FROM messages
         WHERE mailbox_id = $1 AND uid = ANY($2::bigint[]) ORDER BY uid`,
        [box.id, u.uids],
      );
      const p = planFlags(found, u, box.highest_modseq);
      if (p.ids.length === 0) return { value: p.result };
      // The mailbox's highest_modseq moves in the same statement (one round trip; its row is
      // locked above).
      await t.run(
        `WITH b AS (UPDATE mailboxes SET highest_modseq = $5 WHERE id = $6)
         UPDATE messages m SET sys_flags = v.bits, keywords = v.kw, modseq = v.ms
         FROM unnest($1::bigint[], $2::int[], $3::text[], $4::bigint[]) AS v(id, bits, kw, ms)
         WHERE m.id = v.id`,
        [p.ids, p.bits, p.kws, p.modseqs, p.modseq, box.id],
      );
      const changed = p.result.updated.map((c) => c.uid);
      return { value: p.result, events: [flagsEvent(box, changed, p.modseq, p.keywordsAdded)] };
    });

  return {
    async setFlags(mailboxId: number, uids: number[], update: FlagUpdate): Promise<FlagUpdateResult> {
      const u = checkFlagUpdate(uids, update);
      ctx.assertOpen();
      if (!Number.isSafeInteger(mailboxId) || mailboxId <= 0)
        throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
        const one = u.uids.length === 1;
        const rows = await db.rows<FlagRow & { account_id: number; highest_modseq: number }>(
          one ? READ_ONE : READ_MANY,
          [mailboxId, one ? u.uids[0] : u.uids],
        );
        const first = rows[0];
        if (!first) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
        const box = { id: mailboxId, account_id: first.account_id };
        const p = planFlags(
          rows.filter((r) => r.id !== null),
          u,
          first.highest_modseq,
        );
        // Nothing to change: the answer is that of the state read (one committed state).
        if (p.ids.length === 0) return p.result;
        const single = p.ids.length === 1;
        const w = await db.one<{ n: number }>(single ? WRITE_ONE_IF_UNCHANGED : WRITE_IF_UNCHANGED, [
          single ? p.ids[0] : p.ids,
          single ? p.bits[0] : p.bits,
          single ? p.kws[0] : p.kws,
          single ? p.modseqs[0] : p.modseqs,
          p.modseq,
          mailboxId,
          first.highest_modseq,
        ]);
        if (w?.n !== 1) continue; // another writer came between: read again
        const changed = p.result.updated.map((c) => c.uid);
        ctx.notifier.publish(flagsEvent(box, changed, p.modseq, p.keywordsAdded));
        ctx.onCommit?.();
        return p.result;
      }
      return lockedSetFlags(mailboxId, u);
    },

    async expunge(mailboxId: number, uids: number[]): Promise<number[]> {
      const list = checkUids(uids);
      ctx.assertOpen();
      if (!Number.isSafeInteger(mailboxId) || mailboxId <= 0)
        throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      // One autocommit statement (one round trip where a transaction took five). The mailbox row
      // is locked (b) before any message row: every row DELETE emits joins b's. Its
      // highest_modseq is the newest (a locked row is read as committed, not as of the
      // statement's start), so the expunged UIDs take the next mod-sequences in UID order; a
      // message changed meanwhile is re-read by the DELETE (EvalPlanQual): one moved away is left
      // alone, one already expunged is not counted twice. The triggers (schema-mail.ts) release
      // each row's body, quota and thread; the mailbox's UPDATE (u) logs it as changed.
      // One UID (the common EXPUNGE) has a scalar parameter: the array form was planned again at
      // nearly every call (pg_stat_statements: 0.2 ms of PostgreSQL's CPU each).
      const single = list.length === 1;
      const rows = await db.rows<{ account_id: number; uid: number | null; modseq: number | null }>(
        `WITH b AS (SELECT id, account_id, highest_modseq FROM mailboxes WHERE id = $1 FOR NO KEY UPDATE),
         g AS (DELETE FROM messages m USING b
               WHERE m.mailbox_id = b.id AND ${single ? "m.uid = $2::bigint" : "m.uid = ANY($2::bigint[])"}
               RETURNING m.id, m.uid),
         o AS (SELECT g.id, g.uid, b.highest_modseq + row_number() OVER (ORDER BY g.uid) AS ms FROM g, b),
         e AS (INSERT INTO expunged (mailbox_id, uid, modseq, message_id) SELECT $1, o.uid, o.ms, o.id FROM o),
         u AS (UPDATE mailboxes x SET highest_modseq = s.ms
               FROM (SELECT max(o.ms) AS ms FROM o) s WHERE x.id = $1 AND s.ms IS NOT NULL)
         SELECT b.account_id, o.uid, o.ms AS modseq FROM b LEFT JOIN o ON true ORDER BY o.uid`,
        [mailboxId, single ? list[0] : list],
      );
      const first = rows[0];
      if (!first) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      const removed: number[] = [];
      let modseq = 0;
      for (const r of rows) {
        if (r.uid === null || r.modseq === null) continue;
        removed.push(r.uid);
        modseq = Math.max(modseq, r.modseq);
      }
      if (removed.length === 0) return [];
      ctx.notifier.publish({
        kind: "expunged",
        accountId: first.account_id,
        mailboxId,
        uids: removed,
        modseq,
      });
      ctx.onCommit?.();
      return removed;
    },
  };
}
