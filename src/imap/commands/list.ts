// RFC 9051 6.3.9 LIST and RFC 3501 6.3.9 LSUB, with "*" and "%" wildcards, INBOX matched
// case-insensitively, CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes. Parents that do
// not exist but have children are listed as \Noselect so clients can draw the tree.
import type { Mailbox } from "../../store/types.js";
import { MailboxName, Str } from "../protocol/writer.js";
import { DELIMITER } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

export function patternToRegExp(pattern: string): RegExp {
  let p = pattern;
  if (/^inbox(?=$|\/)/i.test(p)) p = "INBOX" + p.slice(5);
  let re = "";
  for (const ch of p) {
    if (ch === "*") re += ".*";
    else if (ch === "%") re += "[^/]*";
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

interface Entry {
  name: string;
  attrs: string[];
}

export function listEntries(mailboxes: Mailbox[], pattern: string, subscribedOnly: boolean): Entry[] {
  const re = patternToRegExp(pattern);
  const byName = new Map(mailboxes.map((m) => [m.name, m]));
  const names = new Set(byName.keys());
  for (const n of byName.keys()) {
    const parts = n.split(DELIMITER);
    for (let i = 1; i < parts.length; i++) names.add(parts.slice(0, i).join(DELIMITER));
  }
  const parents = new Set<string>();
  for (const n of names) {
    const i = n.lastIndexOf(DELIMITER);
    if (i > 0) parents.add(n.slice(0, i));
  }
  const out: Entry[] = [];
  for (const name of names) {
    if (!re.test(name)) continue;
    const mb = byName.get(name);
    if (subscribedOnly && !mb?.subscribed) continue;
    const attrs: string[] = [];
    if (!mb) attrs.push("\\Noselect");
    attrs.push(parents.has(name) ? "\\HasChildren" : "\\HasNoChildren");
    if (mb?.specialUse) attrs.push(mb.specialUse);
    out.push({ name, attrs });
  }
  return out.sort((a, b) => (a.name === "INBOX" ? -1 : b.name === "INBOX" ? 1 : a.name < b.name ? -1 : 1));
}

export const list: CommandSpec<"LIST" | "LSUB"> = {
  states: AUTH,
  async run(cmd, s) {
    const account = s.requireAccount();
    if (cmd.name === "LIST" && cmd.pattern === "") {
      // RFC 9051 6.3.9: an empty pattern asks for the delimiter and the root of the reference.
      s.send(["LIST", ["\\Noselect"], new Str(DELIMITER), new Str("")]);
      return undefined;
    }
    const mailboxes = await s.app.store.mail.listMailboxes(account.id);
    for (const e of listEntries(mailboxes, cmd.reference + cmd.pattern, cmd.name === "LSUB")) {
      s.send([cmd.name, e.attrs, new Str(DELIMITER), new MailboxName(e.name)]);
    }
    return undefined;
  },
};
