// Messages in mailboxes: group-committed deliver/append, flags (RFC 7162 CONDSTORE), expunge,
// COPY/MOVE with COPYUID mapping (RFC 4315, RFC 6851) and changesSince for QRESYNC / JMAP.
// Every change takes a new mod-sequence of its mailbox, one per message, so a client can tell any
// two changes apart; expunges are kept in `expunged` with theirs.
import { StoreError } from "../errors.js";
import type { MailEvent } from "../notifier.js";
import { hashBody } from "../shared/body-hash.js";
import { checkFlagUpdate, checkUids, flagsEvent, nextFlags } from "../shared/flag-update.js";
import { flagList, joinKeywords, type StoredFlags, splitKeywords } from "../shared/flags.js";
import { checkAppend, checkDeliver } from "../shared/new-copies.js";
import type {
  CopyResult,
  DeliveredCopy,
  DeliveryTarget,
  FlagUpdate,
  FlagUpdateResult,
  MessageChange,
  MessageMeta,
  NewMessage,
  ParsedMessage,
  QuotaUsage,
} from "../types.js";
import type { BlobInfo } from "./blobs.js";
import type { Ctx, FlagRow } from "./context.js";
import type { MailboxRows } from "./mailboxes.js";
import { type AccountQuotaRow, createMessageRows } from "./message-rows.js";
import { MESSAGE_SELECT, type MessageTuple, parseStructureJson, toMeta } from "./rows.js";

interface MessageRow {
  id: number;
  account_id: number;
  uid: number;
  modseq: number;
  sys_flags: number;
  keywords: string;
  internal_date: number;
  size: number;
  blob_id: number;
  thread_id: number;
  msgid: string | null;
}

export function createMessageOps(ctx: Ctx, rows: MailboxRows) {
  const db = ctx.db;
  const s = {
    list: db.prepare<[number, number, number], MessageTuple>(
      `${MESSAGE_SELECT} WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid`,
    ),
    oneByUid: db.prepare<[number, number], [...MessageTuple, string]>(
      MESSAGE_SELECT.replace("SELECT ", "SELECT b.structure, ") + " WHERE m.mailbox_id = ? AND m.uid = ?",
    ),
    oneById: db.prepare<[number], [...MessageTuple, string]>(
      MESSAGE_SELECT.replace("SELECT ", "SELECT b.structure, ") + " WHERE m.id = ?",
    ),
    row: db.prepare<[number, number], MessageRow>(
      `SELECT id, account_id, uid, modseq, sys_flags, keywords, internal_date, size, blob_id, thread_id, msgid
       FROM messages WHERE mailbox_id = ? AND uid = ?`,
    ),
    blobInfo: db.prepare<[number], { refs: string }>("SELECT refs FROM blobs WHERE id = ?"),
    setFlags: db.prepare<[number, string, number, number]>(
      "UPDATE messages SET sys_flags = ?, keywords = ?, modseq = ? WHERE id = ?",
    ),
    setModseq: db.prepare<[number, number]>("UPDATE mailboxes SET highest_modseq = ? WHERE id = ?"),
    setCounters: db.prepare<[number, number, number]>(
      "UPDATE mailboxes SET uid_next = ?, highest_modseq = ? WHERE id = ?",
    ),
    del: db.prepare<[number]>("DELETE FROM messages WHERE id = ?"),
    expunged: db.prepare<[number, number, number, number]>(
      "INSERT INTO expunged (mailbox_id, uid, modseq, message_id) VALUES (?, ?, ?, ?)",
    ),
    moveRow: db.prepare<[number, number, number, number, number, number, number]>(
      "UPDATE messages SET account_id = ?, mailbox_id = ?, uid = ?, modseq = ?, created_modseq = ?, thread_id = ? WHERE id = ?",
    ),
    changes: db.prepare<
      [number, number, number, number],
      { uid: number; modseq: number; id: number; created: number }
    >(
      `SELECT uid, modseq, id, created_modseq AS created FROM messages WHERE mailbox_id = ? AND modseq > ?
       UNION ALL
       SELECT uid, modseq, message_id AS id, -1 AS created FROM expunged WHERE mailbox_id = ? AND modseq > ?
       ORDER BY modseq, uid`,
    ),
  };
  s.list.raw(true);
  s.oneByUid.raw(true);
  s.oneById.raw(true);

  const { mustAccount, checkQuota, findThread, insertCopy } = createMessageRows(ctx, rows);

  interface Target {
    accountId: number;
    mailboxId: number | undefined;
    flags: StoredFlags;
  }

  /** The group-committed store of one body into several mailboxes: all or nothing. */
  const store = (
    body: Buffer,
    targets: Target[],
    internalDate: number,
    cause: "deliver" | "append",
  ): Promise<DeliveredCopy[]> => {
    ctx.assertOpen();
    const hash = hashBody(body);
    // Methods, not arrow properties: under tsx (esbuild keepNames) every named arrow made here
    // would also get an Object.defineProperty of its name, three per message.
    return ctx.writer.submit({
      prepare() {
        return ctx.blobs.prepare(hash, body);
      },
      finish() {
        ctx.blobs.release(hash);
      },
      run() {
        const resolved = targets.map((t) => {
          const acc = mustAccount(t.accountId);
          const box =
            t.mailboxId === undefined ? rows.byName.get(acc.id, "INBOX") : rows.byId.get(t.mailboxId);
          if (!box || box.account_id !== acc.id) {
            throw new StoreError("not-found", `no mailbox ${t.mailboxId ?? "INBOX"} for account ${acc.id}`);
          }
          return { acc, box, flags: t.flags };
        });
        // Quota per account over all of this call's copies, before anything is written.
        const perAccount = new Map<number, { acc: AccountQuotaRow; n: number }>();
        for (const r of resolved) {
          const e = perAccount.get(r.acc.id) ?? { acc: r.acc, n: 0 };
          e.n++;
          perAccount.set(r.acc.id, e);
        }
        for (const { acc, n } of perAccount.values()) checkQuota(acc, n * body.length, n);
        const blob = ctx.blobs.acquire(hash, body);
        const now = Date.now();
        const copies: DeliveredCopy[] = [];
        const events: MailEvent[] = [];
        const flagCopies = ctx.flagCopies;
        const added: { mailboxId: number; row: FlagRow }[] = [];
        // The rows read above carry the counters: used for the first copy into each mailbox, read
        // again for a later one (the first bumped them).
        const filed = new Set<number>();
        for (const r of resolved) {
          const fresh = !filed.has(r.box.id);
          filed.add(r.box.id);
          const c = insertCopy(
            {
              accountId: r.acc.id,
              mailboxId: r.box.id,
              flags: r.flags,
              internalDate,
              size: body.length,
              blobId: blob.id,
              threadId: null,
              msgid: blob.info.msgid,
              refs: blob.info.refs,
            },
            now,
            fresh ? r.box : undefined,
          );
          copies.push({ accountId: r.acc.id, mailboxId: r.box.id, uid: c.uid, messageId: c.id });
          if (flagCopies)
            added.push({
              mailboxId: r.box.id,
              row: [c.uid, c.modseq, r.flags.bits, joinKeywords(r.flags.keywords)],
            });
          events.push({
            kind: "added",
            accountId: r.acc.id,
            mailboxId: r.box.id,
            uids: [c.uid],
            modseq: c.modseq,
            cause,
          });
        }
        // Each copy raised its mailbox's HIGHESTMODSEQ by one, to its own MODSEQ.
        const committed = flagCopies
          ? () => {
              for (const a of added) flagCopies.written(a.mailboxId, a.row[1] - 1, a.row[1], [a.row], []);
            }
          : undefined;
        return { value: copies, events, committed };
      },
    });
  };

  const refsOf = (blobId: number): BlobInfo["refs"] =>
    JSON.parse(s.blobInfo.get(blobId)?.refs ?? "[]") as string[];

  /** COPY and MOVE share selection, quota and UID assignment; MOVE keeps message ids. */
  const transfer = (fromId: number, uids: number[], toId: number, move: boolean): Promise<CopyResult> => {
    const list = checkUids(uids);
    return ctx.grouped(() => {
      const src = rows.must(fromId);
      const dst = rows.must(toId);
      // Moving into the same mailbox renumbers the messages: each is expunged and comes back under
      // a new UID (RFC 6851 3.3 allows it; Dovecot does it). One modseq counter serves both sides.
      const same = src.id === dst.id;
      const msgs = list.map((u) => s.row.get(src.id, u)).filter((m): m is MessageRow => m !== undefined);
      const acc = mustAccount(dst.account_id);
      const bytes = msgs.reduce((n, m) => n + (move && m.account_id === acc.id ? 0 : m.size), 0);
      const count = msgs.filter((m) => !(move && m.account_id === acc.id)).length;
      checkQuota(acc, bytes, count);
      let uid = dst.uid_next;
      let modseq = dst.highest_modseq;
      let srcModseq = src.highest_modseq;
      const now = Date.now();
      const mapping: CopyResult["mapping"] = [];
      for (const m of msgs) {
        const sameAccount = m.account_id === acc.id;
        if (move) {
          const to = uid++;
          const gone = same ? ++modseq : ++srcModseq;
          const ms = ++modseq;
          const thread = sameAccount
            ? m.thread_id
            : (findThread(acc.id, [...refsOf(m.blob_id)].reverse()) ?? m.id);
          s.expunged.run(src.id, m.uid, gone, m.id);
          s.moveRow.run(acc.id, dst.id, to, ms, ms, thread, m.id);
          mapping.push({ from: m.uid, to });
        } else {
          // insertCopy reads and bumps the destination's counters itself.
          const c = insertCopy(
            {
              accountId: acc.id,
              mailboxId: dst.id,
              flags: { bits: m.sys_flags, keywords: splitKeywords(m.keywords) },
              internalDate: m.internal_date,
              size: m.size,
              blobId: m.blob_id,
              threadId: sameAccount ? m.thread_id : null,
              msgid: m.msgid,
              refs: sameAccount ? [] : refsOf(m.blob_id),
            },
            now,
          );
          uid = c.uid + 1;
          modseq = c.modseq;
          mapping.push({ from: m.uid, to: c.uid });
        }
      }
      if (move) {
        if (same) srcModseq = modseq;
        else s.setModseq.run(srcModseq, src.id);
        s.setCounters.run(uid, modseq, dst.id);
      }
      const events: MailEvent[] = [];
      if (mapping.length > 0) {
        if (move) {
          events.push({
            kind: "expunged",
            accountId: src.account_id,
            mailboxId: src.id,
            uids: mapping.map((x) => x.from),
            modseq: srcModseq,
          });
        }
        events.push({
          kind: "added",
          accountId: dst.account_id,
          mailboxId: dst.id,
          uids: mapping.map((x) => x.to),
          modseq,
          cause: move ? "move" : "copy",
          fromMailboxId: src.id,
        });
      }
      return { value: { uidValidity: dst.uid_validity, mapping }, events };
    });
  };

  const withStructure = (t: [...MessageTuple, string] | undefined): ParsedMessage | null => {
    if (!t) return null;
    const [structure, ...meta] = t as unknown as [string, ...MessageTuple];
    return { meta: toMeta(meta as MessageTuple), structure: parseStructureJson(structure) };
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
      return ctx.read(() => {
        rows.mustExist(mailboxId);
        const rowsOut = s.list.all(mailboxId, opts?.minUid ?? 1, opts?.maxUid ?? Number.MAX_SAFE_INTEGER);
        const out = new Array<MessageMeta>(rowsOut.length);
        for (let i = 0; i < rowsOut.length; i++) out[i] = toMeta(rowsOut[i]!);
        return out;
      });
    },
    async getMessage(mailboxId: number, uid: number, opts?: { body?: boolean }) {
      const m = ctx.read(() => withStructure(s.oneByUid.get(mailboxId, uid)));
      if (!m || !opts?.body) return m;
      try {
        return { ...m, body: await ctx.blobs.read(m.meta.blobId) };
      } catch (e) {
        // Expunged (and its body released) since the row was read: as if not found.
        if (e instanceof StoreError && e.code === "not-found") return null;
        throw e;
      }
    },
    async getMessageById(messageId: number) {
      return ctx.read(() => withStructure(s.oneById.get(messageId)));
    },
    async readBody(blobId: string): Promise<Buffer> {
      ctx.assertOpen();
      return ctx.blobs.read(blobId);
    },

    async setFlags(mailboxId: number, uids: number[], update: FlagUpdate): Promise<FlagUpdateResult> {
      const u = checkFlagUpdate(uids, update);
      return ctx.grouped(() => {
        const box = rows.mustCounters(mailboxId);
        let modseq = box.highest_modseq;
        const result: FlagUpdateResult = { updated: [], failedUnchangedSince: [] };
        const keywordsAdded = new Set<string>();
        const flagCopies = ctx.flagCopies;
        const changed: FlagRow[] = [];
        for (const uid of u.uids) {
          const m = s.row.get(box.id, uid);
          if (!m) continue;
          const next = nextFlags(m, u, keywordsAdded);
          if (next === "conflict") {
            result.failedUnchangedSince.push(uid);
            continue;
          }
          if (next === null) continue;
          s.setFlags.run(next.bits, next.keywords, ++modseq, m.id);
          result.updated.push({ uid, flags: flagList(next.bits, next.keywords), modseq, messageId: m.id });
          if (flagCopies) changed.push([uid, modseq, next.bits, next.keywords]);
        }
        if (modseq === box.highest_modseq) return { value: result };
        s.setModseq.run(modseq, box.id);
        const uidsChanged = result.updated.map((c) => c.uid);
        const before = box.highest_modseq;
        return {
          value: result,
          events: [flagsEvent(box, uidsChanged, modseq, keywordsAdded)],
          committed: flagCopies ? () => flagCopies.written(box.id, before, modseq, changed, []) : undefined,
        };
      });
    },
    async expunge(mailboxId: number, uids: number[]): Promise<number[]> {
      const list = checkUids(uids);
      return ctx.grouped(() => {
        const box = rows.mustCounters(mailboxId);
        let modseq = box.highest_modseq;
        const removed: number[] = [];
        for (const uid of list) {
          const m = s.row.get(box.id, uid);
          if (!m) continue;
          s.del.run(m.id);
          s.expunged.run(box.id, uid, ++modseq, m.id);
          removed.push(uid);
        }
        if (removed.length === 0) return { value: removed };
        s.setModseq.run(modseq, box.id);
        const flagCopies = ctx.flagCopies;
        const before = box.highest_modseq;
        return {
          value: removed,
          events: [{ kind: "expunged", accountId: box.account_id, mailboxId: box.id, uids: removed, modseq }],
          committed: flagCopies ? () => flagCopies.written(box.id, before, modseq, [], removed) : undefined,
        };
      });
    },
    async copy(fromMailboxId: number, uids: number[], toMailboxId: number) {
      return transfer(fromMailboxId, uids, toMailboxId, false);
    },
    async move(fromMailboxId: number, uids: number[], toMailboxId: number) {
      return transfer(fromMailboxId, uids, toMailboxId, true);
    },
    async changesSince(mailboxId: number, since: number): Promise<MessageChange[]> {
      return ctx.read(() => {
        rows.mustExist(mailboxId);
        return s.changes.all(mailboxId, since, mailboxId, since).map((r) => ({
          kind: r.created === -1 ? "expunged" : r.created > since ? "added" : "flags",
          uid: r.uid,
          modseq: r.modseq,
          messageId: r.id,
        }));
      });
    },
    async quotaUsage(accountId: number): Promise<QuotaUsage> {
      return ctx.read(() => {
        const a = mustAccount(accountId);
        return {
          bytes: a.used_bytes,
          messages: a.used_messages,
          quotaBytes: a.quota_bytes,
          quotaMessages: a.quota_messages,
        };
      });
    },
  };
}
