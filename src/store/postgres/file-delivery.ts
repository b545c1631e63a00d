// A delivery or APPEND filed in one statement, sent on its own (autocommit): file_delivery()
// (schema-filing.ts, schema v2) locks, checks the quota, stores the body and inserts the rows in
// the same order and under the same rules as fileMessages (mail-file.ts). One round trip instead
// of five (BEGIN, locks, body, rows, COMMIT); the statement's commit has returned before the
// caller answers (SMTP's 250 comes after a durable commit, synchronous_commit on).
//
// Only for a body that fits one chunk (ctx.limits.chunkBytes); a larger one goes through
// fileMessages, which writes its further chunks.
import type { MessageStructure } from "../../mime/types.js";
import { QuotaError, StoreError } from "../errors.js";
import type { AddedCause } from "../notifier.js";
import { joinKeywords, type StoredFlags } from "../shared/flags.js";
import { firstId, threadRefs } from "../shared/thread-refs.js";
import type { PgCtx } from "./context.js";
import { addedEvents, ancestors, type FiledCopy } from "./mail-file.js";

export interface DeliveryTargetRow {
  accountId: number;
  /** Omitted: the account's INBOX. */
  mailboxId: number | undefined;
  flags: StoredFlags;
}

export interface OneStatementDelivery {
  body: Buffer;
  hash: string;
  structure: MessageStructure;
  targets: readonly DeliveryTargetRow[];
  /** Epoch milliseconds. */
  internalDate: number;
  cause: AddedCause;
}

interface Filed {
  r_account: number;
  r_mailbox: number;
  r_uid: number;
  r_modseq: number;
  r_id: number;
}

/** file_delivery's errors as the store's: YB404 not found, YB507 over quota. */
function typed(e: unknown): unknown {
  const err = e as { code?: string; message?: string; detail?: string };
  if (err?.code === "YB404") return new StoreError("not-found", err.message ?? "not found");
  if (err?.code === "YB507") return new QuotaError(Number(err.detail), err.message ?? "over quota");
  return e;
}

/** Files the body into every target in one statement; the copies in target order. Publishes the
 *  events once the statement (and so its transaction) has committed. */
export async function fileDelivery(ctx: PgCtx, d: OneStatementDelivery): Promise<FiledCopy[]> {
  ctx.assertOpen();
  const msgid = firstId(d.structure.envelope.messageId);
  const refs = threadRefs(d.structure);
  const params = [
    d.targets.map((t) => t.accountId),
    d.targets.map((t) => t.mailboxId ?? 0),
    d.targets.map((t) => t.flags.bits),
    d.targets.map((t) => joinKeywords(t.flags.keywords)),
    d.internalDate,
    Date.now(),
    true,
    d.hash,
    d.body.length,
    msgid,
    JSON.stringify(refs),
    JSON.stringify(d.structure),
    d.body,
    ancestors([...[...refs].reverse(), msgid]),
  ];
  // A deadlock or serialization failure is sent again by db.rows (db.ts), as every autocommit
  // statement is.
  let rows: Filed[];
  try {
    rows = await ctx.db.rows<Filed>(
      `SELECT r_account, r_mailbox, r_uid, r_modseq, r_id
       FROM file_delivery($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5, $6, $7, $8, $9,
                          $10, $11, $12, $13, $14::text[])`,
      params,
    );
  } catch (e) {
    throw typed(e);
  }
  const copies = rows.map((r) => ({
    accountId: r.r_account,
    mailboxId: r.r_mailbox,
    uid: r.r_uid,
    modseq: r.r_modseq,
    messageId: r.r_id,
  }));
  for (const e of addedEvents(copies, { cause: d.cause, eventPerItem: true })) ctx.notifier.publish(e);
  ctx.onCommit?.();
  return copies;
}
