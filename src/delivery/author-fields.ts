// The author fields of a message our user submits (over SMTP or JMAP): who the message says
// wrote and sent it. RFC 6409 §6.1 lets the MSA refuse what the user may not claim, and readers
// believe these fields, so every one of them is checked, not just From:
//   - From, Sender (RFC 5322 §3.6.2) and Resent-From, Resent-Sender (§3.6.6): every mailbox
//     must be one the user may send as (send-as.ts, through `mayUse`);
//   - their display names must not be another address: `"bob@example.test" <alice@…>` is
//     alice's mailbox, but mail lists and notifications show "bob@example.test". A name naming
//     the mailbox's own address is fine; [smtp] allowAddressDisplayNames turns the check off.
// Reply-To is not an author field (a user may ask for replies anywhere) and is not checked.
// One function for both doors, so SMTP and JMAP cannot drift apart.

import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "../mime/address.js";
import { decodeHeaderValue } from "../mime/encoded-word.js";
import { fieldValue, scanHeader } from "../mime/headers.js";
import { addressKey, parseAddress } from "./address.js";

const AUTHOR_FIELDS: ReadonlyMap<string, string> = new Map([
  ["from", "From"],
  ["sender", "Sender"],
  ["resent-from", "Resent-From"],
  ["resent-sender", "Resent-Sender"],
]);

export type AuthorProblem =
  /** A field holds something that is not an address. */
  | { kind: "invalid"; field: string }
  /** The user may not send as this address. */
  | { kind: "not-owned"; field: string; address: string }
  /** The display name is (or contains) an address other than the mailbox's own. */
  | { kind: "display-name"; field: string; address: string; claimed: string }
  /** The display name is longer than MAX_DISPLAY_NAME_CHARS (so it is not examined). */
  | { kind: "long-name"; field: string; address: string };

/** Longest display name examined: RFC 5322 2.1.1's line limit. A longer name has no honest use,
 *  and Unicode normalisation of a megabyte-long one is not linear in V8. */
export const MAX_DISPLAY_NAME_CHARS = 998;

export interface AuthorRules {
  /** True when the submitting user may use `address` (send-as rules). */
  mayUse(address: string): Promise<boolean>;
  allowAddressDisplayNames: boolean;
}

/** The first problem among the message's author fields, or null when they are all allowed. */
export async function checkAuthorFields(message: Buffer, rules: AuthorRules): Promise<AuthorProblem | null> {
  const { fields } = scanHeader(message, 0, message.length);
  const decided = new Map<string, boolean>(); // one send-as look-up per distinct address
  for (const f of fields) {
    const field = AUTHOR_FIELDS.get(f.lname);
    if (!field) continue;
    for (const a of parseAddressList(fieldValue(message, f))) {
      if (a.mailbox === null || a.host === null) continue; // group markers
      if (a.mailbox === MISSING_MAILBOX || a.host === MISSING_DOMAIN) return { kind: "invalid", field };
      const address = `${a.mailbox}@${a.host}`;
      const key = address.toLowerCase();
      let ok = decided.get(key);
      if (ok === undefined) {
        ok = await rules.mayUse(address);
        decided.set(key, ok);
      }
      if (!ok) return { kind: "not-owned", field, address };
      if (rules.allowAddressDisplayNames || a.name === null) continue;
      if (a.name.length > MAX_DISPLAY_NAME_CHARS) return { kind: "long-name", field, address };
      const claimed = otherAddressIn(a.name, address);
      if (claimed !== null) return { kind: "display-name", field, address, claimed };
    }
  }
  return null;
}

/** Text for a refusal ("owner": "user alice@example.test"), naming the field and the address,
 *  never the raw display name, which may hold anything. */
export function describeAuthorProblem(p: AuthorProblem, owner: string): string {
  switch (p.kind) {
    case "invalid":
      return `${p.field} header has an invalid address`;
    case "not-owned":
      return `${p.field} header <${p.address}> is not owned by ${owner}`;
    case "display-name":
      return `${p.field} header display name shows the address ${printable(p.claimed)}, not <${p.address}>`;
    case "long-name":
      return `${p.field} header display name of <${p.address}> is longer than ${MAX_DISPLAY_NAME_CHARS} characters`;
  }
}

/** An address-like word of a display name (raw, as parsed: quotes removed, encoded words not
 *  decoded) that is not `own`, or null. Compatibility forms are folded first (NFKC), so a
 *  full-width "＠" counts as "@". Linear: one split, no backtracking pattern. */
export function otherAddressIn(rawName: string, own: string): string | null {
  const decoded = decodeHeaderValue(rawName);
  // ASCII is its own NFKC form; skip the work for it.
  const name = /^[\x00-\x7f]*$/.test(decoded) ? decoded : decoded.normalize("NFKC");
  if (!name.includes("@")) return null;
  const ownParsed = parseAddress(own);
  const ownKey = ownParsed ? addressKey(ownParsed) : own.toLowerCase();
  for (const word of name.split(/[\s<>"'(),;:[\]]+/)) {
    let end = word.length;
    while (end > 0 && word[end - 1] === ".") end--; // a sentence's full stop is not the domain's
    const token = word.slice(0, end);
    const at = token.lastIndexOf("@");
    if (at <= 0) continue;
    const domain = token.slice(at + 1);
    if (!domain.includes(".") || domain.startsWith(".")) continue;
    const parsed = parseAddress(token);
    const key = parsed ? addressKey(parsed) : token.toLowerCase();
    if (key !== ownKey) return token;
  }
  return null;
}

function printable(s: string): string {
  const clean = s.replace(/[^\x21-\x7e]/g, "?");
  return clean.length > 100 ? `${clean.slice(0, 100)}...` : clean;
}
