// Mailbox address syntax: RFC 5321 §4.1.2 (Local-part, Domain, address literals) with the
// RFC 6531 §3.3 extension (UTF-8 in local parts and U-label domains, for SMTPUTF8), and the
// size limits of RFC 5321 §4.5.3.1 (local part 64 octets, domain 255 octets).
// parseAddress keeps the text as given; comparisons go through addressKey / normalizeDomain,
// which are case-insensitive (RFC 5321 §2.4 leaves local-part case to the receiving host:
// like nearly every mail server, we ignore it) and map IDNs to A-labels.

import { isIPv4, isIPv6 } from "node:net";
import { domainToASCII } from "node:url";

export interface ParsedAddress {
  local: string; // as given, quotes included for a quoted local part
  domain: string; // as given (U-labels stay U-labels, case kept)
}

export const MAX_LOCAL_OCTETS = 64;
export const MAX_DOMAIN_OCTETS = 255;

// atext (RFC 5322 §3.2.3) plus any non-ASCII character (RFC 6532 §3.2), C1 controls excluded.
const atom = String.raw`[A-Za-z0-9!#$%&'*+\-/=?^_\x60{|}~\u{A0}-\u{10FFFF}]+`; // \x60 is the backquote
// Built from the constant `atom` only (no input); linear, since `atom` cannot match ".".
// eslint-disable-next-line no-restricted-syntax
const dotAtom = new RegExp(`^${atom}(?:\\.${atom})*$`, "u");
// qtextSMTP (%d32-33 / %d35-91 / %d93-126 / UTF-8) or quoted-pairSMTP (backslash + %d32-126).
const quoted = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u{A0}-\u{10FFFF}]|\\[\x20-\x7e])*"$/u;
const loneSurrogate = /\p{Surrogate}/u;
const ldhLabel = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Split and validate `local@domain`. No angle brackets, no display name, no comments. */
export function parseAddress(s: string): ParsedAddress | null {
  if (s.length > MAX_LOCAL_OCTETS + 1 + MAX_DOMAIN_OCTETS || loneSurrogate.test(s)) return null;
  const at = s.lastIndexOf("@"); // a quoted local part may contain "@", a domain never does
  if (at <= 0) return null;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (!isValidLocal(local) || !isValidDomain(domain)) return null;
  return { local, domain };
}

export function isValidLocal(local: string): boolean {
  if (local.length === 0 || Buffer.byteLength(local, "utf8") > MAX_LOCAL_OCTETS) return false;
  return dotAtom.test(local) || quoted.test(local);
}

/** A host name of LDH labels or IDN U-labels, or an address literal ([192.0.2.1], [IPv6:…]). */
export function isValidDomain(domain: string): boolean {
  if (domain.startsWith("[")) return isAddressLiteral(domain);
  if (domain.length === 0 || Buffer.byteLength(domain, "utf8") > MAX_DOMAIN_OCTETS) return false;
  if (loneSurrogate.test(domain)) return false;
  for (const label of domain.split(".")) {
    if (label.length === 0) return false;
    if (ldhLabel.test(label)) continue;
    if (/^[\x00-\x7f]*$/.test(label)) return false; // ASCII but not LDH
    // A U-label: valid if IDNA maps it to an LDH A-label (node's WHATWG domainToASCII, UTS #46).
    const a = domainToASCII(label);
    if (a === "" || a.includes(".") || !ldhLabel.test(a)) return false;
  }
  if (/^[\x00-\x7f]*$/.test(domain)) return true;
  const ascii = domainToASCII(domain); // the A-label form must fit too
  return ascii !== "" && ascii.length <= MAX_DOMAIN_OCTETS;
}

export function isAddressLiteral(domain: string): boolean {
  const m = /^\[(.*)\]$/.exec(domain);
  if (!m?.[1]) return false;
  const inner = m[1];
  if (/^ipv6:/i.test(inner)) return isIPv6(inner.slice(5));
  return isIPv4(inner);
}

/** The form used to look a domain up and compare it: lower case, IDNs as A-labels. */
export function normalizeDomain(domain: string): string {
  const lower = domain.toLowerCase();
  if (lower.startsWith("[") || /^[\x00-\x7f]*$/.test(lower)) return lower;
  return domainToASCII(lower) || lower;
}

/** A quoted local part that needs no quotes, without them (RFC 5321 §4.1.2: "a"@x and a@x
 *  are the same mailbox); anything else unchanged. Case is kept. */
export function unquoteLocal(local: string): string {
  if (!local.startsWith('"')) return local;
  const inner = local.slice(1, -1).replace(/\\(.)/gu, "$1");
  return dotAtom.test(inner) ? inner : local;
}

/** The local part for comparison: unquoted when possible, lower case. */
export function normalizeLocal(local: string): string {
  return unquoteLocal(local).toLowerCase();
}

/** Case-insensitive comparison key of an address: normalized local part @ normalized domain. */
export function addressKey(a: ParsedAddress): string {
  return `${normalizeLocal(a.local)}@${normalizeDomain(a.domain)}`;
}

/** Sub-addressing (RFC 5233 style "user+detail"): the base local part, or null if there is none. */
export function plusBase(local: string, separator = "+"): string | null {
  if (local.startsWith('"')) return null;
  const i = local.indexOf(separator);
  return i > 0 ? local.slice(0, i) : null;
}
