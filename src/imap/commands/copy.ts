// RFC 9051 6.4.7 COPY and RFC 6851 MOVE (plain and UID), answering COPYUID (RFC 4315 3). MOVE
// reports COPYUID untagged before the EXPUNGEs, as RFC 6851 3.3 asks.
import { no } from "../errors.js";
import { formatSet } from "../wire/sequence.js";
import { findMailbox } from "./mailbox-common.js";
import { type CommandSpec, SELECTED } from "./types.js";

export const copy: CommandSpec<"COPY" | "MOVE"> = {
  states: SELECTED,
  async run(cmd, s) {
    const sel = s.requireSelected();
    if (cmd.name === "MOVE" && sel.readOnly) throw no("Mailbox is read-only", "NOPERM");
    const uids = cmd.uid
      ? sel.uids.resolveUid(cmd.set, sel.savedSearch)
      : sel.uids.resolveSeq(cmd.set, sel.savedSearch);
    const target = await findMailbox(s, cmd.mailbox, "TRYCREATE");
    if (uids.length === 0) return undefined;
    const mail = s.app.store.mail;
    const r =
      cmd.name === "MOVE"
        ? await mail.move(sel.mailbox.id, uids, target.id)
        : await mail.copy(sel.mailbox.id, uids, target.id);
    const mapping = [...r.mapping].sort((a, b) => a.from - b.from);
    const code =
      mapping.length > 0
        ? `COPYUID ${r.uidValidity} ${formatSet(mapping.map((m) => m.from))} ${formatSet(mapping.map((m) => m.to))}`
        : undefined;
    if (cmd.name === "COPY") return { code, text: "COPY completed" };
    if (code) s.sendLine(`* OK [${code}] Moved`);
    s.expunged(
      sel,
      mapping.map((m) => m.from),
    );
    await s.io.drain();
    return { text: "MOVE completed" };
  },
};
