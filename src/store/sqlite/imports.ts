// ImportStore for SQLite (issue 16): mail from another server filed in batches, each batch one
// group-commit job (one transaction, its bodies written to blob files before it), with the
// import's resume position written in the same transaction, so a crash leaves the batch and its
// cursor together or neither. Old UIDs are kept when the mailbox has the old UIDVALIDITY, so IMAP
// clients do not download everything again (RFC 3501 2.3.1.1).
import { StoreError } from "../errors.js";
import type { MailEvent } from "../notifier.js";
import { checkBatch, MAX_UID, type Prepared } from "../shared/imports.js";
import { normalizeMailboxName } from "../shared/mailbox-name.js";
import type { DeliveredCopy, ImportStore, Mailbox, MailStore, SpecialUse } from "../types.js";
import type { Ctx } from "./context.js";
import type { MailboxRows } from "./mailboxes.js";
import { createMessageRows } from "./message-rows.js";
import { toMailbox } from "./rows.js";

// v17: an import's resume positions, per account and source folder (engine.ts writes the key
// and value); an index to find an account's copies of a body (dedupe by content hash).
export const importMigration = `
CREATE TABLE IF NOT EXISTS import_cursors (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (account_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS messages_blob ON messages(blob_id, account_id);
`;

export function createImports(
  ctx: Ctx,
  rows: MailboxRows,
  mail: Pick<MailStore, "createMailbox">,
): ImportStore {
  const db = ctx.db;
  const { mustAccount, checkQuota, insertCopy } = createMessageRows(ctx, rows);
  const s = {
    blobByHash: db.prepare<[string], { id: number }>("SELECT id FROM blobs WHERE hash = ?"),
    held: db.prepare<[number, number], number>(
      "SELECT 1 FROM messages WHERE blob_id = ? AND account_id = ? LIMIT 1",
    ),
    roleTaken: db.prepare<[number, string], number>(
      "SELECT 1 FROM mailboxes WHERE account_id = ? AND special_use = ? LIMIT 1",
    ),
    setUidValidity: db.prepare<[number, number]>("UPDATE mailboxes SET uid_validity = ? WHERE id = ?"),
    setSpecialUse: db.prepare<[string, number]>("UPDATE mailboxes SET special_use = ? WHERE id = ?"),
    setUidNext: db.prepare<[number, number]>("UPDATE mailboxes SET uid_next = ? WHERE id = ?"),
    cursor: db.prepare<[number, string], { value: string }>(
      "SELECT value FROM import_cursors WHERE account_id = ? AND key = ?",
    ),
    setCursor: db.prepare<[number, string, string]>(
      `INSERT INTO import_cursors (account_id, key, value) VALUES (?, ?, ?)
       ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value`,
    ),
  };
  s.held.pluck(true);
  s.roleTaken.pluck(true);

  const norm = (name: string) => normalizeMailboxName(name, ctx.limits.mailboxNameMaxBytes);

  /** The role for `box` if it has none and no other mailbox of the account has it. */
  const freeRole = (accountId: number, use: SpecialUse | null): SpecialUse | null =>
    use !== null && s.roleTaken.get(accountId, use) === undefined ? use : null;

  /** Adopts UIDVALIDITY and role on an existing mailbox, inside a write job. */
  const adopt = (
    accountId: number,
    name: string,
    opts: { specialUse: SpecialUse | null; uidValidity?: number },
  ): Mailbox => {
    mustAccount(accountId);
    const box = rows.byName.get(accountId, name);
    if (!box) throw new StoreError("not-found", `no mailbox ${name}`);
    // Only a mailbox that never held a message may take another UIDVALIDITY: no client can
    // have cached a UID of it.
    if (opts.uidValidity !== undefined && box.uid_next === 1 && box.uid_validity !== opts.uidValidity) {
      s.setUidValidity.run(opts.uidValidity, box.id);
    }
    if (box.special_use === null) {
      const use = freeRole(accountId, opts.specialUse);
      if (use !== null) s.setSpecialUse.run(use, box.id);
    }
    return toMailbox(rows.must(box.id));
  };

  return {
    async importMailbox(accountId, name, opts) {
      const n = norm(name);
      const v = opts.uidValidity;
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 1 || v > MAX_UID)) {
        throw new StoreError("invalid", `invalid UIDVALIDITY ${v}`);
      }
      const existing = ctx.read(() => rows.byName.get(accountId, n));
      if (!existing) {
        const use = ctx.read(() => freeRole(accountId, opts.specialUse));
        await mail
          .createMailbox(accountId, n, { specialUse: use, subscribed: opts.subscribed ?? true })
          .catch((e: unknown) => {
            // Made meanwhile by someone else: adopted below like any existing one.
            if (!(e instanceof StoreError && e.code === "exists")) throw e;
          });
      }
      const mailbox = await ctx.grouped(() => ({ value: adopt(accountId, n, opts) }));
      return { mailbox, kept: v !== undefined && mailbox.uidValidity === v };
    },

    async importBatch(accountId, mailboxId, messages, opts) {
      const list = checkBatch(messages);
      const cursor = opts?.cursor;
      if (cursor !== undefined && (typeof cursor.key !== "string" || typeof cursor.value !== "string")) {
        throw new StoreError("invalid", "invalid import cursor");
      }
      const dedupe = opts?.dedupe === true;
      ctx.assertOpen();
      // Every body's file is written (and fsynced) before the one transaction that files them all.
      return ctx.writer.submit({
        prepare: async () => {
          await Promise.all(list.map((m) => ctx.blobs.prepare(m.hash, m.body)));
        },
        finish: () => {
          for (const m of list) ctx.blobs.release(m.hash);
        },
        run: () => {
          const acc = mustAccount(accountId);
          const box = rows.byId.get(mailboxId);
          if (!box || box.account_id !== acc.id) {
            throw new StoreError("not-found", `no mailbox ${mailboxId} for account ${acc.id}`);
          }
          const seen = new Set<string>();
          const keep: Prepared[] = [];
          let duplicates = 0;
          for (const m of list) {
            let dup = dedupe && seen.has(m.hash);
            if (dedupe && !dup) {
              const blob = s.blobByHash.get(m.hash);
              dup = blob !== undefined && s.held.get(blob.id, acc.id) !== undefined;
            }
            seen.add(m.hash);
            if (dup) duplicates++;
            else keep.push(m);
          }
          // Quota over the whole batch before anything is written: all or none.
          const bytes = keep.reduce((n, m) => n + m.body.length, 0);
          checkQuota(acc, bytes, keep.length);
          const now = Date.now();
          const copies: DeliveredCopy[] = [];
          let modseq = 0;
          for (const m of keep) {
            const blob = ctx.blobs.acquire(m.hash, m.body);
            const c = insertCopy(
              {
                accountId: acc.id,
                mailboxId: box.id,
                flags: m.flags,
                internalDate: m.internalDate,
                size: m.body.length,
                blobId: blob.id,
                threadId: null,
                msgid: blob.info.msgid,
                refs: blob.info.refs,
                ...(m.uid !== undefined ? { uid: m.uid } : {}),
              },
              now,
            );
            modseq = c.modseq;
            copies.push({ accountId: acc.id, mailboxId: box.id, uid: c.uid, messageId: c.id });
          }
          if (cursor) s.setCursor.run(acc.id, cursor.key, cursor.value);
          const events: MailEvent[] =
            copies.length === 0
              ? []
              : [
                  {
                    kind: "added",
                    accountId: acc.id,
                    mailboxId: box.id,
                    uids: copies.map((c) => c.uid),
                    modseq,
                    cause: "append",
                  },
                ];
          return { value: { copies, duplicates, bytes }, events };
        },
      });
    },

    async raiseUidNext(mailboxId, uidNext) {
      if (!Number.isSafeInteger(uidNext) || uidNext < 1 || uidNext > MAX_UID + 1) {
        throw new StoreError("invalid", `invalid UIDNEXT ${uidNext}`);
      }
      return ctx.grouped(() => {
        const box = rows.must(mailboxId);
        if (uidNext > box.uid_next) s.setUidNext.run(uidNext, box.id);
        return { value: toMailbox(rows.must(box.id)) };
      });
    },

    async cursor(accountId, key) {
      return ctx.read(() => s.cursor.get(accountId, key)?.value ?? null);
    },
  };
}
