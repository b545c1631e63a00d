// The outbound queue's backend-neutral pieces: the row as both stores read it, its conversion to a
// QueuedMessage and the checks on states and recipients. Used by the SQLite (sqlite/queue.ts) and
// PostgreSQL (postgres/queue.ts) stores.
import { StoreError } from "../errors.js";
import type {
  ClaimedQueuedMessage,
  NewQueuedMessage,
  QueuedMessage,
  QueuedRecipient,
  QueuePatch,
} from "../types.js";

export type { QueuePatch };

/** A queue row joined with its blob's hash, as both backends select it. */
export interface QueueRow {
  id: number;
  hash: string;
  size: number;
  mail_from: string;
  recipients: string;
  env_id: string | null;
  ret: string | null;
  account_id: number | null;
  created_at: number;
  next_attempt_at: number;
  attempts: number;
  last_error: string | null;
  state: string;
  cid: string | null;
  /** The lease token: how many times the entry was claimed (ClaimedQueuedMessage). */
  lease: number;
}

// "held" entries (an account whose sending is frozen: sending.ts) are never claimed by either store.
export const STATES = new Set<QueuedMessage["state"]>([
  "queued",
  "deferred",
  "sending",
  "held",
  "failed",
  "done",
]);
const RCPT_STATES = new Set<QueuedRecipient["state"]>(["pending", "delivered", "failed"]);

export const toQueued = (r: QueueRow): QueuedMessage => ({
  id: r.id,
  blobId: r.hash,
  size: r.size,
  mailFrom: r.mail_from,
  recipients: JSON.parse(r.recipients) as QueuedRecipient[],
  envId: r.env_id,
  ret: r.ret as QueuedMessage["ret"],
  accountId: r.account_id,
  createdAt: new Date(r.created_at),
  nextAttemptAt: new Date(r.next_attempt_at),
  attempts: r.attempts,
  lastError: r.last_error,
  state: r.state as QueuedMessage["state"],
  cid: r.cid,
});

/** A claimed row as the engine gets it: the entry and its new lease token. */
export const toClaimed = (r: QueueRow): ClaimedQueuedMessage => ({ ...toQueued(r), lease: Number(r.lease) });

/** The recipients as stored: at least one, each with an address and a known state. */
export function checkRecipients(list: QueuedRecipient[]): QueuedRecipient[] {
  if (!Array.isArray(list) || list.length === 0)
    throw new StoreError("invalid", "a queue entry needs recipients");
  return list.map((r) => {
    if (typeof r.address !== "string" || r.address === "") throw new StoreError("invalid", "empty recipient");
    if (!RCPT_STATES.has(r.state)) throw new StoreError("invalid", `invalid recipient state ${r.state}`);
    return {
      address: r.address,
      notify: r.notify ?? null,
      orcpt: r.orcpt ?? null,
      state: r.state,
      lastError: r.lastError ?? null,
    };
  });
}

/** A new entry's checked parts: its recipients (all pending), RET (RFC 3461 4.3) and first state. */
export function checkNewEntry(msg: NewQueuedMessage): {
  recipients: QueuedRecipient[];
  ret: "FULL" | "HDRS" | null;
  state: "queued" | "held";
} {
  if (!Buffer.isBuffer(msg.body)) throw new StoreError("invalid", "body must be a Buffer");
  const recipients = checkRecipients(
    (msg.recipients ?? []).map((r) => ({
      ...r,
      notify: r.notify ?? null,
      orcpt: r.orcpt ?? null,
      state: "pending",
      lastError: null,
    })),
  );
  const ret = msg.ret ?? null;
  if (ret !== null && ret !== "FULL" && ret !== "HDRS") throw new StoreError("invalid", `invalid RET ${ret}`);
  const state = msg.state ?? "queued";
  if (state !== "queued" && state !== "held")
    throw new StoreError("invalid", `invalid initial state ${state}`);
  return { recipients, ret, state };
}

/** updateQueued's patch, checked (state, nextAttemptAt, attempts, then recipients, each in that
 *  order) with its recipients as stored; StoreError "invalid" for a bad field. */
export function checkQueuePatch(patch: QueuePatch): QueuePatch {
  if (patch.state !== undefined && !STATES.has(patch.state))
    throw new StoreError("invalid", `invalid state ${patch.state}`);
  if (
    patch.nextAttemptAt !== undefined &&
    (!(patch.nextAttemptAt instanceof Date) || !Number.isFinite(patch.nextAttemptAt.getTime()))
  )
    throw new StoreError("invalid", "invalid nextAttemptAt");
  if (patch.attempts !== undefined && (!Number.isSafeInteger(patch.attempts) || patch.attempts < 0))
    throw new StoreError("invalid", "invalid attempts");
  return patch.recipients === undefined ? patch : { ...patch, recipients: checkRecipients(patch.recipients) };
}

/** The entry `cur` with a checked patch applied (a new object; `cur` is left as it was). */
export function patchedEntry(cur: QueuedMessage, patch: QueuePatch): QueuedMessage {
  const next: QueuedMessage = { ...cur };
  if (patch.state !== undefined) next.state = patch.state;
  if (patch.nextAttemptAt !== undefined) next.nextAttemptAt = patch.nextAttemptAt;
  if (patch.attempts !== undefined) next.attempts = patch.attempts;
  if (patch.lastError !== undefined) next.lastError = patch.lastError;
  if (patch.recipients !== undefined) next.recipients = patch.recipients;
  return next;
}
