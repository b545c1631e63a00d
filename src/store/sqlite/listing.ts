// Ordered listings of one mailbox for JMAP's message list (Email/query with inMailbox, sorted
// by receivedAt, paged) and its thread counts (Mailbox totalThreads / unreadThreads), served
// from indexes so that the cost grows with the page asked for, not with the mailbox's size:
//  - messages_mailbox_date (mailbox_id, internal_date, id, thread_id): the order itself, ties on
//    the date broken by id in the same direction; thread_id is in it so collapsing threads
//    never reads the table;
//  - messages_mailbox_thread (mailbox_id, thread_id, sys_flags): threads and unseen threads by
//    one ordered pass (GROUP BY without a temporary b-tree).
// Indexes are created by the v3 migration (listingMigration, below).
import { StoreError } from "../errors.js";
import { checkCount } from "../shared/checks.js";
import { SEEN_BIT } from "../shared/flags.js";
import type { MailboxOrder, MailboxThreadCounts } from "../types.js";
import type { Ctx } from "./context.js";

export const listingMigration = `
CREATE INDEX IF NOT EXISTS messages_mailbox_date ON messages(mailbox_id, internal_date, id, thread_id);
CREATE INDEX IF NOT EXISTS messages_mailbox_thread ON messages(mailbox_id, thread_id, sys_flags);
`;

export function createListingOps(ctx: Ctx) {
  const db = ctx.db;
  const order = (dir: "ASC" | "DESC") =>
    `FROM messages WHERE mailbox_id = ? ORDER BY internal_date ${dir}, id ${dir}`;
  const s = {
    pageAsc: db.prepare<[number, number, number], number>(`SELECT id ${order("ASC")} LIMIT ? OFFSET ?`),
    pageDesc: db.prepare<[number, number, number], number>(`SELECT id ${order("DESC")} LIMIT ? OFFSET ?`),
    walkAsc: db.prepare<[number], [number, number]>(`SELECT id, thread_id ${order("ASC")}`),
    walkDesc: db.prepare<[number], [number, number]>(`SELECT id, thread_id ${order("DESC")}`),
    date: db.prepare<[number, number], number>(
      "SELECT internal_date FROM messages WHERE id = ? AND mailbox_id = ?",
    ),
    before: db.prepare<[number, number, number], number>(
      "SELECT count(*) FROM messages WHERE mailbox_id = ? AND (internal_date, id) < (?, ?)",
    ),
    after: db.prepare<[number, number, number], number>(
      "SELECT count(*) FROM messages WHERE mailbox_id = ? AND (internal_date, id) > (?, ?)",
    ),
    threads: db.prepare<[number, number], { threads: number; unseen: number }>(
      `SELECT count(*) AS threads, coalesce(sum(seen = 0), 0) AS unseen FROM
         (SELECT min(sys_flags & ?) AS seen FROM messages WHERE mailbox_id = ? GROUP BY thread_id)`,
    ),
    count: db.prepare<[number], number>("SELECT count(*) FROM messages WHERE mailbox_id = ?"),
    countThreads: db.prepare<[number], number>(
      "SELECT count(*) FROM (SELECT 1 FROM messages WHERE mailbox_id = ? GROUP BY thread_id)",
    ),
    exists: db.prepare<[number], number>("SELECT 1 FROM mailboxes WHERE id = ?"),
  };
  for (const st of [s.pageAsc, s.pageDesc, s.date, s.before, s.after, s.count, s.countThreads, s.exists])
    st.pluck(true);
  s.walkAsc.raw(true);
  s.walkDesc.raw(true);

  const mustMailbox = (id: number) => {
    if (s.exists.get(id) === undefined) throw new StoreError("not-found", `no mailbox ${id}`);
  };

  /** Walks the order keeping the first message of each thread; stops when `visit` says so. */
  const walkCollapsed = (mailboxId: number, ascending: boolean, visit: (id: number) => boolean) => {
    const seen = new Set<number>();
    for (const [id, thread] of (ascending ? s.walkAsc : s.walkDesc).iterate(mailboxId)) {
      if (seen.has(thread)) continue;
      seen.add(thread);
      if (!visit(id)) break;
    }
  };

  return {
    async mailboxMessageIds(
      mailboxId: number,
      o: MailboxOrder,
      range: { offset: number; limit: number },
    ): Promise<number[]> {
      checkCount(range.offset, "offset");
      checkCount(range.limit, "limit");
      return ctx.read(() => {
        mustMailbox(mailboxId);
        if (!o.collapseThreads) {
          return (o.ascending ? s.pageAsc : s.pageDesc).all(mailboxId, range.limit, range.offset);
        }
        const out: number[] = [];
        let skip = range.offset;
        if (range.limit === 0) return out;
        walkCollapsed(mailboxId, o.ascending, (id) => {
          if (skip > 0) skip--;
          else out.push(id);
          return out.length < range.limit;
        });
        return out;
      });
    },

    async mailboxMessagePosition(
      mailboxId: number,
      messageId: number,
      o: MailboxOrder,
    ): Promise<number | null> {
      checkCount(messageId, "message id");
      return ctx.read(() => {
        mustMailbox(mailboxId);
        const date = s.date.get(messageId, mailboxId);
        if (date === undefined) return null;
        if (!o.collapseThreads) {
          return (o.ascending ? s.before : s.after).get(mailboxId, date, messageId) ?? 0;
        }
        let pos = 0;
        let found: number | null = null;
        walkCollapsed(mailboxId, o.ascending, (id) => {
          if (id === messageId) found = pos;
          pos++;
          return found === null;
        });
        return found;
      });
    },

    async mailboxMessageCount(mailboxId: number, o: MailboxOrder): Promise<number> {
      return ctx.read(() => {
        mustMailbox(mailboxId);
        return (o.collapseThreads ? s.countThreads : s.count).get(mailboxId) ?? 0;
      });
    },

    async mailboxThreadCounts(mailboxId: number): Promise<MailboxThreadCounts> {
      return ctx.read(() => {
        mustMailbox(mailboxId);
        const r = s.threads.get(SEEN_BIT, mailboxId)!;
        return { threads: r.threads, unseenThreads: r.unseen };
      });
    },
  };
}
