// Filing messages into mailboxes on PostgreSQL (issue 17): the one path every addition takes —
// deliver and append (messages.ts), COPY (mail-move.ts), imports (imports.ts) — so quota, threads,
// UIDs and mod-sequences are decided in one place, inside the caller's transaction.
//
// Concurrency: the target mailboxes' rows are locked first (ascending id), then the accounts'
// (ascending id), then the bodies' blob rows: the lock order of schema-mail.ts. Two nodes filing
// into one mailbox therefore take turns on its row, and each reads uid_next / highest_modseq as
// the other committed them: UIDs (RFC 3501 2.3.1.1) and MODSEQs (RFC 7162 3.1.2) never repeat and
// grow in commit order. The quota check reads the account row under its lock, so two deliveries
// cannot both fit in the last free bytes.
import { QuotaError, StoreError } from "../errors.js";
import type { AddedCause, MailEvent } from "../notifier.js";
import { joinKeywords, type StoredFlags } from "../shared/flags.js";
import { storeBlob } from "./blobs.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";

/** At most this many Message-IDs of References/In-Reply-To are looked up to find a thread. */
const THREAD_LOOKUP_MAX = 100;

/** One message to file. The body is given (stored, content-addressed, if new) or names a blob
 *  already stored (COPY). */
export interface FileItem {
  accountId: number;
  /** Omitted: the account's INBOX (a delivery), found in the statement that locks the mailboxes. */
  mailboxId?: number;
  flags: StoredFlags;
  /** Epoch milliseconds. */
  internalDate: number;
  body?: Buffer;
  /** sha256 of body, when the caller has it already. */
  hash?: string;
  /** Instead of body: an existing blob's id. */
  blobId?: number;
  /** The thread to join (a COPY within one account); omitted: found from the Message-IDs, or a
   *  new one. */
  threadId?: number;
  /** A UID at or above the mailbox's uidNext (an import keeping the old server's UIDs); the
   *  mailbox's uidNext becomes uid + 1. Omitted: the mailbox's uidNext. */
  uid?: number;
}

export interface FiledCopy {
  accountId: number;
  mailboxId: number;
  uid: number;
  modseq: number;
  messageId: number;
}

export interface FileOptions {
  cause: AddedCause;
  /** For "copy" / "move" events. */
  fromMailboxId?: number;
  /** Check the accounts' quotas over all the items (default true); QuotaError, nothing filed. */
  quota?: boolean;
  /** One "added" event per mailbox (default) or one per item (deliver, as the SQLite store). */
  eventPerItem?: boolean;
}

interface BoxRow {
  id: number;
  account_id: number;
  uid_next: number;
  highest_modseq: number;
}

interface AccountRow {
  id: number;
  quota_bytes: number;
  quota_messages: number;
  used_bytes: number;
  used_messages: number;
}

/** A row of the lock statement: a mailbox (kind 0) or an account (kind 1). */
interface LockedRow extends BoxRow, AccountRow {
  kind: number;
  inbox: boolean;
}

/**
 * The target mailboxes (by id, or the INBOX of the accounts in `inboxOf`), then the accounts,
 * locked in one round trip, in the lock order of schema-mail.ts: the UNION ALL reads its first
 * branch to the end (every mailbox row locked, ascending id) before the second (the accounts,
 * ascending id); each CTE is MATERIALIZED so that its ORDER BY … FOR NO KEY UPDATE is the order
 * in which the rows are locked.
 */
async function lockTargets(
  t: Tx,
  boxIds: number[],
  inboxOf: number[],
  accountIds: number[],
): Promise<{ boxes: Map<number, BoxRow>; inboxes: Map<number, number>; accounts: Map<number, AccountRow> }> {
  const rows = await t.rows<LockedRow>(
    `WITH b AS MATERIALIZED (
       SELECT id, account_id, uid_next, highest_modseq, name = 'INBOX' AS inbox FROM mailboxes
       WHERE id = ANY($1::bigint[]) OR (account_id = ANY($2::bigint[]) AND name = 'INBOX')
       ORDER BY id FOR NO KEY UPDATE),
     a AS MATERIALIZED (
       SELECT id, quota_bytes, quota_messages, used_bytes, used_messages FROM accounts
       WHERE id = ANY($3::bigint[]) ORDER BY id FOR NO KEY UPDATE)
     SELECT 0 AS kind, id, account_id, uid_next, highest_modseq, inbox,
            0::bigint AS quota_bytes, 0::bigint AS quota_messages, 0::bigint AS used_bytes,
            0::bigint AS used_messages FROM b
     UNION ALL
     SELECT 1, id, id, 0, 0, false, quota_bytes, quota_messages, used_bytes, used_messages FROM a`,
    [boxIds, inboxOf, accountIds],
  );
  const boxes = new Map<number, BoxRow>();
  const inboxes = new Map<number, number>();
  const accounts = new Map<number, AccountRow>();
  const wantInbox = new Set(inboxOf);
  for (const r of rows) {
    if (r.kind === 1) {
      accounts.set(r.id, r);
      continue;
    }
    boxes.set(r.id, r);
    if (r.inbox && wantInbox.has(r.account_id)) inboxes.set(r.account_id, r.id);
  }
  return { boxes, inboxes, accounts };
}

interface BlobRef {
  id: number;
  size: number;
  msgid: string | null;
  refs: string[];
}

const ascending = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);

/** Throws QuotaError if adding `bytes`/`count` would exceed the account's quota (0 = unlimited). */
export function checkQuota(a: AccountRow, bytes: number, count: number): void {
  if (a.quota_bytes > 0 && a.used_bytes + bytes > a.quota_bytes) {
    throw new QuotaError(a.id, `account ${a.id} is over its storage quota`);
  }
  if (a.quota_messages > 0 && a.used_messages + count > a.quota_messages) {
    throw new QuotaError(a.id, `account ${a.id} is over its message quota`);
  }
}

/** The Message-IDs looked up for a thread, in preference order, at most THREAD_LOOKUP_MAX. */
export function ancestors(ids: (string | null)[]): string[] {
  return ids.filter((x): x is string => x !== null).slice(0, THREAD_LOOKUP_MAX);
}

/** The thread of the nearest ancestor found among `ids` (preference order), or null. */
export async function findThread(t: Tx, accountId: number, ids: (string | null)[]): Promise<number | null> {
  const want = ancestors(ids);
  if (want.length === 0) return null;
  const rows = await t.rows<{ msgid: string; thread_id: number }>(
    `SELECT DISTINCT ON (msgid) msgid, thread_id FROM messages
     WHERE account_id = $1 AND msgid = ANY($2::text[]) ORDER BY msgid, id`,
    [accountId, want],
  );
  if (rows.length === 0) return null;
  const by = new Map(rows.map((r) => [r.msgid, r.thread_id]));
  for (const id of want) {
    const th = by.get(id);
    if (th !== undefined) return th;
  }
  return null;
}

/**
 * Files `items` inside transaction `t`: all or none. Returns the copies (in item order) and the
 * events to publish after COMMIT (return them from ctx.write). StoreError "not-found" for a
 * mailbox that is not the item's account's, "invalid" for a UID below uidNext; QuotaError.
 */
export async function fileMessages(
  t: Tx,
  ctx: Pick<PgCtx, "parse" | "limits">,
  items: readonly FileItem[],
  opts: FileOptions,
): Promise<{ copies: FiledCopy[]; events: MailEvent[] }> {
  if (items.length === 0) return { copies: [], events: [] };
  const locked = await lockTargets(
    t,
    ascending(items.flatMap((i) => (i.mailboxId === undefined ? [] : [i.mailboxId]))),
    ascending(items.flatMap((i) => (i.mailboxId === undefined ? [i.accountId] : []))),
    ascending(items.map((i) => i.accountId)),
  );
  const { boxes, accounts } = locked;
  // The items with their mailboxes named (the INBOX's id for those that had none).
  const placed: Placed[] = items.map((i) => {
    if (i.mailboxId !== undefined) return i as Placed;
    const inbox = locked.inboxes.get(i.accountId);
    if (inbox === undefined) throw new StoreError("not-found", `no INBOX for account ${i.accountId}`);
    return { ...i, mailboxId: inbox };
  });
  for (const i of placed) {
    if (!accounts.has(i.accountId)) throw new StoreError("not-found", `no account ${i.accountId}`);
    if (boxes.get(i.mailboxId)?.account_id !== i.accountId)
      throw new StoreError("not-found", `no mailbox ${i.mailboxId} for account ${i.accountId}`);
    if (!i.body && i.blobId === undefined) throw new StoreError("invalid", "a message needs a body");
  }

  // Existing blobs named by id, locked (the refcount trigger would lock them anyway).
  const named = new Map<number, BlobRef>();
  const ids = ascending(placed.flatMap((i) => (i.body || i.blobId === undefined ? [] : [i.blobId])));
  if (ids.length > 0) {
    for (const b of await t.rows<{ id: number; size: number; msgid: string | null; refs: string }>(
      "SELECT id, size, msgid, refs FROM blobs WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE",
      [ids],
    ))
      named.set(b.id, { id: b.id, size: b.size, msgid: b.msgid, refs: JSON.parse(b.refs) as string[] });
    for (const id of ids) if (!named.has(id)) throw new StoreError("not-found", `no blob ${id}`);
  }
  const sizeOf = (i: Placed) => (i.body ? i.body.length : named.get(i.blobId!)!.size);

  if (opts.quota !== false) {
    const add = new Map<number, { bytes: number; n: number }>();
    for (const i of placed) {
      const e = add.get(i.accountId) ?? { bytes: 0, n: 0 };
      e.bytes += sizeOf(i);
      e.n++;
      add.set(i.accountId, e);
    }
    for (const [id, e] of add) checkQuota(accounts.get(id)!, e.bytes, e.n);
  }

  // Bodies stored once per call however many copies name them.
  const stored = new Map<Buffer, BlobRef>();
  const blobOf = async (i: Placed): Promise<BlobRef> => {
    if (!i.body) return named.get(i.blobId!)!;
    let b = stored.get(i.body);
    if (!b) {
      const s = await storeBlob(t, i.body, ctx, { hash: i.hash, insertFirst: true });
      b = { id: s.id, size: s.size, msgid: s.msgid, refs: s.refs };
      stored.set(i.body, b);
    }
    return b;
  };

  const now = Date.now();
  const copies: FiledCopy[] = [];
  const rows: FileRow[] = [];
  for (const i of placed) {
    const box = boxes.get(i.mailboxId)!;
    const uid = i.uid ?? box.uid_next;
    // UIDs only ever grow (RFC 3501 2.3.1.1): one below uidNext could be one a client has seen.
    if (!Number.isSafeInteger(uid) || uid < box.uid_next)
      throw new StoreError("invalid", `UID ${uid} is below the mailbox's UIDNEXT`);
    const modseq = box.highest_modseq + 1;
    box.uid_next = uid + 1;
    box.highest_modseq = modseq;
    const blob = await blobOf(i);
    const anc = i.threadId === undefined ? ancestors([...[...blob.refs].reverse(), blob.msgid]) : [];
    rows.push({ item: i, uid, modseq, blob, anc, id: 0 });
  }
  // As few INSERT statements as the threads allow (one for a COPY): the triggers then update each
  // account, body and change_seq row once per statement, not once per message (schema-mail.ts).
  // A statement does not see its own rows, so an item whose thread may be that of an earlier item
  // of the same account (its ancestor's, or its own Message-ID's) starts a new statement.
  let start = 0;
  const pending = new Set<string>();
  const key = (accountId: number, msgid: string) => `${accountId} ${msgid}`;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (k > start && r.anc.some((x) => pending.has(key(r.item.accountId, x)))) {
      await insertRows(t, rows.slice(start, k), now, []);
      start = k;
      pending.clear();
    }
    if (r.blob.msgid !== null) pending.add(key(r.item.accountId, r.blob.msgid));
  }
  // The last statement also moves the mailboxes' uid_next / highest_modseq (rows locked above).
  const moved = ascending(placed.map((i) => i.mailboxId)).map((id) => boxes.get(id)!);
  await insertRows(t, rows.slice(start), now, moved);
  for (const r of rows)
    copies.push({
      accountId: r.item.accountId,
      mailboxId: r.item.mailboxId,
      uid: r.uid,
      modseq: r.modseq,
      messageId: r.id,
    });
  return { copies, events: addedEvents(copies, opts) };
}

/** An item with its mailbox named. */
type Placed = FileItem & { mailboxId: number };

interface FileRow {
  item: Placed;
  uid: number;
  modseq: number;
  blob: BlobRef;
  /** Message-IDs whose thread it joins, nearest first (empty: item.threadId is given). */
  anc: string[];
  /** The message's id, once inserted. */
  id: number;
}

/** One INSERT of `rows`, setting their ids, and the UPDATE of the mailboxes in `boxes` to their
 *  (new) uid_next and highest_modseq, in the same statement: one round trip. The thread: the one given, else that of the nearest
 *  ancestor (In-Reply-To / last References, then the message's own Message-ID; findThread's rule,
 *  here inside the INSERT), else a new one named by the message's own id (taken from the sequence
 *  before the row is written, in the CTE). */
async function insertRows(t: Tx, rows: FileRow[], now: number, boxes: BoxRow[]): Promise<void> {
  if (rows.length === 0) return;
  const inserted = await t.rows<{ id: number; mailbox_id: number; uid: number }>(
    `WITH u AS (
       UPDATE mailboxes m SET uid_next = x.uid_next, highest_modseq = x.highest_modseq
       FROM unnest($14::bigint[], $15::bigint[], $16::bigint[]) AS x(id, uid_next, highest_modseq)
       WHERE m.id = x.id),
     v AS (
       SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id, v.*
       FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::int[], $7::text[],
                   $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[])
            WITH ORDINALITY AS v(acc, box, uid, ms, bits, kw, idate, size, blob, thread, msgid, anc, ord)
       ORDER BY v.ord)
     INSERT INTO messages (id, account_id, mailbox_id, uid, modseq, created_modseq, sys_flags, keywords,
       internal_date, saved_date, size, blob_id, thread_id, msgid)
     SELECT v.id, v.acc, v.box, v.uid, v.ms, v.ms, v.bits, v.kw, v.idate, $1, v.size, v.blob,
       coalesce(v.thread,
         (SELECT m.thread_id FROM messages m WHERE m.account_id = v.acc AND m.msgid = ANY(a.anc)
          ORDER BY array_position(a.anc, m.msgid), m.id LIMIT 1),
         v.id),
       v.msgid
     FROM v CROSS JOIN LATERAL (SELECT ARRAY(SELECT json_array_elements_text(v.anc::json)) AS anc) a
     RETURNING id, mailbox_id, uid`,
    [
      now,
      rows.map((r) => r.item.accountId),
      rows.map((r) => r.item.mailboxId),
      rows.map((r) => r.uid),
      rows.map((r) => r.modseq),
      rows.map((r) => r.item.flags.bits),
      rows.map((r) => joinKeywords(r.item.flags.keywords)),
      rows.map((r) => r.item.internalDate),
      rows.map((r) => r.blob.size),
      rows.map((r) => r.blob.id),
      rows.map((r) => r.item.threadId ?? null),
      rows.map((r) => r.blob.msgid),
      rows.map((r) => JSON.stringify(r.anc)),
      boxes.map((b) => b.id),
      boxes.map((b) => b.uid_next),
      boxes.map((b) => b.highest_modseq),
    ],
  );
  // (mailbox, uid) is unique: the rows' ids back in item order.
  const idOf = new Map(inserted.map((x) => [`${x.mailbox_id} ${x.uid}`, x.id]));
  for (const r of rows) r.id = idOf.get(`${r.item.mailboxId} ${r.uid}`)!;
}

export function addedEvents(copies: FiledCopy[], opts: FileOptions): MailEvent[] {
  const from = opts.fromMailboxId === undefined ? {} : { fromMailboxId: opts.fromMailboxId };
  const event = (c: FiledCopy, uids: number[], modseq: number): MailEvent => ({
    kind: "added",
    accountId: c.accountId,
    mailboxId: c.mailboxId,
    uids,
    modseq,
    cause: opts.cause,
    ...from,
  });
  if (opts.eventPerItem) return copies.map((c) => event(c, [c.uid], c.modseq));
  const by = new Map<number, { first: FiledCopy; uids: number[]; modseq: number }>();
  for (const c of copies) {
    const e = by.get(c.mailboxId);
    if (e) {
      e.uids.push(c.uid);
      e.modseq = c.modseq;
    } else by.set(c.mailboxId, { first: c, uids: [c.uid], modseq: c.modseq });
  }
  return [...by.values()].map((e) => event(e.first, e.uids, e.modseq));
}
