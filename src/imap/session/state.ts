// Session state (RFC 9051 3): a tagged union, so a handler that needs a selected mailbox gets one
// from requireSelected() and cannot touch one otherwise.
import type { Mailbox } from "../../store/types.js";
import type { UidMap } from "./uid-map.js";

/** What a session keeps of its account: the id (the rest is read from the store when needed). */
export interface SessionAccount {
  id: number;
}

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
