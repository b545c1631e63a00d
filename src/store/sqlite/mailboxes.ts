// Mailboxes: names with "/" as hierarchy delimiter, INBOX matched case-insensitively
// (RFC 3501 5.1; "inbox/x" is "INBOX/x" too). CREATE and RENAME make missing parents
// (RFC 3501 6.3.3, 6.3.5). Renaming a mailbox renames its children; renaming INBOX moves its
// messages into a new mailbox and leaves INBOX, empty, in place (RFC 3501 6.3.5).
import { StoreError } from "../errors.js";
import type { MailEvent } from "../notifier.js";
import { SEEN_BIT } from "../shared/flags.js";
import { normalizeMailboxName } from "../shared/mailbox-name.js";
import { isSpecialUse, type Mailbox, type MailboxCounts, type SpecialUse } from "../types.js";
import type { Ctx } from "./context.js";
import { firstUnclaimed } from "./recent.js";
import { type MailboxRow, toMailbox } from "./rows.js";
import { DanglingSubscriptions } from "./subscriptions.js";

export type MailboxCounters = Pick<
  MailboxRow,
  "id" | "account_id" | "uid_next" | "highest_modseq" | "first_recent_uid"
>;

/** Mailbox ops shared with messages.ts (which needs rows inside its transactions). */
export class MailboxRows {
  readonly byId;
  readonly byName;
  readonly list;
  readonly insert;
  readonly bump;
  private readonly exists;
  private readonly countersById;

  constructor(ctx: Ctx) {
    const db = ctx.db;
    this.byId = db.prepare<[number], MailboxRow>("SELECT * FROM mailboxes WHERE id = ?");
    this.exists = db.prepare<[number], number>("SELECT 1 FROM mailboxes WHERE id = ?");
    this.exists.pluck(true);
    this.countersById = db.prepare<[number], MailboxCounters>(
      "SELECT id, account_id, uid_next, highest_modseq, first_recent_uid FROM mailboxes WHERE id = ?",
    );
    this.byName = db.prepare<[number, string], MailboxRow>(
      "SELECT * FROM mailboxes WHERE account_id = ? AND name = ?",
    );
    this.list = db.prepare<[number], MailboxRow>(
      "SELECT * FROM mailboxes WHERE account_id = ? ORDER BY name",
    );
    this.insert = db.prepare<[number, string, number, string | null, number, number]>(
      "INSERT INTO mailboxes (account_id, name, uid_validity, special_use, subscribed, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    /** Reserve `uids` UIDs and `modseqs` mod-sequences; returns the row as it was before. */
    this.bump = db.prepare<[number, number, number]>(
      "UPDATE mailboxes SET uid_next = uid_next + ?, highest_modseq = highest_modseq + ? WHERE id = ?",
    );
  }

  must(id: number): MailboxRow {
    const r = this.byId.get(id);
    if (!r) throw new StoreError("not-found", `no mailbox ${id}`);
    return r;
  }

  /** must() for what needs only the UID, mod-sequence and \Recent counters. */
  mustCounters(id: number): MailboxCounters {
    const r = this.countersById.get(id);
    if (!r) throw new StoreError("not-found", `no mailbox ${id}`);
    return r;
  }

  /** must() for reads that need no column of the row (a third of its cost). */
  mustExist(id: number): void {
    if (this.exists.get(id) === undefined) throw new StoreError("not-found", `no mailbox ${id}`);
  }
}

export function createMailboxOps(ctx: Ctx, rows: MailboxRows) {
  const db = ctx.db;
  const dangling = new DanglingSubscriptions(ctx);
  const s = {
    children: db.prepare<[number, string, string], MailboxRow>(
      "SELECT * FROM mailboxes WHERE account_id = ? AND substr(name, 1, length(?) + 1) = ? || '/'",
    ),
    rename: db.prepare<[string, number]>("UPDATE mailboxes SET name = ? WHERE id = ?"),
    account: db.prepare<[number], { id: number }>("SELECT id FROM accounts WHERE id = ?"),
    delMessages: db.prepare<[number]>("DELETE FROM messages WHERE mailbox_id = ?"),
    delMailbox: db.prepare<[number]>("DELETE FROM mailboxes WHERE id = ?"),
    subscribe: db.prepare<[number, number]>("UPDATE mailboxes SET subscribed = ? WHERE id = ?"),
    counts: db.prepare<
      [number, number, number],
      { messages: number; unseen: number; recent: number; size: number }
    >(
      `SELECT count(*) AS messages, coalesce(sum((sys_flags & ?) = 0), 0) AS unseen,
         coalesce(sum(uid >= ?), 0) AS recent, coalesce(sum(size), 0) AS size
       FROM messages WHERE mailbox_id = ?`,
    ),
    moveAll: db.prepare<[number, number]>("UPDATE messages SET mailbox_id = ? WHERE mailbox_id = ?"),
    inboxUids: db.prepare<[number], { uid: number; id: number }>(
      "SELECT uid, id FROM messages WHERE mailbox_id = ? ORDER BY uid",
    ),
    expungeRow: db.prepare<[number, number, number, number]>(
      "INSERT INTO expunged (mailbox_id, uid, modseq, message_id) VALUES (?, ?, ?, ?)",
    ),
    setCounters: db.prepare<[number, number, number]>(
      "UPDATE mailboxes SET uid_next = ?, highest_modseq = ? WHERE id = ?",
    ),
  };

  /** Inserts one mailbox; a dangling subscription to its name becomes its own (subscriptions.ts). */
  const insert = (o: {
    accountId: number;
    name: string;
    specialUse: SpecialUse | null;
    subscribed: boolean;
    now: number;
  }): number => {
    const sub = dangling.take(o.accountId, o.name) || o.subscribed ? 1 : 0;
    return Number(
      rows.insert.run(o.accountId, o.name, ctx.nextUidValidity(), o.specialUse, sub, o.now).lastInsertRowid,
    );
  };

  /** Creates `name` and any missing parents; returns the created rows' events. */
  const createWithParents = (
    accountId: number,
    name: string,
    opts: { specialUse: SpecialUse | null; subscribed: boolean },
    events: MailEvent[],
  ): MailboxRow => {
    const segs = name.split("/");
    const now = Date.now();
    for (let i = 1; i < segs.length; i++) {
      const parent = segs.slice(0, i).join("/");
      if (!rows.byName.get(accountId, parent)) {
        const id = insert({ accountId, name: parent, specialUse: null, subscribed: opts.subscribed, now });
        events.push({ kind: "mailbox-created", accountId, mailboxId: id, name: parent });
      }
    }
    const id = insert({ accountId, name, specialUse: opts.specialUse, subscribed: opts.subscribed, now });
    events.push({ kind: "mailbox-created", accountId, mailboxId: id, name });
    return rows.must(id);
  };

  const norm = (name: string) => normalizeMailboxName(name, ctx.limits.mailboxNameMaxBytes);

  return {
    async listMailboxes(accountId: number): Promise<Mailbox[]> {
      return ctx.read(() => rows.list.all(accountId).map(toMailbox));
    },
    async getMailbox(accountId: number, name: string): Promise<Mailbox | null> {
      return ctx.read(() => {
        let n: string;
        try {
          n = norm(name);
        } catch {
          return null;
        }
        const r = rows.byName.get(accountId, n);
        return r ? toMailbox(r) : null;
      });
    },
    async getMailboxById(id: number): Promise<Mailbox | null> {
      return ctx.read(() => {
        const r = rows.byId.get(id);
        return r ? toMailbox(r) : null;
      });
    },
    async createMailbox(
      accountId: number,
      name: string,
      opts?: { specialUse?: SpecialUse | null; subscribed?: boolean },
    ) {
      const n = norm(name);
      const use = opts?.specialUse ?? null;
      if (use !== null && !isSpecialUse(use)) throw new StoreError("invalid", `unknown special use ${use}`);
      return ctx.grouped(() => {
        if (!s.account.get(accountId)) throw new StoreError("not-found", `no account ${accountId}`);
        if (rows.byName.get(accountId, n)) throw new StoreError("exists", `mailbox ${n} exists`);
        const events: MailEvent[] = [];
        const row = createWithParents(
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
      return ctx.grouped(() => {
        const box = rows.must(mailboxId);
        const acc = box.account_id;
        if (rows.byName.get(acc, n)) throw new StoreError("exists", `mailbox ${n} exists`);
        const events: MailEvent[] = [];
        if (box.name === "INBOX") {
          // RFC 3501 6.3.5: INBOX's messages move to the new mailbox; INBOX stays, empty, with
          // its UIDVALIDITY and UID counter, and its children are not renamed.
          const created = createWithParents(acc, n, { specialUse: null, subscribed: true }, events);
          const moved = s.inboxUids.all(box.id);
          let modseq = box.highest_modseq;
          for (const m of moved) s.expungeRow.run(box.id, m.uid, ++modseq, m.id);
          s.moveAll.run(created.id, box.id);
          // The new mailbox keeps the messages' UIDs and mod-sequences (so its counters start
          // where INBOX's are); its fresh UIDVALIDITY tells clients it is a new mailbox.
          s.setCounters.run(box.uid_next, box.highest_modseq, created.id);
          s.setCounters.run(box.uid_next, modseq, box.id);
          if (moved.length > 0) {
            events.push({
              kind: "expunged",
              accountId: acc,
              mailboxId: box.id,
              uids: moved.map((m) => m.uid),
              modseq,
            });
            events.push({
              kind: "added",
              accountId: acc,
              mailboxId: created.id,
              uids: moved.map((m) => m.uid),
              modseq: box.highest_modseq,
              cause: "move",
              fromMailboxId: box.id,
            });
          }
          return { value: toMailbox(rows.must(created.id)), events };
        }
        if (n === box.name || n.startsWith(box.name + "/")) {
          throw new StoreError("invalid", `cannot rename ${box.name} into itself`);
        }
        const kids = s.children.all(acc, box.name, box.name);
        // Parents of the new name first; the mailbox itself then takes the name.
        const segs = n.split("/");
        const now = Date.now();
        for (let i = 1; i < segs.length; i++) {
          const parent = segs.slice(0, i).join("/");
          if (!rows.byName.get(acc, parent)) {
            const id = insert({ accountId: acc, name: parent, specialUse: null, subscribed: true, now });
            events.push({ kind: "mailbox-created", accountId: acc, mailboxId: id, name: parent });
          }
        }
        s.rename.run(n, box.id);
        if (dangling.take(acc, n)) s.subscribe.run(1, box.id);
        events.push({ kind: "mailbox-renamed", accountId: acc, mailboxId: box.id, name: n });
        for (const k of kids) {
          const kn = n + k.name.slice(box.name.length);
          if (rows.byName.get(acc, kn)) throw new StoreError("exists", `mailbox ${kn} exists`);
          s.rename.run(kn, k.id);
          if (dangling.take(acc, kn)) s.subscribe.run(1, k.id);
          events.push({ kind: "mailbox-renamed", accountId: acc, mailboxId: k.id, name: kn });
        }
        return { value: toMailbox(rows.must(box.id)), events };
      });
    },
    async deleteMailbox(mailboxId: number): Promise<void> {
      await ctx.grouped(() => {
        const box = rows.must(mailboxId);
        if (box.name === "INBOX") throw new StoreError("invalid", "INBOX cannot be deleted");
        // Messages first, so the triggers release their blobs and the account's quota usage.
        s.delMessages.run(box.id);
        s.delMailbox.run(box.id);
        if (box.subscribed === 1) dangling.add.run(box.account_id, box.name);
        return {
          value: undefined,
          events: [{ kind: "mailbox-deleted", accountId: box.account_id, mailboxId: box.id, name: box.name }],
        };
      });
    },
    async listDanglingSubscriptions(accountId: number): Promise<string[]> {
      return ctx.read(() => dangling.list.all(accountId));
    },
    async unsubscribeDangling(accountId: number, name: string): Promise<boolean> {
      let n: string;
      try {
        n = norm(name);
      } catch {
        return false;
      }
      return ctx.grouped(() => ({ value: dangling.take(accountId, n) }));
    },
    async setSubscribed(mailboxId: number, subscribed: boolean): Promise<void> {
      await ctx.grouped(() => {
        rows.mustExist(mailboxId);
        s.subscribe.run(subscribed ? 1 : 0, mailboxId);
        return { value: undefined };
      });
    },
    async mailboxCounts(mailboxId: number): Promise<MailboxCounts> {
      return ctx.read(() => {
        const row = rows.must(mailboxId);
        // recent: not yet claimed by any session (recent.ts).
        return s.counts.get(SEEN_BIT, firstUnclaimed(ctx, row), mailboxId)!;
      });
    },
  };
}
