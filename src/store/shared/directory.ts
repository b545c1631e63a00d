// Directory input rules shared by the SQLite (src/store/sqlite/directory.ts) and PostgreSQL
// (src/store/postgres/directory.ts) stores: how domains and addresses are normalised and keyed,
// what an alias's targets must be, the mailboxes every account starts with, and the events an
// account's removal announces.
// Domains are lower-case. An address keeps its local part as given, with a lower-cased domain;
// look-ups are case-insensitive through address_key (the whole address lower-cased).
import { StoreError } from "../errors.js";
import type { SpecialUse } from "../types.js";

/** Created with every account, all subscribed (RFC 6154 special-use attributes). */
export const DEFAULT_MAILBOXES: readonly (readonly [string, SpecialUse | null])[] = [
  ["INBOX", null],
  ["Drafts", "\\Drafts"],
  ["Sent", "\\Sent"],
  ["Trash", "\\Trash"],
  ["Junk", "\\Junk"],
  ["Archive", "\\Archive"],
];

export function normalizeDomain(name: string): string {
  const d = name.trim().toLowerCase();
  if (d === "" || /[\s@/\\]/.test(d) || d.startsWith(".") || d.endsWith(".") || d.includes("..")) {
    throw new StoreError("invalid", `malformed domain ${JSON.stringify(name)}`);
  }
  return d;
}

/** local@domain with the domain lower-cased; "@domain" (catch-all) when allowed. */
export function normalizeAddress(
  address: string,
  allowCatchAll: boolean,
): { address: string; domain: string } {
  const at = address.lastIndexOf("@");
  const local = at < 0 ? "" : address.slice(0, at);
  if (at < 0 || (local === "" && !allowCatchAll) || /[\s\x00-\x1f\x7f]/.test(local)) {
    throw new StoreError("invalid", `malformed address ${JSON.stringify(address)}`);
  }
  const domain = normalizeDomain(address.slice(at + 1));
  return { address: `${local}@${domain}`, domain };
}

/** The address_key of an address: the whole address lower-cased. */
export const keyOf = (address: string) => address.toLowerCase();

/** An alias's targets, trimmed; at least one, none empty. */
export function aliasTargets(targets: string[]): string[] {
  if (!Array.isArray(targets) || targets.length === 0 || targets.some((t) => t.trim() === "")) {
    throw new StoreError("invalid", "an alias needs at least one non-empty target");
  }
  return targets.map((t) => t.trim());
}

/** What removing an account announces: each of its mailboxes deleted. */
export const mailboxDeletedEvents = (accountId: number, boxes: readonly { id: number; name: string }[]) =>
  boxes.map((b) => ({
    kind: "mailbox-deleted" as const,
    accountId,
    mailboxId: b.id,
    name: b.name,
  }));
