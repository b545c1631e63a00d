// RFC 9051 6.3.9 LIST and RFC 3501 6.3.9 LSUB, with "*" and "%" wildcards, INBOX matched
// case-insensitively, CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes. Parents that do
// not exist but have children are listed as \Noselect (\NonExistent in extended LIST) so clients
// can draw the tree. LIST-EXTENDED (RFC 5258): several patterns, selection options SUBSCRIBED,
// REMOTE (no remote mailboxes here, so no effect), RECURSIVEMATCH (CHILDINFO), SPECIAL-USE
// (RFC 6154 3); return options CHILDREN and SPECIAL-USE (always returned anyway, as both RFCs
// allow), SUBSCRIBED, and STATUS (LIST-STATUS, RFC 5819).
import type { Mailbox } from "../../store/types.js";
import { bad } from "../errors.js";
import type { ListOptions } from "../wire/command.js";
import { type Item, MailboxName, Str } from "../wire/writer.js";
import { ListPattern } from "./list-pattern.js";
import { DELIMITER } from "./mailbox-common.js";
import { statusItems } from "./status.js";
import { AUTH, type CommandSpec } from "./types.js";

export interface ListEntry {
  name: string;
  attrs: string[];
  mailbox: Mailbox | undefined;
  /** RFC 5258 3.5 CHILDINFO: the selection criteria some descendant meets. */
  childInfo: string[];
}

export interface ListSelection {
  subscribed: boolean;
  specialUse: boolean;
  recursiveMatch: boolean;
  /** Mark subscribed mailboxes \Subscribed (RFC 5258 return option, implied by the selection). */
  markSubscribed: boolean;
  /** RFC 5258 (\NonExistent) rather than RFC 3501 (\Noselect) for missing parents. */
  extended: boolean;
}

export const BASIC: ListSelection = {
  subscribed: false,
  specialUse: false,
  recursiveMatch: false,
  markSubscribed: false,
  extended: false,
};

/**
 * The LIST/LSUB responses for `patterns`. `dangling`: subscribed names with no mailbox, listed
 * only when selecting by SUBSCRIBED (\NonExistent, RFC 5258 3.1; \Noselect in LSUB).
 */
export function listEntries(
  mailboxes: Mailbox[],
  patterns: string[],
  sel: ListSelection,
  dangling: readonly string[] = [],
): ListEntry[] {
  const matchers = patterns.map((p) => new ListPattern(p));
  const matched = (name: string): boolean => matchers.some((m) => m.matches(name));
  const byName = new Map(mailboxes.map((m) => [m.name, m]));
  const names = new Set(byName.keys());
  const addWithParents = (n: string): void => {
    names.add(n);
    const parts = n.split(DELIMITER);
    for (let i = 1; i < parts.length; i++) names.add(parts.slice(0, i).join(DELIMITER));
  };
  for (const n of byName.keys()) addWithParents(n);
  const parents = new Set<string>();
  for (const n of names) {
    const i = n.lastIndexOf(DELIMITER);
    if (i > 0) parents.add(n.slice(0, i));
  }
  const danglingSet = new Set(sel.subscribed ? dangling : []);
  for (const n of danglingSet) addWithParents(n);
  const isSubscribed = (name: string): boolean =>
    byName.get(name)?.subscribed === true || danglingSet.has(name);
  // Without selection criteria every name is listed, missing parents included.
  const filtered = sel.subscribed || sel.specialUse;
  const selected = (name: string): boolean => {
    if (!filtered) return true;
    const mb = byName.get(name);
    if (sel.specialUse && !mb?.specialUse) return false;
    return !sel.subscribed || isSubscribed(name);
  };
  // Names with a selected descendant (CHILDINFO), and those with one that no pattern matches: a
  // name that is not selected itself is listed for such a descendant, with CHILDINFO under
  // RECURSIVEMATCH (RFC 5258 3.5; not when the descendant is listed itself) and as \Noselect in
  // LSUB ("foo" for a subscribed "foo/bar" that "%" does not reach, RFC 3501 6.3.9).
  const withSelectedChild = new Set<string>();
  const withUnlistedSelectedChild = new Set<string>();
  const lsub = sel.subscribed && !sel.extended;
  if (sel.recursiveMatch || lsub) {
    for (const n of names) {
      if (!selected(n) || (!filtered && !lsub)) continue;
      const unlisted = !matched(n);
      const parts = n.split(DELIMITER);
      for (let i = 1; i < parts.length; i++) {
        const a = parts.slice(0, i).join(DELIMITER);
        withSelectedChild.add(a);
        if (unlisted) withUnlistedSelectedChild.add(a);
      }
    }
  }
  const childInfo: string[] = [];
  if (sel.subscribed) childInfo.push("SUBSCRIBED");
  if (sel.specialUse) childInfo.push("SPECIAL-USE");
  const out: ListEntry[] = [];
  for (const name of names) {
    if (!matched(name)) continue;
    const mb = byName.get(name);
    const isSelected = selected(name);
    if (!isSelected && !withUnlistedSelectedChild.has(name)) continue;
    const attrs: string[] = [];
    if (!mb || (lsub && !isSelected)) attrs.push(sel.extended ? "\\NonExistent" : "\\Noselect");
    attrs.push(parents.has(name) ? "\\HasChildren" : "\\HasNoChildren");
    if (sel.markSubscribed && isSubscribed(name)) attrs.push("\\Subscribed");
    if (mb?.specialUse) attrs.push(mb.specialUse);
    const info = sel.recursiveMatch && withSelectedChild.has(name) ? childInfo : [];
    out.push({ name, attrs, mailbox: mb, childInfo: info });
  }
  return out.sort((a, b) => (a.name === "INBOX" ? -1 : b.name === "INBOX" ? 1 : a.name < b.name ? -1 : 1));
}

function selectionOf(o: ListOptions | null, lsub: boolean): ListSelection {
  if (!o) return { ...BASIC, subscribed: lsub };
  return {
    subscribed: o.subscribed,
    specialUse: o.specialUse,
    recursiveMatch: o.recursiveMatch,
    markSubscribed: o.subscribed || o.returnSubscribed,
    extended: true,
  };
}

export const list: CommandSpec<"LIST" | "LSUB"> = {
  states: AUTH,
  async run(cmd, s) {
    const account = s.requireAccount();
    if (cmd.name === "LIST" && cmd.patterns.length === 1 && cmd.patterns[0] === "") {
      // RFC 9051 6.3.9: an empty pattern asks for the delimiter and the root of the reference.
      s.send(["LIST", ["\\Noselect"], new Str(DELIMITER), new Str("")]);
      return undefined;
    }
    const mailboxes = await s.app.store.mail.listMailboxes(account.id);
    const patterns = cmd.patterns.map((p) => cmd.reference + p);
    // Matching costs O(name × pattern): bound the pattern (issue 18).
    if (patterns.some((p) => p.length > s.config.maxListPatternLength))
      throw bad("Mailbox pattern too long", "LIMIT");
    const status = cmd.options?.status ?? null;
    const sel = selectionOf(cmd.options, cmd.name === "LSUB");
    const dangling = sel.subscribed ? await s.app.store.mail.listDanglingSubscriptions(account.id) : [];
    for (const e of listEntries(mailboxes, patterns, sel, dangling)) {
      const items: Item[] = [cmd.name, e.attrs, new Str(DELIMITER), new MailboxName(e.name)];
      if (e.childInfo.length > 0) items.push([new Str("CHILDINFO"), e.childInfo.map((c) => new Str(c))]);
      s.send(items);
      // RFC 5819 2: STATUS follows the LIST response, for selectable mailboxes only.
      if (status && e.mailbox)
        s.send(["STATUS", new MailboxName(e.name), await statusItems(s, e.mailbox, status)]);
    }
    return undefined;
  },
};
