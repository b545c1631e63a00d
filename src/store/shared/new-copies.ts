// The argument checks of MailStore.deliver and append, the same on the SQLite
// (sqlite/messages.ts) and PostgreSQL (postgres/messages.ts) stores: a Buffer body, at least one
// target, valid flags, a valid internal date (RFC 3501 2.3.3; now when none is given). What
// follows (quota, mailbox lookup, filing) is each backend's.
import { StoreError } from "../errors.js";
import type { DeliveryTarget, NewMessage } from "../types.js";
import { parseFlags, type StoredFlags } from "./flags.js";

/** One mailbox a body goes to, its flags checked; no mailboxId: the account's INBOX. */
export interface CheckedTarget {
  accountId: number;
  mailboxId: number | undefined;
  flags: StoredFlags;
}

/** One body for one or more mailboxes, checked. */
export interface NewCopies {
  body: Buffer;
  targets: CheckedTarget[];
  /** Epoch milliseconds. */
  internalDate: number;
}

function internalDateOf(d: Date | undefined): number {
  if (d === undefined) return Date.now();
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new StoreError("invalid", "invalid internal date");
  return t;
}

function checkBody(body: Buffer): void {
  if (!Buffer.isBuffer(body)) throw new StoreError("invalid", "body must be a Buffer");
}

/** deliver(body, targets, opts): StoreError "invalid" for a bad body, no target, a bad flag or date. */
export function checkDeliver(
  body: Buffer,
  targets: readonly DeliveryTarget[],
  opts?: { internalDate?: Date },
): NewCopies {
  checkBody(body);
  if (!Array.isArray(targets) || targets.length === 0) throw new StoreError("invalid", "no delivery target");
  const internalDate = internalDateOf(opts?.internalDate);
  return {
    body,
    internalDate,
    targets: targets.map((t) => ({
      accountId: t.accountId,
      mailboxId: t.mailboxId,
      flags: parseFlags(t.flags ?? []),
    })),
  };
}

/** append(accountId, mailboxId, msg): StoreError "invalid" for a bad body, flag or date. */
export function checkAppend(accountId: number, mailboxId: number, msg: NewMessage): NewCopies {
  checkBody(msg.body);
  const flags = parseFlags(msg.flags ?? []);
  return {
    body: msg.body,
    targets: [{ accountId, mailboxId, flags }],
    internalDate: internalDateOf(msg.internalDate),
  };
}
