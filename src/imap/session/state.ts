// Session state (RFC 9051 3): a tagged union, so a handler that needs a selected mailbox gets one
// from requireSelected() and cannot touch one otherwise.
import type { Account, Mailbox } from "../../store/types.js";
import type { UidMap } from "./uid-map.js";

export interface SelectedMailbox {
  mailbox: Mailbox;
  readOnly: boolean; // EXAMINE, RFC 9051 6.3.3
  uids: UidMap; // what this client has been told exists
  /** Changes up to this modseq have been reported (or were this session's own). */
  knownModseq: number;
  /** Expunges seen but not yet allowed to be sent (during FETCH/STORE/SEARCH, RFC 9051 7.5.1). */
  deferredExpunges: Set<number>;
  /** Flag changes this session made itself, uid -> modseq, not to be echoed back. */
  ownChanges: Map<number, number>;
  /** SEARCH RETURN (SAVE) result for "$" (RFC 5182). */
  savedSearch: number[] | null;
  /** CONDSTORE is on for this selection (RFC 7162 3.1): FETCH responses carry MODSEQ. */
  condstore: boolean;
}

export type SessionState =
  | { kind: "not-authenticated" }
  | { kind: "authenticated"; account: Account }
  | { kind: "selected"; account: Account; selected: SelectedMailbox }
  | { kind: "logout" };

export type StateKind = SessionState["kind"];
