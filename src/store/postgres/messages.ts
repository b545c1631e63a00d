// Messages on PostgreSQL (issue 17): deliver and append (filed by mail-file.ts), the reads of one
// message or a mailbox's messages, flags lists, quota usage. Events are published after COMMIT
// (ctx.write), with the SQLite store's shapes (src/store/sqlite/messages.ts).
import type { MessageStructure } from "../../mime/types.js";
import { StoreError } from "../errors.js";
import { hashBody } from "../shared/body-hash.js";
import { parseFlags } from "../shared/flags.js";
import { checkAppend, checkDeliver } from "../shared/new-copies.js";
import type {
  DeliveredCopy,
  DeliveryTarget,
  MailStore,
  MessageFlags,
  MessageMeta,
  NewMessage,
  ParsedMessage,
  QuotaUsage,
} from "../types.js";
import { readBlobByHash } from "./blobs.js";
import type { PgCtx } from "./context.js";
import { fileDelivery } from "./file-delivery.js";
import { type FileItem, fileMessages } from "./mail-file.js";
import { mustMailboxExist } from "./mailboxes.js";
import { type FlagsOf, flagListCache, MESSAGE_SELECT, type MessageMetaRow, toMeta } from "./rows.js";
import { KeyedSerial } from "./serial.js";

type MessageMethods = Pick<
  MailStore,
  | "deliver"
  | "append"
  | "listMessages"
  | "listFlags"
  | "uidsWithFlag"
  | "getMessage"
  | "getMessageById"
  | "readBody"
  | "quotaUsage"
>;

/** A UID range's bounds, clamped to what a BIGINT holds. */
function uidRange(opts?: { minUid?: number; maxUid?: number }): [number, number] {
  const lo = opts?.minUid ?? 1;
  const hi = opts?.maxUid ?? Number.MAX_SAFE_INTEGER;
  if (Number.isNaN(lo) || Number.isNaN(hi)) throw new StoreError("invalid", "invalid UID range");
  return [
    Math.max(0, Math.min(lo, Number.MAX_SAFE_INTEGER)),
    Math.max(0, Math.min(hi, Number.MAX_SAFE_INTEGER)),
  ];
}

const WITH_STRUCTURE = MESSAGE_SELECT.replace("SELECT ", "SELECT b.structure, ");
/** WITH_STRUCTURE and `data`, the body when it is one chunk ($3: the chunk size), else null: FETCH
 *  of a message's ENVELOPE and BODY[] in one round trip, where it took a second for the body.
 *  The length check covers a body chunked with a smaller chunkBytes than today's. */
const WITH_BODY = MESSAGE_SELECT.replace(
  "SELECT ",
  `SELECT b.structure, CASE WHEN b.size <= $3 THEN (SELECT c.data FROM blob_chunks c
     WHERE c.blob_id = b.id AND c.seq = 0 AND octet_length(c.data) = b.size) END AS data, `,
);

function withStructure(r: (MessageMetaRow & { structure: string }) | null): ParsedMessage | null {
  if (!r) return null;
  return { meta: toMeta(r), structure: JSON.parse(r.structure) as MessageStructure };
}

/** `flagsOf`: the flag lists shared with the other listings (flagListCache). */
export function createMessageOps(ctx: PgCtx, flagsOf: FlagsOf = flagListCache()): MessageMethods {
  const db = ctx.db;
  const read = () => {
    ctx.assertOpen();
    return db;
  };
  const byAccount = new KeyedSerial();

  /** One body into several mailboxes, all or nothing; parsed before the transaction, so no lock
   *  is held while it is. */
  const store = async (
    body: Buffer,
    targets: { accountId: number; mailboxId: number | undefined; flags: FileItem["flags"] }[],
    internalDate: number,
    cause: "deliver" | "append",
  ): Promise<DeliveredCopy[]> => {
    ctx.assertOpen();
    const hash = hashBody(body);
    let parsed: MessageStructure | null = null;
    const parse = (b: Buffer) => {
      parsed ??= ctx.parse(b);
      return parsed;
    };
    const fileCtx = { parse, limits: ctx.limits };
    // A body of one chunk (nearly every message): one statement, one round trip (file-delivery.ts).
    if (body.length <= Math.max(1, ctx.limits.chunkBytes)) {
      const structure = parse(body);
      return byAccount.run(
        targets.map((x) => x.accountId),
        async () =>
          (await fileDelivery(ctx, { body, hash, structure, targets, internalDate, cause })).map((c) => ({
            accountId: c.accountId,
            mailboxId: c.mailboxId,
            uid: c.uid,
            messageId: c.messageId,
          })),
      );
    }
    // In call order per account (serial.ts).
    return byAccount.run(
      targets.map((x) => x.accountId),
      () =>
        ctx.write(async (t) => {
          // A target without a mailbox: the account's INBOX, found where the mailboxes are locked.
          const items: FileItem[] = targets.map((x) => ({
            accountId: x.accountId,
            mailboxId: x.mailboxId,
            flags: x.flags,
            internalDate,
            body,
            hash,
          }));
          const { copies, events } = await fileMessages(t, fileCtx, items, { cause, eventPerItem: true });
          const value = copies.map((c) => ({
            accountId: c.accountId,
            mailboxId: c.mailboxId,
            uid: c.uid,
            messageId: c.messageId,
          }));
          return { value, events };
        }),
    );
  };

  return {
    async deliver(body: Buffer, targets: DeliveryTarget[], opts?: { internalDate?: Date }) {
      const c = checkDeliver(body, targets, opts);
      return store(c.body, c.targets, c.internalDate, "deliver");
    },
    async append(accountId: number, mailboxId: number, msg: NewMessage): Promise<DeliveredCopy> {
      const c = checkAppend(accountId, mailboxId, msg);
      const copies = await store(c.body, c.targets, c.internalDate, "append");
      return copies[0]!;
    },
    async listMessages(
      mailboxId: number,
      opts?: { minUid?: number; maxUid?: number },
    ): Promise<MessageMeta[]> {
      const q = read();
      const [lo, hi] = uidRange(opts);
      const rows = await q.rows<MessageMetaRow>(
        `${MESSAGE_SELECT} WHERE m.mailbox_id = $1 AND m.uid BETWEEN $2 AND $3 ORDER BY m.uid`,
        [mailboxId, lo, hi],
      );
      // Rows found: the mailbox exists; none: asked only then (one round trip fewer for a listing).
      if (rows.length === 0) await mustMailboxExist(q, mailboxId);
      return rows.map(toMeta);
    },
    async listFlags(mailboxId: number, opts?: { minUid?: number; maxUid?: number }): Promise<MessageFlags[]> {
      const q = read();
      const [lo, hi] = uidRange(opts);
      // No existence check folded in (as changesSince has): PostgreSQL then planned this statement
      // again at every call (0.14 ms each); a plain one keeps its generic plan. Rows found: the
      // mailbox exists; none: asked only then.
      const rows = await q.rows<{ uid: number; modseq: number; sys_flags: number; keywords: string }>(
        `SELECT uid, modseq, sys_flags, keywords FROM messages
         WHERE mailbox_id = $1 AND uid BETWEEN $2 AND $3 ORDER BY uid`,
        [mailboxId, lo, hi],
      );
      if (rows.length === 0) await mustMailboxExist(q, mailboxId);
      return rows.map((r) => ({ uid: r.uid, modseq: r.modseq, flags: flagsOf(r.sys_flags, r.keywords) }));
    },
    async uidsWithFlag(mailboxId: number, flag: string): Promise<number[]> {
      // Same validation and case-insensitivity as setFlags: an unknown "\X" is StoreError("invalid").
      const { bits, keywords } = parseFlags([flag]);
      const q = read();
      if (!Number.isSafeInteger(mailboxId) || mailboxId <= 0)
        throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      // Each statement's last part is a row (uid 0; UIDs start at 1) only when the mailbox does
      // not exist: one round trip, not two (EXPUNGE asks this at every call).
      const missing = "SELECT 0, '' WHERE NOT EXISTS (SELECT 1 FROM mailboxes WHERE id = $1)";
      const gone = (rows: { uid: number }[]) => {
        if (rows[0]?.uid === 0) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      };
      if (bits !== 0) {
        // The bit is a literal so that \Deleted's partial index (schema-mail.ts) matches.
        const rows = await q.rows<{ uid: number }>(
          `SELECT uid, '' AS keywords FROM messages WHERE mailbox_id = $1 AND (sys_flags & ${bits | 0}) <> 0
           UNION ALL ${missing} ORDER BY uid`,
          [mailboxId],
        );
        gone(rows);
        return rows.map((r) => r.uid);
      }
      const want = keywords[0]?.toLowerCase();
      const rows = await q.rows<{ uid: number; keywords: string }>(
        // \Recent (no keyword, no bit): a session flag, never stored; only the mailbox is asked for.
        want === undefined
          ? missing
          : `SELECT uid, keywords FROM messages WHERE mailbox_id = $1 AND keywords <> '' UNION ALL ${missing} ORDER BY uid`,
        [mailboxId],
      );
      gone(rows);
      if (want === undefined) return [];
      return rows
        .filter((r) => r.keywords.split(" ").some((k) => k.toLowerCase() === want))
        .map((r) => r.uid);
    },
    async getMessage(mailboxId: number, uid: number, opts?: { body?: boolean }) {
      if (!Number.isSafeInteger(mailboxId) || !Number.isSafeInteger(uid)) return null;
      if (!opts?.body)
        return withStructure(
          await read().one<MessageMetaRow & { structure: string }>(
            `${WITH_STRUCTURE} WHERE m.mailbox_id = $1 AND m.uid = $2`,
            [mailboxId, uid],
          ),
        );
      const q = read();
      const r = await q.one<MessageMetaRow & { structure: string; data: Buffer | null }>(
        `${WITH_BODY} WHERE m.mailbox_id = $1 AND m.uid = $2`,
        [mailboxId, uid, Math.max(1, ctx.limits.chunkBytes)],
      );
      const m = withStructure(r);
      if (!m) return null;
      if (r?.data) return { ...m, body: r.data };
      try {
        // A body of several chunks (over chunkBytes, 1 MiB by default): read apart.
        return { ...m, body: await readBlobByHash(q, m.meta.blobId) };
      } catch (e) {
        // Expunged (and its body released) since the row was read: as if not found.
        if (e instanceof StoreError && e.code === "not-found") return null;
        throw e;
      }
    },
    async getMessageById(messageId: number) {
      if (!Number.isSafeInteger(messageId)) return null;
      return withStructure(
        await read().one<MessageMetaRow & { structure: string }>(`${WITH_STRUCTURE} WHERE m.id = $1`, [
          messageId,
        ]),
      );
    },
    async readBody(blobId: string): Promise<Buffer> {
      return readBlobByHash(read(), blobId);
    },
    async quotaUsage(accountId: number): Promise<QuotaUsage> {
      if (!Number.isSafeInteger(accountId)) throw new StoreError("not-found", `no account ${accountId}`);
      const a = await read().one<{
        used_bytes: number;
        used_messages: number;
        quota_bytes: number;
        quota_messages: number;
      }>("SELECT used_bytes, used_messages, quota_bytes, quota_messages FROM accounts WHERE id = $1", [
        accountId,
      ]);
      if (!a) throw new StoreError("not-found", `no account ${accountId}`);
      return {
        bytes: a.used_bytes,
        messages: a.used_messages,
        quotaBytes: a.quota_bytes,
        quotaMessages: a.quota_messages,
      };
    },
  };
}
