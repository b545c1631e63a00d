// RFC 9051 6.3.7 SUBSCRIBE and 6.3.8 UNSUBSCRIBE. A deleted mailbox's subscription stays until
// UNSUBSCRIBE (6.3.7: the server must not drop it), so UNSUBSCRIBE also takes names with no mailbox.
import { no } from "../errors.js";
import { findMailbox } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

export const subscribe: CommandSpec<"SUBSCRIBE" | "UNSUBSCRIBE"> = {
  states: AUTH,
  async run(cmd, s) {
    const mail = s.app.store.mail;
    if (cmd.name === "UNSUBSCRIBE") {
      const account = s.requireAccount();
      const mb = await mail.getMailbox(account.id, cmd.mailbox);
      if (mb) await mail.setSubscribed(mb.id, false);
      else if (!(await mail.unsubscribeDangling(account.id, cmd.mailbox)))
        throw no("No such mailbox", "NONEXISTENT");
      return undefined;
    }
    const mb = await findMailbox(s, cmd.mailbox);
    await mail.setSubscribed(mb.id, true);
    return undefined;
  },
};
