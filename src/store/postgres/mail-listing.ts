// Reads of what changed and ordered listings on PostgreSQL (issue 17), as the SQLite store has them
// (src/store/sqlite/messages.ts changesSince, changes.ts, listing.ts):
//  - changesSince: a mailbox's messages and expunges above a mod-sequence (RFC 7162 QRESYNC,
//    JMAP Email/changes by mailbox), from messages_modseq and expunged_modseq;
//  - threadMessages / listAccountMessages: an account's messages by thread, or all of them;
//  - JMAP Email/query with inMailbox sorted by receivedAt (paged), positions and counts, and
//    Mailbox totalThreads / unreadThreads, from messages_mailbox_date (mailbox_id, internal_date,
//    id, thread_id) and messages_mailbox_thread (mailbox_id, thread_id, sys_flags) (schema-mail.ts).
// A collapsed listing keeps the first message of each thread in the order asked for: DISTINCT ON
// (thread_id) picks it, then the page is cut from those, in one statement (the SQLite store walks
// the order in-process instead; here a walk would be a round trip per batch).
// Reads need no lock: each statement sees one committed state (READ COMMITTED).
import { StoreError } from "../errors.js";
import { checkCount } from "../shared/checks.js";
import { SEEN_BIT } from "../shared/flags.js";
import type { MailboxOrder, MailboxThreadCounts, MessageChange, MessageMeta } from "../types.js";
import type { PgCtx } from "./context.js";
import { MESSAGE_SELECT, type MessageMetaRow, toMeta } from "./rows.js";

/** ORDER BY of a mailbox listing (ties on the date broken by id in the same direction). */
const orderBy = (ascending: boolean, alias = "") => {
  const dir = ascending ? "ASC" : "DESC";
  return `${alias}internal_date ${dir}, ${alias}id ${dir}`;
};

/** The first message of each thread of a mailbox in that order ($1 = mailbox id). */
const firstOfThreads = (ascending: boolean) =>
  `SELECT DISTINCT ON (thread_id) id, internal_date FROM messages WHERE mailbox_id = $1
   ORDER BY thread_id, ${orderBy(ascending)}`;

export function createListingOps(ctx: PgCtx) {
  const db = ctx.db;

  const mustMailbox = async (id: number): Promise<void> => {
    ctx.assertOpen();
    if (!Number.isSafeInteger(id) || id <= 0) throw new StoreError("not-found", `no mailbox ${id}`);
    if (!(await db.one("SELECT 1 FROM mailboxes WHERE id = $1", [id]))) {
      throw new StoreError("not-found", `no mailbox ${id}`);
    }
  };

  return {
    async changesSince(mailboxId: number, since: number): Promise<MessageChange[]> {
      ctx.assertOpen();
      if (!Number.isSafeInteger(mailboxId) || mailboxId <= 0)
        throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      if (!Number.isSafeInteger(since)) throw new StoreError("invalid", `invalid mod-sequence ${since}`);
      // One statement, so all parts are of the same committed state; its last part is a row
      // (created = -2) only when the mailbox does not exist, so an IMAP session's poll is one
      // round trip, not two.
      const rows = await db.rows<{ uid: number; modseq: number; id: number; created: number }>(
        `SELECT uid, modseq, id, created_modseq AS created FROM messages WHERE mailbox_id = $1 AND modseq > $2
         UNION ALL
         SELECT uid, modseq, message_id AS id, -1 AS created FROM expunged WHERE mailbox_id = $1 AND modseq > $2
         UNION ALL
         SELECT 0, 0, 0, -2 WHERE NOT EXISTS (SELECT 1 FROM mailboxes WHERE id = $1)
         ORDER BY modseq, uid`,
        [mailboxId, since],
      );
      if (rows[0]?.created === -2) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      return rows.map((r) => ({
        kind: r.created === -1 ? "expunged" : r.created > since ? "added" : "flags",
        uid: r.uid,
        modseq: r.modseq,
        messageId: r.id,
      }));
    },

    async threadMessages(accountId: number, threadIds: number[]): Promise<MessageMeta[]> {
      for (const t of threadIds) checkCount(t, "thread id");
      ctx.assertOpen();
      const ids = [...new Set(threadIds)];
      if (ids.length === 0) return [];
      const rows = await db.rows<MessageMetaRow>(
        `${MESSAGE_SELECT} WHERE m.account_id = $1 AND m.thread_id = ANY($2::bigint[])
         ORDER BY m.internal_date, m.id`,
        [accountId, ids],
      );
      return rows.map(toMeta);
    },

    async listAccountMessages(accountId: number): Promise<MessageMeta[]> {
      ctx.assertOpen();
      const rows = await db.rows<MessageMetaRow>(
        `${MESSAGE_SELECT} WHERE m.account_id = $1 ORDER BY m.internal_date DESC, m.id DESC`,
        [accountId],
      );
      return rows.map(toMeta);
    },

    async mailboxMessageIds(
      mailboxId: number,
      o: MailboxOrder,
      range: { offset: number; limit: number },
    ): Promise<number[]> {
      checkCount(range.offset, "offset");
      checkCount(range.limit, "limit");
      await mustMailbox(mailboxId);
      if (range.limit === 0) return [];
      const sql = o.collapseThreads
        ? `SELECT id FROM (${firstOfThreads(o.ascending)}) f ORDER BY ${orderBy(o.ascending)} LIMIT $2 OFFSET $3`
        : `SELECT id FROM messages WHERE mailbox_id = $1 ORDER BY ${orderBy(o.ascending)} LIMIT $2 OFFSET $3`;
      const rows = await db.rows<{ id: number }>(sql, [mailboxId, range.limit, range.offset]);
      return rows.map((r) => r.id);
    },

    async mailboxMessagePosition(
      mailboxId: number,
      messageId: number,
      o: MailboxOrder,
    ): Promise<number | null> {
      checkCount(messageId, "message id");
      await mustMailbox(mailboxId);
      const cmp = o.ascending ? "<" : ">";
      // The messages before it in the order: (date, id) below its own ascending, above descending.
      const sql = o.collapseThreads
        ? `WITH f AS (${firstOfThreads(o.ascending)})
           SELECT (SELECT count(*) FROM f WHERE (f.internal_date, f.id) ${cmp} (t.internal_date, t.id)) AS pos
           FROM f t WHERE t.id = $2`
        : `SELECT (SELECT count(*) FROM messages o WHERE o.mailbox_id = $1
                     AND (o.internal_date, o.id) ${cmp} (t.internal_date, t.id)) AS pos
           FROM messages t WHERE t.id = $2 AND t.mailbox_id = $1`;
      const r = await db.one<{ pos: number }>(sql, [mailboxId, messageId]);
      return r ? r.pos : null;
    },

    async mailboxMessageCount(mailboxId: number, o: MailboxOrder): Promise<number> {
      await mustMailbox(mailboxId);
      const r = await db.one<{ n: number }>(
        o.collapseThreads
          ? "SELECT count(DISTINCT thread_id) AS n FROM messages WHERE mailbox_id = $1"
          : "SELECT count(*) AS n FROM messages WHERE mailbox_id = $1",
        [mailboxId],
      );
      return r?.n ?? 0;
    },

    async mailboxThreadCounts(mailboxId: number): Promise<MailboxThreadCounts> {
      await mustMailbox(mailboxId);
      // A thread is unseen when one of its messages here is: its least \Seen bit is 0.
      const r = await db.one<{ threads: number; unseen: number }>(
        `SELECT count(*) AS threads, count(*) FILTER (WHERE seen = 0) AS unseen FROM
           (SELECT min(sys_flags & $2) AS seen FROM messages WHERE mailbox_id = $1 GROUP BY thread_id) t`,
        [mailboxId, SEEN_BIT],
      );
      return { threads: r?.threads ?? 0, unseenThreads: r?.unseen ?? 0 };
    },
  };
}
