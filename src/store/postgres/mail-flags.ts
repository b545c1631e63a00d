// Flag updates (RFC 7162 CONDSTORE) and EXPUNGE on PostgreSQL (issue 17), as the SQLite store
// does them (src/store/sqlite/messages.ts): every changed message takes the next mod-sequence of
// its mailbox, one per message in UID order, so a client can tell any two changes apart; expunged
// UIDs are kept in `expunged` with theirs (QRESYNC VANISHED (EARLIER)).
//
// Several nodes write one mailbox: each write locks the mailbox row first (FOR NO KEY UPDATE,
// the lock order of schema-mail.ts), so the mod-sequences it hands out are above every committed
// one and no two writers share one. Under READ COMMITTED each later statement sees what the
// previous lock holder committed. The rows' changes go in one statement over arrays (unnest), not
// one round trip per message: STORE 1:* on a large mailbox is one UPDATE.
import { StoreError } from "../errors.js";
import { checkFlagUpdate, checkUids, flagsEvent, nextFlags } from "../shared/flag-update.js";
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

export function createFlagOps(ctx: PgCtx) {
  return {
    async setFlags(mailboxId: number, uids: number[], update: FlagUpdate): Promise<FlagUpdateResult> {
      const u = checkFlagUpdate(uids, update);
      return ctx.write(async (t) => {
        const box = (await lockMailboxes(t, [mailboxId])).get(mailboxId)!;
        const result: FlagUpdateResult = { updated: [], failedUnchangedSince: [] };
        if (u.uids.length === 0) return { value: result };
        const found = await t.rows<FlagRow>(
          `SELECT id, uid, modseq, sys_flags, keywords FROM messages
           WHERE mailbox_id = $1 AND uid = ANY($2::bigint[]) ORDER BY uid`,
          [box.id, u.uids],
        );
        let modseq = box.highest_modseq;
        const keywordsAdded = new Set<string>();
        const ids: number[] = [];
        const bits: number[] = [];
        const kws: string[] = [];
        const modseqs: number[] = [];
        for (const m of found) {
          const next = nextFlags(m, u, keywordsAdded);
          if (next === "conflict") {
            result.failedUnchangedSince.push(m.uid);
            continue;
          }
          if (next === null) continue;
          modseq++;
          ids.push(m.id);
          bits.push(next.bits);
          kws.push(next.keywords);
          modseqs.push(modseq);
          result.updated.push({
            uid: m.uid,
            flags: flagList(next.bits, next.keywords),
            modseq,
            messageId: m.id,
          });
        }
        if (ids.length === 0) return { value: result };
        // The mailbox's highest_modseq moves in the same statement (one round trip; its row is
        // locked above).
        await t.run(
          `WITH b AS (UPDATE mailboxes SET highest_modseq = $5 WHERE id = $6)
           UPDATE messages m SET sys_flags = v.bits, keywords = v.kw, modseq = v.ms
           FROM unnest($1::bigint[], $2::int[], $3::text[], $4::bigint[]) AS v(id, bits, kw, ms)
           WHERE m.id = v.id`,
          [ids, bits, kws, modseqs, modseq, box.id],
        );
        const changed = result.updated.map((c) => c.uid);
        return { value: result, events: [flagsEvent(box, changed, modseq, keywordsAdded)] };
      });
    },

    async expunge(mailboxId: number, uids: number[]): Promise<number[]> {
      const list = checkUids(uids);
      return ctx.write(async (t) => {
        const box = (await lockMailboxes(t, [mailboxId])).get(mailboxId)!;
        if (list.length === 0) return { value: [] };
        // The triggers (schema-mail.ts) release each row's body, quota and thread.
        const gone = await t.rows<{ id: number; uid: number }>(
          "DELETE FROM messages WHERE mailbox_id = $1 AND uid = ANY($2::bigint[]) RETURNING id, uid",
          [box.id, list],
        );
        if (gone.length === 0) return { value: [] };
        gone.sort((a, b) => a.uid - b.uid);
        const first = box.highest_modseq + 1;
        const modseq = box.highest_modseq + gone.length;
        // The mailbox's highest_modseq moves in the same statement (one round trip).
        await t.run(
          `WITH b AS (UPDATE mailboxes SET highest_modseq = $5 WHERE id = $1)
           INSERT INTO expunged (mailbox_id, uid, modseq, message_id)
           SELECT $1, v.uid, $2::bigint + v.ord - 1, v.id
           FROM unnest($3::bigint[], $4::bigint[]) WITH ORDINALITY AS v(uid, id, ord)`,
          [box.id, first, gone.map((g) => g.uid), gone.map((g) => g.id), modseq],
        );
        const removed = gone.map((g) => g.uid);
        return {
          value: removed,
          events: [{ kind: "expunged", accountId: box.account_id, mailboxId: box.id, uids: removed, modseq }],
        };
      });
    },
  };
}
