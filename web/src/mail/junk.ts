// "Spam" and "Not spam": a move to Junk or back to the Inbox together with the keywords mail
// clients use to say what the user decided ($junk / $notjunk, RFC 8621 4.1.1 and the IANA IMAP
// keywords registry, RFC 5788), in one Email/set so the server trains its filter from the move
// and the keyword together (one change, never half of it).
import type { Args, JmapApi } from "../api/jmap";
import { update } from "./actions";

/** The patch for each message: its only mailbox becomes `mailboxId`, one keyword set, its
 *  opposite cleared (a message re-judged must not carry both). */
export function junkPatches(ids: string[], mailboxId: string, spam: boolean): Record<string, Args> {
  const patch: Args = {
    mailboxIds: { [mailboxId]: true },
    "keywords/$junk": spam ? true : null,
    "keywords/$notjunk": spam ? null : true,
  };
  return Object.fromEntries(ids.map((id) => [id, patch]));
}

export function reportJunk(jmap: JmapApi, ids: string[], mailboxId: string, spam: boolean): Promise<void> {
  return update(jmap, junkPatches(ids, mailboxId, spam));
}
