// RFC 9051 6.3.6 RENAME: children move with their parent; renaming INBOX moves its messages into
// a new mailbox and leaves INBOX empty (done by the store).
import { no } from "../errors.js";
import { checkNewName, DELIMITER, findMailbox } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

export const rename: CommandSpec<"RENAME"> = {
  states: AUTH,
  async run(cmd, s) {
    const account = s.requireAccount();
    const to = checkNewName(cmd.to);
    const mail = s.app.store.mail;
    const from = await findMailbox(s, cmd.from);
    if (to === "INBOX" || (await mail.getMailbox(account.id, to))) throw no("Target exists", "ALREADYEXISTS");
    if (to.startsWith(from.name + DELIMITER)) throw no("Cannot move a mailbox into itself", "CANNOT");
    const all = await mail.listMailboxes(account.id);
    const children = from.name === "INBOX" ? [] : all.filter((m) => m.name.startsWith(from.name + DELIMITER));
    const segments = to.split(DELIMITER);
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join(DELIMITER);
      if (!(await mail.getMailbox(account.id, parent))) await mail.createMailbox(account.id, parent);
    }
    await mail.renameMailbox(from.id, to);
    for (const child of children) {
      // The store may already have moved the children along; rename only those still under the old name.
      const current = await mail.getMailboxById(child.id);
      if (current?.name.startsWith(from.name + DELIMITER))
        await mail.renameMailbox(child.id, to + current.name.slice(from.name.length));
    }
    return undefined;
  },
};
