// Changes to the list of rules as the editor makes them: each returns a new list (the old one
// is what is on the server until the save succeeds).
import type { Rule } from "./model";

/** The list with rule i moved one place up (delta -1) or down (+1); unchanged at the ends. */
export function moveRule(rules: readonly Rule[], i: number, delta: -1 | 1): Rule[] {
  const j = i + delta;
  const out = [...rules];
  const a = out[i];
  const b = out[j];
  if (a === undefined || b === undefined) return out;
  out[i] = b;
  out[j] = a;
  return out;
}

/** The list with rule i replaced, or the rule added at the end when i is null. */
export function putRule(rules: readonly Rule[], i: number | null, rule: Rule): Rule[] {
  return i === null || i < 0 || i >= rules.length
    ? [...rules, rule]
    : rules.map((r, k) => (k === i ? rule : r));
}

export function removeRule(rules: readonly Rule[], i: number): Rule[] {
  return rules.filter((_, k) => k !== i);
}

/** The folders a rule can file into: the Sieve mailbox name of each (RFC 5228 4.1 fileinto
 *  takes the name as IMAP shows it, the store's "/"-separated path; INBOX for the inbox). */
export function folderPaths(
  mailboxes: readonly { id: string; name: string; parentId: string | null; role: string | null }[],
): { id: string; path: string }[] {
  const byId = new Map(mailboxes.map((b) => [b.id, b]));
  const path = (b: { name: string; parentId: string | null; role: string | null }): string => {
    if (b.role === "inbox" && b.parentId === null) return "INBOX";
    const parts = [b.name];
    // Bounded: a parent loop from a faulty server ends after 10 levels.
    for (let p = b.parentId, d = 0; p && d < 10; d++) {
      const parent = byId.get(p);
      if (!parent) break;
      parts.unshift(parent.role === "inbox" && parent.parentId === null ? "INBOX" : parent.name);
      p = parent.parentId;
    }
    return parts.join("/");
  };
  return mailboxes.map((b) => ({ id: b.id, path: path(b) })).sort((a, b) => a.path.localeCompare(b.path));
}
