// RFC 7162 3.1: a CONDSTORE-enabling command (FETCH MODSEQ or CHANGEDSINCE, STORE UNCHANGEDSINCE,
// SEARCH MODSEQ, ...) turns CONDSTORE on for the session; issued with a mailbox selected, the
// server then tells the client the mailbox's HIGHESTMODSEQ in an untagged OK, since it did not get
// one at SELECT. The value is what this session has seen (knownModseq): changes after it are still
// to be reported to it, so a client resyncing from it misses none.
import type { SelectedMailbox } from "../state.js";
import type { Session } from "./context.js";

export function enableCondstore(s: Session, sel: SelectedMailbox): void {
  s.enabled.add("CONDSTORE");
  if (sel.condstore) return;
  sel.condstore = true;
  s.sendLine(`* OK [HIGHESTMODSEQ ${sel.knownModseq}] Highest`);
}
