// RFC 9051 6.3.7 SUBSCRIBE and 6.3.8 UNSUBSCRIBE.
import { findMailbox } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

export const subscribe: CommandSpec<"SUBSCRIBE" | "UNSUBSCRIBE"> = {
  states: AUTH,
  async run(cmd, s) {
    const mb = await findMailbox(s, cmd.mailbox);
    await s.app.store.mail.setSubscribed(mb.id, cmd.name === "SUBSCRIBE");
    return undefined;
  },
};
