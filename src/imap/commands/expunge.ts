// RFC 9051 6.4.3 EXPUNGE and RFC 4315 2.1 UID EXPUNGE: remove \Deleted messages (only those in the
// UID set for UID EXPUNGE), answering one "* n EXPUNGE" per message removed
// (or "* VANISHED" after ENABLE QRESYNC, RFC 7162 3.2.10).
import { no } from "../errors.js";
import type { SequenceSet } from "../protocol/sequence.js";
import type { Session } from "../session/session.js";
import type { SelectedMailbox } from "../session/state.js";
import { type CommandSpec, SELECTED } from "./types.js";

export async function expungeDeleted(
  s: Session,
  sel: SelectedMailbox,
  only: SequenceSet | null,
  opts: { silent: boolean },
): Promise<void> {
  const allowed = only ? new Set(sel.uids.resolveUid(only, sel.savedSearch)) : null;
  const metas = await s.app.store.mail.listMessages(sel.mailbox.id);
  const doomed = metas
    .filter((m) => m.flags.includes("\\Deleted") && sel.uids.seqOf(m.uid) !== 0)
    .filter((m) => !allowed || allowed.has(m.uid))
    .map((m) => m.uid);
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
