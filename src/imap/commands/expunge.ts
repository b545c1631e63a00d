// RFC 9051 6.4.3 EXPUNGE and RFC 4315 2.1 UID EXPUNGE: remove \Deleted messages (only those in the
// UID set for UID EXPUNGE), answering one "* n EXPUNGE" per message removed
// (or "* VANISHED" after ENABLE QRESYNC, RFC 7162 3.2.10).
import { no } from "../errors.js";
import type { SelectedMailbox } from "../state.js";
import type { SequenceSet } from "../wire/sequence.js";
import type { Session } from "./context.js";
import { type CommandSpec, SELECTED } from "./types.js";

export async function expungeDeleted(
  s: Session,
  sel: SelectedMailbox,
  only: SequenceSet | null,
  opts: { silent: boolean },
): Promise<void> {
  const allowed = only ? new Set(sel.uids.resolveUid(only, sel.savedSearch)) : null;
  // Only the \Deleted UIDs are read (an index of them), not the whole mailbox.
  const deleted = await s.app.store.mail.uidsWithFlag(sel.mailbox.id, "\\Deleted");
  const doomed = deleted.filter((u) => sel.uids.seqOf(u) !== 0 && (!allowed || allowed.has(u)));
  if (doomed.length === 0) return;
  const removed = await s.app.store.mail.expunge(sel.mailbox.id, doomed);
  s.expunged(sel, removed, opts);
  await s.io.drain();
}

export const expunge: CommandSpec<"EXPUNGE"> = {
  states: SELECTED,
  async run(cmd, s) {
    const sel = s.requireSelected();
    if (sel.readOnly) throw no("Mailbox is read-only", "NOPERM");
    await expungeDeleted(s, sel, cmd.uids, { silent: false });
    return undefined;
  },
};
