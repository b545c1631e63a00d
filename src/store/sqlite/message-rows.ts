// Filing one message row, shared by every path that adds messages (deliver/append and COPY in
// messages.ts, imports in imports.ts): the account's quota, the thread it joins, its UID and
// mod-sequence. All of it runs inside a write transaction.
import { QuotaError, StoreError } from "../errors.js";
import { joinKeywords, type StoredFlags } from "../shared/flags.js";
import type { Ctx } from "./context.js";
import type { MailboxCounters, MailboxRows } from "./mailboxes.js";

/** At most this many Message-IDs of References/In-Reply-To are looked up to find a thread. */
const THREAD_LOOKUP_MAX = 100;

export interface AccountQuotaRow {
  id: number;
  quota_bytes: number;
  quota_messages: number;
  used_bytes: number;
  used_messages: number;
}

export interface CopyInput {
  accountId: number;
  mailboxId: number;
  flags: StoredFlags;
  internalDate: number;
  size: number;
  blobId: number;
  threadId: number | null; // null: find or start one
  msgid: string | null;
  refs: string[];
  /** A UID at or above the mailbox's uidNext (an import keeping the old server's UIDs); the
   *  mailbox's uidNext becomes uid + 1. Omitted: the mailbox's uidNext. */
  uid?: number;
}

export function createMessageRows(ctx: Ctx, rows: MailboxRows) {
  const db = ctx.db;
  const s = {
    account: db.prepare<[number], AccountQuotaRow>(
      "SELECT id, quota_bytes, quota_messages, used_bytes, used_messages FROM accounts WHERE id = ?",
    ),
    insert: db.prepare<
      [
        number,
        number,
        number,
        number,
        number,
        number,
        string,
        number,
        number,
        number,
        number,
        number,
        string | null,
      ]
    >(
      `INSERT INTO messages (account_id, mailbox_id, uid, modseq, created_modseq, sys_flags, keywords,
         internal_date, saved_date, size, blob_id, thread_id, msgid)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    setThread: db.prepare<[number, number]>("UPDATE messages SET thread_id = ? WHERE id = ?"),
    threadOf: db.prepare<[number, string], { thread_id: number }>(
      "SELECT thread_id FROM messages WHERE account_id = ? AND msgid = ? LIMIT 1",
    ),
  };

  const mustAccount = (id: number): AccountQuotaRow => {
    const a = s.account.get(id);
    if (!a) throw new StoreError("not-found", `no account ${id}`);
    return a;
  };

  /** Throws QuotaError if adding `bytes`/`count` would exceed the account's quota (0 = unlimited). */
  const checkQuota = (a: AccountQuotaRow, bytes: number, count: number) => {
    if (a.quota_bytes > 0 && a.used_bytes + bytes > a.quota_bytes) {
      throw new QuotaError(a.id, `account ${a.id} is over its storage quota`);
    }
    if (a.quota_messages > 0 && a.used_messages + count > a.quota_messages) {
      throw new QuotaError(a.id, `account ${a.id} is over its message quota`);
    }
  };

  const findThread = (accountId: number, ids: (string | null)[]): number | null => {
    let n = 0;
    for (const id of ids) {
      if (id === null) continue;
      if (n++ >= THREAD_LOOKUP_MAX) break;
      const t = s.threadOf.get(accountId, id);
      if (t) return t.thread_id;
    }
    return null;
  };

  /** Files one copy: its UID and the next mod-sequence of the mailbox, thread, row. `counters`:
   *  the mailbox's row as read in this transaction and not bumped since (deliver has just read it
   *  to resolve the target: one statement fewer per copy); omitted, it is read here. */
  const insertCopy = (
    c: CopyInput,
    savedDate: number,
    counters?: MailboxCounters,
  ): { uid: number; modseq: number; id: number } => {
    const box = counters ?? rows.mustCounters(c.mailboxId);
    const uid = c.uid ?? box.uid_next;
    // UIDs only ever grow (RFC 3501 2.3.1.1): one below uidNext could be one a client has seen.
    if (uid < box.uid_next) throw new StoreError("invalid", `UID ${uid} is below the mailbox's UIDNEXT`);
    const modseq = box.highest_modseq + 1;
    rows.bump.run(uid - box.uid_next + 1, 1, box.id);
    // Nearest ancestors first: In-Reply-To / last References, then the message's own Message-ID.
    const thread = c.threadId ?? findThread(c.accountId, [...[...c.refs].reverse(), c.msgid]);
    const id = Number(
      s.insert.run(
        c.accountId,
        c.mailboxId,
        uid,
        modseq,
        modseq,
        c.flags.bits,
        joinKeywords(c.flags.keywords),
        c.internalDate,
        savedDate,
        c.size,
        c.blobId,
        thread ?? 0,
        c.msgid,
      ).lastInsertRowid,
    );
    if (thread === null) s.setThread.run(id, id);
    return { uid, modseq, id };
  };

  return { mustAccount, checkQuota, findThread, insertCopy };
}
