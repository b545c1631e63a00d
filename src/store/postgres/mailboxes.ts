// Mailboxes on PostgreSQL (issue 17), with the SQLite store's behaviour
// (src/store/sqlite/mailboxes.ts): "/" as hierarchy delimiter, INBOX matched case-insensitively
// (RFC 3501 5.1), missing parents created by CREATE and RENAME (RFC 3501 6.3.3, 6.3.5), renaming a
// mailbox renames its children, renaming INBOX moves its messages into a new mailbox and leaves
// INBOX empty in place, subscriptions to deleted names kept (RFC 9051 6.3.7), \Recent claims
// (RFC 3501 2.3.2) through mailboxes.first_recent_uid.
// Every writer locks the rows of the mailboxes it changes first (FOR NO KEY UPDATE: it leaves
// the foreign-key checks of concurrent inserts free), the lock order of schema-mail.ts.
import { StoreError } from "../errors.js";
import type { MailEvent } from "../notifier.js";
import { SEEN_BIT } from "../shared/flags.js";
import { normalizeMailboxName } from "../shared/mailbox-name.js";
import {
  isSpecialUse,
  type Mailbox,
  type MailboxCounts,
  type MailStore,
  type RecentClaim,
  type SpecialUse,
} from "../types.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";
import { MAILBOX_COLUMNS, type MailboxRow, toMailbox } from "./rows.js";
import { existsOnConflict } from "./unique.js";

/**
 * RFC 3501 2.3.1.1: a new UIDVALIDITY, seconds since the epoch but strictly increasing within the
 * store, whichever node asks (the meta row is locked until the transaction ends).
 */
export async function nextUidValidity(t: Tx): Promise<number> {
  const r = await t.one<{ value: number }>(
    "UPDATE meta SET value = GREATEST($1::bigint, value + 1) WHERE key = 'uid_validity' RETURNING value",
    [Math.floor(Date.now() / 1000)],
  );
  if (!r) throw new StoreError("invalid", "the store's meta table lacks uid_validity");
  return r.value;
}

/** Compare-and-set claims of \Recent before claimRecent takes the row's lock. */
const CLAIM_ATTEMPTS = 3;

const SELECT_MAILBOX = `SELECT ${MAILBOX_COLUMNS} FROM mailboxes`;

/** The mailbox row, locked until the transaction ends; StoreError "not-found" if none. */
export async function lockMailbox(t: Tx, id: number): Promise<MailboxRow> {
  const r = await t.one<MailboxRow>(`${SELECT_MAILBOX} WHERE id = $1 FOR NO KEY UPDATE`, [id]);
  if (!r) throw new StoreError("not-found", `no mailbox ${id}`);
  return r;
}

/** StoreError "not-found" unless the mailbox exists. */
export async function mustMailboxExist(q: Pick<Tx, "one">, id: number): Promise<void> {
  if (!Number.isSafeInteger(id) || !(await q.one("SELECT 1 FROM mailboxes WHERE id = $1", [id])))
    throw new StoreError("not-found", `no mailbox ${id}`);
}

type MailboxMethods = Pick<
  MailStore,
  | "listMailboxes"
  | "getMailbox"
  | "getMailboxById"
  | "createMailbox"
  | "renameMailbox"
  | "deleteMailbox"
  | "setSubscribed"
  | "listDanglingSubscriptions"
  | "unsubscribeDangling"
  | "mailboxCounts"
  | "claimRecent"
>;

export function createMailboxOps(ctx: PgCtx): MailboxMethods {
  const db = ctx.db;
  const read = () => {
    ctx.assertOpen();
    return db;
  };
  const norm = (name: string) => normalizeMailboxName(name, ctx.limits.mailboxNameMaxBytes);

  /** Removes the name's dangling subscription; true if there was one. */
  const takeDangling = async (t: Tx, accountId: number, name: string): Promise<boolean> =>
    (await t.run("DELETE FROM dangling_subscriptions WHERE account_id = $1 AND name = $2", [
      accountId,
      name,
    ])) > 0;

  const byName = (t: Tx, accountId: number, name: string) =>
    t.one<MailboxRow>(`${SELECT_MAILBOX} WHERE account_id = $1 AND name = $2`, [accountId, name]);

  /** Inserts one mailbox (a dangling subscription to its name becomes its own); its id, or null
   *  if `ifAbsent` and another writer has just created it. */
  const insert = async (
    t: Tx,
    o: { accountId: number; name: string; specialUse: SpecialUse | null; subscribed: boolean; now: number },
    ifAbsent = false,
  ): Promise<number | null> => {
    const sub = (await takeDangling(t, o.accountId, o.name)) || o.subscribed;
    const r = await existsOnConflict(
      t.one<{ id: number }>(
        `INSERT INTO mailboxes (account_id, name, uid_validity, special_use, subscribed, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)${ifAbsent ? " ON CONFLICT (account_id, name) DO NOTHING" : ""} RETURNING id`,
        [o.accountId, o.name, await nextUidValidity(t), o.specialUse, sub, o.now],
      ),
      `mailbox ${o.name} exists`,
    );
    return r?.id ?? null;
  };

  /** Creates the missing parents of `name` (RFC 3501 6.3.3), pushing their events. */
  const createParents = async (
    t: Tx,
    accountId: number,
    name: string,
    subscribed: boolean,
    events: MailEvent[],
  ): Promise<void> => {
    const segs = name.split("/");
    const now = Date.now();
    for (let i = 1; i < segs.length; i++) {
      const parent = segs.slice(0, i).join("/");
      if (await byName(t, accountId, parent)) continue;
      const id = await insert(t, { accountId, name: parent, specialUse: null, subscribed, now }, true);
      if (id !== null) events.push({ kind: "mailbox-created", accountId, mailboxId: id, name: parent });
    }
  };

  const createWithParents = async (
    t: Tx,
    accountId: number,
    name: string,
    opts: { specialUse: SpecialUse | null; subscribed: boolean },
    events: MailEvent[],
  ): Promise<MailboxRow> => {
    await createParents(t, accountId, name, opts.subscribed, events);
    const id = (await insert(t, { accountId, name, ...opts, now: Date.now() }))!;
    events.push({ kind: "mailbox-created", accountId, mailboxId: id, name });
    return (await t.one<MailboxRow>(`${SELECT_MAILBOX} WHERE id = $1`, [id]))!;
  };

  const setSubscribedRow = (t: Tx, id: number, subscribed: boolean) =>
    t.run("UPDATE mailboxes SET subscribed = $1 WHERE id = $2", [subscribed, id]);

  /** RFC 3501 6.3.5: INBOX's messages move to a new mailbox; INBOX stays, empty, with its
   *  UIDVALIDITY and UID counter, and its children are not renamed. */
  const renameInbox = async (t: Tx, box: MailboxRow, n: string): Promise<WriteResult> => {
    const acc = box.account_id;
    const events: MailEvent[] = [];
    const created = await createWithParents(t, acc, n, { specialUse: null, subscribed: true }, events);
    const moved = await t.rows<{ uid: number; id: number }>(
      "SELECT uid, id FROM messages WHERE mailbox_id = $1 ORDER BY uid",
      [box.id],
    );
    let modseq = box.highest_modseq;
    if (moved.length > 0) {
      // One modseq per expunged UID, as the SQLite store: highest_modseq + 1 … + n in UID order.
      await t.run(
        `INSERT INTO expunged (mailbox_id, uid, modseq, message_id)
         SELECT $1, m.uid, $2 + row_number() OVER (ORDER BY m.uid), m.id FROM messages m WHERE m.mailbox_id = $1`,
        [box.id, modseq],
      );
      modseq += moved.length;
      await t.run("UPDATE messages SET mailbox_id = $1 WHERE mailbox_id = $2", [created.id, box.id]);
    }
    // The new mailbox keeps the messages' UIDs and mod-sequences (so its counters start where
    // INBOX's are); its fresh UIDVALIDITY tells clients it is a new mailbox.
    const setCounters = "UPDATE mailboxes SET uid_next = $1, highest_modseq = $2 WHERE id = $3";
    await t.run(setCounters, [box.uid_next, box.highest_modseq, created.id]);
    await t.run(setCounters, [box.uid_next, modseq, box.id]);
    if (moved.length > 0) {
      const uids = moved.map((m) => m.uid);
      events.push({ kind: "expunged", accountId: acc, mailboxId: box.id, uids, modseq });
      events.push({
        kind: "added",
        accountId: acc,
        mailboxId: created.id,
        uids,
        modseq: box.highest_modseq,
        cause: "move",
        fromMailboxId: box.id,
      });
    }
    const row = (await t.one<MailboxRow>(`${SELECT_MAILBOX} WHERE id = $1`, [created.id]))!;
    return { value: toMailbox(row), events };
  };

  return {
    async listMailboxes(accountId: number): Promise<Mailbox[]> {
      const rows = await read().rows<MailboxRow>(`${SELECT_MAILBOX} WHERE account_id = $1 ORDER BY name`, [
        accountId,
      ]);
      return rows.map(toMailbox);
    },
    async getMailbox(accountId: number, name: string): Promise<Mailbox | null> {
      let n: string;
      try {
        n = norm(name);
      } catch {
        return null;
      }
      const r = await read().one<MailboxRow>(`${SELECT_MAILBOX} WHERE account_id = $1 AND name = $2`, [
        accountId,
        n,
      ]);
      return r ? toMailbox(r) : null;
    },
    async getMailboxById(id: number): Promise<Mailbox | null> {
      if (!Number.isSafeInteger(id)) return null;
      const r = await read().one<MailboxRow>(`${SELECT_MAILBOX} WHERE id = $1`, [id]);
      return r ? toMailbox(r) : null;
    },
    async createMailbox(accountId, name, opts) {
      const n = norm(name);
      const use = opts?.specialUse ?? null;
      if (use !== null && !isSpecialUse(use)) throw new StoreError("invalid", `unknown special use ${use}`);
      return ctx.write(async (t) => {
        if (!(await t.one("SELECT 1 FROM accounts WHERE id = $1", [accountId])))
          throw new StoreError("not-found", `no account ${accountId}`);
        if (await byName(t, accountId, n)) throw new StoreError("exists", `mailbox ${n} exists`);
        const events: MailEvent[] = [];
        const row = await createWithParents(
          t,
          accountId,
          n,
          { specialUse: use, subscribed: opts?.subscribed ?? true },
          events,
        );
        return { value: toMailbox(row), events };
      });
    },
    async renameMailbox(mailboxId: number, newName: string): Promise<Mailbox> {
      const n = norm(newName);
      return ctx.write(async (t) => {
        const box = await lockMailbox(t, mailboxId);
        const acc = box.account_id;
        if (await byName(t, acc, n)) throw new StoreError("exists", `mailbox ${n} exists`);
        if (box.name === "INBOX") return renameInbox(t, box, n);
        if (n === box.name || n.startsWith(`${box.name}/`)) {
          throw new StoreError("invalid", `cannot rename ${box.name} into itself`);
        }
        const kids = await t.rows<MailboxRow>(
          `${SELECT_MAILBOX} WHERE account_id = $1 AND left(name, length($2) + 1) = $2 || '/'
           ORDER BY id FOR NO KEY UPDATE`,
          [acc, box.name],
        );
        const events: MailEvent[] = [];
        // Parents of the new name first; the mailbox itself then takes the name.
        await createParents(t, acc, n, true, events);
        const rename = async (id: number, to: string) => {
          await existsOnConflict(
            t.run("UPDATE mailboxes SET name = $1 WHERE id = $2", [to, id]),
            `mailbox ${to} exists`,
          );
          if (await takeDangling(t, acc, to)) await setSubscribedRow(t, id, true);
          events.push({ kind: "mailbox-renamed", accountId: acc, mailboxId: id, name: to });
        };
        await rename(box.id, n);
        for (const k of kids) {
          const kn = n + k.name.slice(box.name.length);
          if (await byName(t, acc, kn)) throw new StoreError("exists", `mailbox ${kn} exists`);
          await rename(k.id, kn);
        }
        const row = (await t.one<MailboxRow>(`${SELECT_MAILBOX} WHERE id = $1`, [box.id]))!;
        return { value: toMailbox(row), events };
      });
    },
    async deleteMailbox(mailboxId: number): Promise<void> {
      await ctx.write(async (t) => {
        const box = await lockMailbox(t, mailboxId);
        if (box.name === "INBOX") throw new StoreError("invalid", "INBOX cannot be deleted");
        // Messages first, so the triggers release their blobs and the account's quota usage.
        await t.run("DELETE FROM messages WHERE mailbox_id = $1", [box.id]);
        await t.run("DELETE FROM mailboxes WHERE id = $1", [box.id]);
        if (box.subscribed)
          await t.run(
            "INSERT INTO dangling_subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            [box.account_id, box.name],
          );
        return {
          value: undefined,
          events: [{ kind: "mailbox-deleted", accountId: box.account_id, mailboxId: box.id, name: box.name }],
        };
      });
    },
    async listDanglingSubscriptions(accountId: number): Promise<string[]> {
      const rows = await read().rows<{ name: string }>(
        "SELECT name FROM dangling_subscriptions WHERE account_id = $1 ORDER BY name",
        [accountId],
      );
      return rows.map((r) => r.name);
    },
    async unsubscribeDangling(accountId: number, name: string): Promise<boolean> {
      let n: string;
      try {
        n = norm(name);
      } catch {
        return false;
      }
      return ctx.write(async (t) => ({ value: await takeDangling(t, accountId, n) }));
    },
    async setSubscribed(mailboxId: number, subscribed: boolean): Promise<void> {
      await ctx.write(async (t) => {
        if ((await setSubscribedRow(t, mailboxId, subscribed)) === 0)
          throw new StoreError("not-found", `no mailbox ${mailboxId}`);
        return { value: undefined };
      });
    },
    async mailboxCounts(mailboxId: number): Promise<MailboxCounts> {
      // recent: not yet claimed by any session (claimRecent).
      const r = await read().one<MailboxCounts>(
        `SELECT c.messages, c.unseen, c.recent, c.size FROM mailboxes b, LATERAL (
           SELECT count(*) AS messages,
                  count(*) FILTER (WHERE (m.sys_flags & ${SEEN_BIT}) = 0) AS unseen,
                  count(*) FILTER (WHERE m.uid >= b.first_recent_uid) AS recent,
                  coalesce(sum(m.size), 0) AS size
           FROM messages m WHERE m.mailbox_id = b.id) c
         WHERE b.id = $1`,
        [mailboxId],
      );
      if (!r) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      return r;
    },
    async claimRecent(mailboxId: number, opts: { peek?: boolean } = {}): Promise<RecentClaim> {
      if (opts.peek) {
        const r = await read().one<{ first_recent_uid: number; uid_next: number }>(
          "SELECT first_recent_uid, uid_next FROM mailboxes WHERE id = $1",
          [mailboxId],
        );
        if (!r) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
        return { from: r.first_recent_uid, to: r.uid_next - 1 };
      }
      ctx.assertOpen();
      if (!Number.isSafeInteger(mailboxId)) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      // One autocommit statement (a claim follows nearly every SELECT, and every new message a
      // session is told of): read the row, and when there is something to claim, move
      // first_recent_uid past it only if no other session moved it since the read (compare and
      // set: the UPDATE waits for a writer holding the row, then re-checks its newest version).
      // Two sessions, on any nodes, so claim disjoint ranges. Nothing new: no lock and no write,
      // so no commit to flush to disk (the locking transaction this replaces flushed one at
      // every SELECT). A claim lost to another session reads again. No events, and no full-text
      // work to wake (ctx.write would).
      for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
        const r = await db.one<{ first_recent_uid: number; uid_next: number; claimed: boolean }>(
          `WITH c AS (SELECT first_recent_uid, uid_next FROM mailboxes WHERE id = $1),
           u AS (UPDATE mailboxes m SET first_recent_uid = c.uid_next FROM c
                 WHERE m.id = $1 AND c.first_recent_uid < c.uid_next
                   AND m.first_recent_uid = c.first_recent_uid
                 RETURNING m.id)
           SELECT c.first_recent_uid, c.uid_next, EXISTS (SELECT 1 FROM u) AS claimed FROM c`,
          [mailboxId],
        );
        if (!r) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
        if (r.claimed || r.first_recent_uid >= r.uid_next)
          return { from: r.first_recent_uid, to: r.uid_next - 1 };
      }
      // Lost every time (sessions claiming this mailbox without pause): take the row's lock.
      return db.tx(async (t) => {
        const r = await t.one<{ first_recent_uid: number; uid_next: number }>(
          "SELECT first_recent_uid, uid_next FROM mailboxes WHERE id = $1 FOR NO KEY UPDATE",
          [mailboxId],
        );
        if (!r) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
        const range = { from: r.first_recent_uid, to: r.uid_next - 1 };
        if (range.from <= range.to)
          await t.run("UPDATE mailboxes SET first_recent_uid = $1 WHERE id = $2", [r.uid_next, mailboxId]);
        return range;
      });
    },
  };
}

interface WriteResult {
  value: Mailbox;
  events: MailEvent[];
}
