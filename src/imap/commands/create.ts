// RFC 9051 6.3.4 CREATE: a trailing delimiter is dropped, missing parents are created too; the
// OK carries MAILBOXID (RFC 8474 4.1). Nothing is subscribed by CREATE (clients SUBSCRIBE after it,
// as Dovecot expects them to), unless the name kept a subscription from a deleted mailbox.
import { no } from "../errors.js";
import { mailboxObjectId } from "../format/objectid.js";
import { checkNewName, DELIMITER } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

export const create: CommandSpec<"CREATE"> = {
  states: AUTH,
  async run(cmd, s) {
    const account = s.requireAccount();
    const name = checkNewName(cmd.mailbox);
    const mail = s.app.store.mail;
    if (name === "INBOX" || (await mail.getMailbox(account.id, name)))
      throw no("Mailbox already exists", "ALREADYEXISTS");
    const segments = name.split(DELIMITER);
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join(DELIMITER);
      if (!(await mail.getMailbox(account.id, parent)))
        await mail.createMailbox(account.id, parent, { subscribed: false });
    }
    const mb = await mail.createMailbox(account.id, name, { subscribed: false });
    // RFC 8474 4.1: the new mailbox's id in the tagged OK.
    return { code: `MAILBOXID (${mailboxObjectId(mb.id)})` };
  },
};
