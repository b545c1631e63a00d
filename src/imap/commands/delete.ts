// RFC 9051 6.3.5 DELETE. INBOX cannot be deleted; neither can the selected mailbox here, to keep
// the session's view simple.
import { no } from "../errors.js";
import { findMailbox } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

export const del: CommandSpec<"DELETE"> = {
  states: AUTH,
  async run(cmd, s) {
    if (cmd.mailbox === "INBOX") throw no("INBOX cannot be deleted", "CANNOT");
    const mb = await findMailbox(s, cmd.mailbox);
    if (s.state.kind === "selected" && s.state.selected.mailbox.id === mb.id)
      throw no("Mailbox is selected", "INUSE");
    await s.app.store.mail.deleteMailbox(mb.id);
    return undefined;
  },
};
