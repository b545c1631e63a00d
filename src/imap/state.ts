// Session state (RFC 9051 3): a tagged union, so a handler that needs a selected mailbox gets one
// from requireSelected() and cannot touch one otherwise.
import type { LoginCheck } from "../auth/login-recheck.js";
import type { Mailbox } from "../store/types.js";
import type { UidMap } from "./uid-map.js";

/** What a session keeps of its account: the id, and the stamp of the password it logged in with
 *  and when to re-read the account (auth/login-recheck.ts); the rest is read from the store when
 *  needed. */
export type SessionAccount = LoginCheck;

/** The selected mailbox as the session keeps it: without the row's creation Date (96 bytes per
 *  idle client). */
export type SessionMailbox = Omit<Mailbox, "createdAt">;

export function sessionMailbox(m: Mailbox): SessionMailbox {
  const { createdAt: _, ...kept } = m;
  return kept;
}

export interface SelectedMailbox {
  mailbox: SessionMailbox;
  readOnly: boolean; // EXAMINE, RFC 9051 6.3.3
  uids: UidMap; // what this client has been told exists
  /** Changes up to this modseq have been reported (or were this session's own). */
  knownModseq: number;
  /** Expunges seen but not yet allowed to be sent (during FETCH/STORE/SEARCH, RFC 9051 7.5.1).
   *  null while there are none: an empty Set costs ~200 bytes, kept by every idle client. */
  deferredExpunges: Set<number> | null;
  /** Flag changes this session made itself, uid -> modseq, not to be echoed back (null: none). */
  ownChanges: Map<number, number> | null;
  /** SEARCH RETURN (SAVE) result for "$" (RFC 5182). */
  savedSearch: number[] | null;
  /** CONDSTORE is on for this selection (RFC 7162 3.1): FETCH responses carry MODSEQ. */
  condstore: boolean;
  /** Keywords the client has been told of in FLAGS (null: none yet, only system flags). */
  keywords: string[] | null;
  /** UID ranges [from, to] recent in this session (RFC 3501 2.3.2; null: none, and always null
   *  for IMAP4rev2, which has no \Recent). */
  recent: [number, number][] | null;
}

/** `known` plus the keywords of `flags` it lacks (case-insensitively, RFC 9051 2.3.2); `known`
 *  itself when there are none, so a caller can tell whether the FLAGS list grew. */
export function withKeywords(known: string[] | null, flags: readonly string[]): string[] | null {
  let out = known;
  for (const f of flags) {
    if (f.startsWith("\\")) continue;
    const lower = f.toLowerCase();
    if (out?.some((k) => k.toLowerCase() === lower)) continue;
    out = [...(out ?? []), f];
  }
  return out;
}

/** Adds a claimed range (store claimRecent) to the session's recent set; empty ranges are ignored. */
export function addRecent(sel: SelectedMailbox, from: number, to: number): void {
  if (from > to) return;
  const last = sel.recent?.at(-1);
  if (last && last[1] + 1 >= from) last[1] = Math.max(last[1], to);
  else if (sel.recent) sel.recent.push([from, to]);
  else sel.recent = [[from, to]];
}

export function isRecent(sel: SelectedMailbox, uid: number): boolean {
  return sel.recent?.some(([a, b]) => uid >= a && uid <= b) ?? false;
}

/** How many messages in the client's view are recent (the "* n RECENT" response). */
export function recentCount(sel: SelectedMailbox): number {
  let n = 0;
  for (const [a, b] of sel.recent ?? []) n += sel.uids.countRange(a, b);
  return n;
}

/** The flags a response shows: the stored ones, and \Recent for this session's recent messages. */
export function shownFlags(sel: SelectedMailbox, uid: number, flags: string[]): string[] {
  return isRecent(sel, uid) ? [...flags, "\\Recent"] : flags;
}

/** sel.ownChanges, made on first use. */
export function ownChanges(sel: SelectedMailbox): Map<number, number> {
  sel.ownChanges ??= new Map();
  return sel.ownChanges;
}

/** sel.deferredExpunges, made on first use. */
export function deferredExpunges(sel: SelectedMailbox): Set<number> {
  sel.deferredExpunges ??= new Set();
  return sel.deferredExpunges;
}

export type SessionState =
  | { kind: "not-authenticated" }
  | { kind: "authenticated"; account: SessionAccount }
  | { kind: "selected"; account: SessionAccount; selected: SelectedMailbox }
  | { kind: "logout" };

export type StateKind = SessionState["kind"];
