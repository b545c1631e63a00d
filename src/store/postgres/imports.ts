// ImportStore on PostgreSQL (issue 17; the SQLite store's is src/store/sqlite/imports.ts): mail
// from another server filed in batches, each batch one transaction with the import's resume
// position (import_cursors), so a crash or a lost database leaves the batch and its cursor
// together or neither. Messages are filed by fileMessages (mail-file.ts), the path deliveries
// take, so quota, threads, UIDs and mod-sequences are decided as for any other mail. Old UIDs
// are kept when the mailbox has the old UIDVALIDITY, so IMAP clients do not download everything
// again (RFC 3501 2.3.1.1).
//
// Dedupe by content: a batch locks its mailbox row, then its account row (the lock order of
// schema-mail.ts), before asking which bodies the account holds, so two batches of one account
// on two nodes take turns and cannot both file a body neither saw.
import { StoreError } from "../errors.js";
import { checkBatch, MAX_UID, type Prepared } from "../shared/imports.js";
import { normalizeMailboxName } from "../shared/mailbox-name.js";
import type { ImportStore, Mailbox, SpecialUse } from "../types.js";
import { mustAccount } from "./account-kit.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";
import { type FileItem, fileMessages } from "./mail-file.js";
import { createMailboxOps } from "./mailboxes.js";
import { MAILBOX_COLUMNS, type MailboxRow, toMailbox } from "./rows.js";

/** Cursor keys hold NUL ("source\0folder"): stored as UTF-8 octets (schema-search.ts). */
const octets = (s: string) => Buffer.from(s, "utf8");

export function createImports(ctx: PgCtx): ImportStore {
  const db = ctx.db;
  const mailboxes = createMailboxOps(ctx);
  const norm = (name: string) => normalizeMailboxName(name, ctx.limits.mailboxNameMaxBytes);
  const SELECT = `SELECT ${MAILBOX_COLUMNS} FROM mailboxes`;

  /** `use` if no mailbox of the account has that role yet, else null. */
  const freeRole = async (
    q: Pick<Tx, "one">,
    accountId: number,
    use: SpecialUse | null,
  ): Promise<SpecialUse | null> =>
    use !== null &&
    (await q.one("SELECT 1 FROM mailboxes WHERE account_id = $1 AND special_use = $2 LIMIT 1", [
      accountId,
      use,
    ])) === null
      ? use
      : null;

  return {
    async importMailbox(accountId, name, opts) {
      const n = norm(name);
      const v = opts.uidValidity;
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 1 || v > MAX_UID)) {
        throw new StoreError("invalid", `invalid UIDVALIDITY ${v}`);
      }
      ctx.assertOpen();
      const existing = await db.one(`${SELECT} WHERE account_id = $1 AND name = $2`, [accountId, n]);
      if (!existing) {
        await mustAccount(db, accountId);
        const use = await freeRole(db, accountId, opts.specialUse);
        await mailboxes
          .createMailbox(accountId, n, { specialUse: use, subscribed: opts.subscribed ?? true })
          .catch((e: unknown) => {
            // Made meanwhile by someone else: adopted below like any existing one.
            if (!(e instanceof StoreError && e.code === "exists")) throw e;
          });
      }
      const mailbox = await ctx.write<Mailbox>(async (t) => {
        await mustAccount(t, accountId);
        const box = await t.one<MailboxRow>(
          `${SELECT} WHERE account_id = $1 AND name = $2 FOR NO KEY UPDATE`,
          [accountId, n],
        );
        if (!box) throw new StoreError("not-found", `no mailbox ${n}`);
        // Only a mailbox that never held a message may take another UIDVALIDITY: no client can
        // have cached a UID of it.
        if (v !== undefined && box.uid_next === 1 && box.uid_validity !== v) {
          await t.run("UPDATE mailboxes SET uid_validity = $1 WHERE id = $2", [v, box.id]);
        }
        if (box.special_use === null) {
          const use = await freeRole(t, accountId, opts.specialUse);
          if (use !== null) await t.run("UPDATE mailboxes SET special_use = $1 WHERE id = $2", [use, box.id]);
        }
        const row = await t.one<MailboxRow>(`${SELECT} WHERE id = $1`, [box.id]);
        return { value: toMailbox(row!) };
      });
      return { mailbox, kept: v !== undefined && mailbox.uidValidity === v };
    },

    async importBatch(accountId, mailboxId, messages, opts) {
      const list = checkBatch(messages);
      const cursor = opts?.cursor;
      if (cursor !== undefined && (typeof cursor.key !== "string" || typeof cursor.value !== "string")) {
        throw new StoreError("invalid", "invalid import cursor");
      }
      const dedupe = opts?.dedupe === true;
      return ctx.write(async (t) => {
        const box = await t.one<{ account_id: number }>(
          "SELECT account_id FROM mailboxes WHERE id = $1 FOR NO KEY UPDATE",
          [mailboxId],
        );
        const acc = await t.one("SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE", [accountId]);
        if (!acc) throw new StoreError("not-found", `no account ${accountId}`);
        if (!box || box.account_id !== accountId) {
          throw new StoreError("not-found", `no mailbox ${mailboxId} for account ${accountId}`);
        }
        let held = new Set<string>();
        if (dedupe && list.length > 0) {
          const rows = await t.rows<{ hash: string }>(
            `SELECT b.hash FROM blobs b WHERE b.hash = ANY($1::text[])
               AND EXISTS (SELECT 1 FROM messages m WHERE m.blob_id = b.id AND m.account_id = $2)`,
            [[...new Set(list.map((m) => m.hash))], accountId],
          );
          held = new Set(rows.map((r) => r.hash));
        }
        const keep: Prepared[] = [];
        let duplicates = 0;
        for (const m of list) {
          if (dedupe && held.has(m.hash)) {
            duplicates++;
            continue;
          }
          keep.push(m);
          if (dedupe) held.add(m.hash);
        }
        const items: FileItem[] = keep.map((m) => ({
          accountId,
          mailboxId,
          flags: m.flags,
          internalDate: m.internalDate,
          body: m.body,
          hash: m.hash,
          ...(m.uid !== undefined ? { uid: m.uid } : {}),
        }));
        // Quota over the whole batch before anything is written: all or none (QuotaError).
        const { copies, events } = await fileMessages(t, ctx, items, { cause: "append" });
        if (cursor) {
          await t.run(
            `INSERT INTO import_cursors (account_id, key, value) VALUES ($1, $2, $3)
             ON CONFLICT (account_id, key) DO UPDATE SET value = EXCLUDED.value`,
            [accountId, octets(cursor.key), octets(cursor.value)],
          );
        }
        const bytes = keep.reduce((n, m) => n + m.body.length, 0);
        return {
          value: {
            copies: copies.map((c) => ({
              accountId: c.accountId,
              mailboxId: c.mailboxId,
              uid: c.uid,
              messageId: c.messageId,
            })),
            duplicates,
            bytes,
          },
          events,
        };
      });
    },

    async raiseUidNext(mailboxId, uidNext) {
      if (!Number.isSafeInteger(uidNext) || uidNext < 1 || uidNext > MAX_UID + 1) {
        throw new StoreError("invalid", `invalid UIDNEXT ${uidNext}`);
      }
      return ctx.write(async (t) => {
        const row = await t.one<MailboxRow>(
          `UPDATE mailboxes SET uid_next = GREATEST(uid_next, $1) WHERE id = $2 RETURNING ${MAILBOX_COLUMNS}`,
          [uidNext, mailboxId],
        );
        if (!row) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
        return { value: toMailbox(row) };
      });
    },

    async cursor(accountId, key) {
      ctx.assertOpen();
      const r = await db.one<{ value: Buffer }>(
        "SELECT value FROM import_cursors WHERE account_id = $1 AND key = $2",
        [accountId, octets(key)],
      );
      return r ? r.value.toString("utf8") : null;
    },
  };
}
