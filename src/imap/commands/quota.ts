// RFC 9208 QUOTA: one quota root ("") per account covering every mailbox, with the STORAGE
// (in units of 1024 octets) and MESSAGE resources. Unlimited resources are not listed.
import { no } from "../errors.js";
import { type Item, MailboxName, Str } from "../wire/writer.js";
import type { Session } from "./context.js";
import { findMailbox } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

async function sendQuota(s: Session): Promise<void> {
  const u = await s.app.store.mail.quotaUsage(s.requireAccount().id);
  const resources: Item[] = [];
  if (u.quotaBytes > 0) resources.push("STORAGE", Math.ceil(u.bytes / 1024), Math.floor(u.quotaBytes / 1024));
  if (u.quotaMessages > 0) resources.push("MESSAGE", u.messages, u.quotaMessages);
  s.send(["QUOTA", new Str(""), resources]);
}

export const getQuotaRoot: CommandSpec<"GETQUOTAROOT"> = {
  states: AUTH,
  async run(cmd, s) {
    const mb = await findMailbox(s, cmd.mailbox);
    s.send(["QUOTAROOT", new MailboxName(mb.name), new Str("")]);
    await sendQuota(s);
    return undefined;
  },
};

export const getQuota: CommandSpec<"GETQUOTA"> = {
  states: AUTH,
  async run(cmd, s) {
    if (cmd.root !== "") throw no("No such quota root", "NONEXISTENT");
    await sendQuota(s);
    return undefined;
  },
};
