// The strings an IMAP SEARCH header key (FROM, TO, CC, BCC, SUBJECT, HEADER name value; RFC 9051
// 6.4.4) is matched against for one header field, lower-cased: the RFC 2047-decoded value, and for
// the address fields also the addresses as parsed, in one normal form ("Name <user@host>"), as
// Dovecot matches them: "user@host" then finds "<user (comment)@ (comment) host>". Shared by the
// scan (imap/search/evaluate.ts) and the store's header index, so both find the same messages.
import { addressSearchForm } from "./address.js";
import { decodeHeaderValue } from "./encoded-word.js";

const ADDRESS_FIELDS: ReadonlySet<string> = new Set(["FROM", "TO", "CC", "BCC", "SENDER", "REPLY-TO"]);

/** `name` upper-cased; `value` the field's raw (unfolded) value. */
export function headerSearchValues(name: string, value: string): string[] {
  const decoded = decodeHeaderValue(value).toLowerCase();
  if (!ADDRESS_FIELDS.has(name)) return [decoded];
  const normal = decodeHeaderValue(addressSearchForm(value)).toLowerCase();
  return normal === decoded ? [decoded] : [decoded, normal];
}
