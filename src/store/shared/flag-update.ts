// setFlags without its SQL, the same on the SQLite (sqlite/messages.ts) and PostgreSQL
// (postgres/mail-flags.ts) stores: the checks of a call, each message's new flags (RFC 3501 6.4.6
// STORE; RFC 7162 3.1.3 UNCHANGEDSINCE) and the event that tells the sessions. Reading the rows,
// writing them and the mailbox's HIGHESTMODSEQ are each backend's.
import { StoreError } from "../errors.js";
import type { MailEvent } from "../notifier.js";
import type { FlagUpdate } from "../types.js";
import { applyFlags, joinKeywords, parseFlags, type StoredFlags, sameFlags, splitKeywords } from "./flags.js";

/** UIDs as a command names them: each a positive safe integer; answered ascending, each once. */
export function checkUids(uids: number[]): number[] {
  if (!Array.isArray(uids)) throw new StoreError("invalid", "UIDs must be an array");
  for (const u of uids) {
    if (!Number.isSafeInteger(u) || u <= 0) throw new StoreError("invalid", `invalid UID ${u}`);
  }
  return [...new Set(uids)].sort((a, b) => a - b);
}

/** A setFlags call, checked. */
export interface CheckedFlagUpdate {
  uids: number[];
  mode: FlagUpdate["mode"];
  change: StoredFlags;
  /** UNCHANGEDSINCE, if given. */
  since: number | undefined;
}

export function checkFlagUpdate(uids: number[], update: FlagUpdate): CheckedFlagUpdate {
  const list = checkUids(uids);
  const change = parseFlags(update.flags);
  const since = update.unchangedSince;
  if (since !== undefined && (!Number.isSafeInteger(since) || since < 0)) {
    throw new StoreError("invalid", "invalid UNCHANGEDSINCE");
  }
  return { uids: list, mode: update.mode, change, since };
}

/** A message's row as setFlags reads it. */
export interface FlagRowState {
  modseq: number;
  sys_flags: number;
  keywords: string;
}

/**
 * One message's flags after `u`: "conflict" when it changed after UNCHANGEDSINCE (left alone and
 * reported), null when its flags stay as they are (no new modseq), otherwise the new bits and the
 * stored keyword string. Keywords the message did not have are added, lower-cased, to `added`.
 */
export function nextFlags(
  m: FlagRowState,
  u: CheckedFlagUpdate,
  added: Set<string>,
): "conflict" | null | { bits: number; keywords: string } {
  if (u.since !== undefined && m.modseq > u.since) return "conflict";
  const cur = { bits: m.sys_flags, keywords: splitKeywords(m.keywords) };
  const next = applyFlags(cur, u.mode, u.change);
  if (sameFlags(cur, next)) return null;
  if (next.keywords.length > 0) {
    const had = new Set(cur.keywords.map((k) => k.toLowerCase()));
    for (const k of next.keywords) if (!had.has(k.toLowerCase())) added.add(k.toLowerCase());
  }
  return { bits: next.bits, keywords: joinKeywords(next.keywords) };
}

/** The event of one setFlags call that changed `uids`, the mailbox now at `modseq`. */
export function flagsEvent(
  box: { id: number; account_id: number },
  uids: number[],
  modseq: number,
  keywordsAdded: ReadonlySet<string>,
): MailEvent {
  return {
    kind: "flags",
    accountId: box.account_id,
    mailboxId: box.id,
    uids,
    modseq,
    ...(keywordsAdded.size > 0 ? { keywordsAdded: [...keywordsAdded] } : {}),
  };
}
