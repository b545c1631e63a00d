// RFC 9051 6.3.2 SELECT and 6.3.3 EXAMINE (RFC 3501 6.3.1/6.3.2 for RECENT), with the CONDSTORE
// select parameter and HIGHESTMODSEQ (RFC 7162 3.1.8, 3.1.2.1).
import { UidMap } from "../session/uid-map.js";
import { findMailbox, SYSTEM_FLAGS } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

export const select: CommandSpec<"SELECT" | "EXAMINE"> = {
  states: AUTH,
  async run(cmd, s) {
    const account = s.requireAccount();
    if (s.state.kind === "selected") {
      // Selecting again deselects first, with no expunge (RFC 9051 6.3.2); CLOSED marks the point.
      s.state = { kind: "authenticated", account };
      s.sendLine("* OK [CLOSED] Previous mailbox closed");
    }
    const readOnly = cmd.name === "EXAMINE";
    const mailbox = await findMailbox(s, cmd.mailbox);
    const metas = await s.app.store.mail.listMessages(mailbox.id);
    const uids = new UidMap(metas.map((m) => m.uid));
    const firstUnseen = metas.findIndex((m) => !m.flags.includes("\\Seen"));
    const condstore = cmd.condstore || s.enabled.has("CONDSTORE");
    if (cmd.condstore) s.enabled.add("CONDSTORE");
    s.markClean();
    s.state = {
      kind: "selected",
      account,
      selected: {
        mailbox,
        readOnly,
        uids,
        knownModseq: mailbox.highestModseq,
        deferredExpunges: new Set(),
        ownChanges: new Map(),
        savedSearch: null,
        condstore,
      },
    };
    const uidNext = Math.max(mailbox.uidNext, uids.maxUid() + 1);
    s.sendLine(`* FLAGS (${SYSTEM_FLAGS.join(" ")})`);
    s.sendLine(
      readOnly
        ? "* OK [PERMANENTFLAGS ()] Read-only mailbox"
        : `* OK [PERMANENTFLAGS (${SYSTEM_FLAGS.join(" ")} \\*)] Flags permitted`,
    );
    s.sendLine(`* ${uids.size} EXISTS`);
    s.sendLine("* 0 RECENT");
    if (firstUnseen >= 0) s.sendLine(`* OK [UNSEEN ${firstUnseen + 1}] First unseen`);
    s.sendLine(`* OK [UIDVALIDITY ${mailbox.uidValidity}] UIDs valid`);
    s.sendLine(`* OK [UIDNEXT ${uidNext}] Predicted next UID`);
    s.sendLine(`* OK [HIGHESTMODSEQ ${mailbox.highestModseq}] Highest`);
    // A change between reading the mailbox and its messages is picked up at the next report.
    const again = await s.app.store.mail.getMailboxById(mailbox.id);
    if (again && again.highestModseq !== mailbox.highestModseq) s.markDirty();
    return { code: readOnly ? "READ-ONLY" : "READ-WRITE", text: `${cmd.name} completed` };
  },
};
