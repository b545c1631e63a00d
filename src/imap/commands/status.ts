// RFC 9051 6.3.11 STATUS, with SIZE (RFC 8438), HIGHESTMODSEQ (RFC 7162 3.1.9) and MAILBOXID
// (RFC 8474 4.2). statusItems is
// shared with LIST-STATUS (RFC 5819).

import type { Mailbox } from "../../store/types.js";
import { bad } from "../errors.js";
import { mailboxObjectId } from "../format/objectid.js";
import type { StatusItem } from "../wire/command.js";
import type { Item } from "../wire/writer.js";
import { MailboxName } from "../wire/writer.js";
import type { Session } from "./context.js";
import { findMailbox } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

export async function statusItems(s: Session, mb: Mailbox, items: StatusItem[]): Promise<Item[]> {
  const mail = s.app.store.mail;
  const counts = await mail.mailboxCounts(mb.id);
  const out: Item[] = [];
  for (const item of items) {
    switch (item) {
      case "MESSAGES":
        out.push(item, counts.messages);
        break;
      case "RECENT":
        // Messages no session has seen as \Recent yet; IMAP4rev2 has no such item (RFC 9051 Appendix E).
        if (s.rev2) throw bad("RECENT is not an IMAP4rev2 status item");
        out.push(item, counts.recent);
        break;
      case "UIDNEXT":
        out.push(item, mb.uidNext);
        break;
      case "UIDVALIDITY":
        out.push(item, mb.uidValidity);
        break;
      case "UNSEEN":
        out.push(item, counts.unseen);
        break;
      case "SIZE":
        out.push(item, counts.size);
        break;
      case "HIGHESTMODSEQ":
        out.push(item, mb.highestModseq);
        break;
      case "MAILBOXID":
        out.push(item, [mailboxObjectId(mb.id)]);
        break;
      case "DELETED": {
        out.push(item, (await mail.uidsWithFlag(mb.id, "\\Deleted")).length);
        break;
      }
    }
  }
  return out;
}

export const status: CommandSpec<"STATUS"> = {
  states: AUTH,
  async run(cmd, s) {
    const mb = await findMailbox(s, cmd.mailbox);
    s.send(["STATUS", new MailboxName(mb.name), await statusItems(s, mb, cmd.items)]);
    return undefined;
  },
};
