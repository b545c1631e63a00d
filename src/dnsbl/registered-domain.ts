// The registered domain of a host name ("www.shop.example.co.uk" → "example.co.uk"), which is
// what URI block lists list (SURBL/URIBL/DBL: they list the domain a spammer registered, not each
// host under it). APPROXIMATE by design: the last two labels, or three under a two-letter ccTLD
// whose second level is a generic one (co.uk, com.au, ne.jp, ...). The Public Suffix List would
// be exact (blogspot.com, github.io) but is 10,000 rules to ship and keep fresh; the lists
// themselves document the same two-or-three-label rule for their "two-level" and "three-level"
// TLD files, and a miss costs one query that answers "not listed".
import { isIP } from "node:net";

/** Second-level labels that are public registries under many two-letter ccTLDs. */
const genericSecondLevel = new Set([
  "ac",
  "co",
  "com",
  "edu",
  "gov",
  "gob",
  "go",
  "govt",
  "ltd",
  "me",
  "mil",
  "ne",
  "net",
  "nic",
  "nom",
  "or",
  "org",
  "plc",
  "sch",
  "info",
  "biz",
  "gen",
  "firm",
  "web",
]);

const maxName = 253;

/** The registered domain of `host` (lower-case, no trailing dot), or null for an IP literal,
 *  a single label, or a name that is not a plain LDH host name (it could not be queried). */
export function registeredDomain(host: string): string | null {
  let h = host.toLowerCase();
  while (h.endsWith(".")) h = h.slice(0, -1);
  if (h === "" || h.length > maxName || h.startsWith("[") || isIP(h) !== 0) return null;
  const labels = h.split(".");
  if (labels.length < 2 || !labels.every(isLdhLabel)) return null;
  const tld = labels[labels.length - 1] ?? "";
  if (/^\d+$/.test(tld)) return null; // "1.2.3" and the like: not a domain
  const second = labels[labels.length - 2] ?? "";
  const n = tld.length === 2 && labels.length >= 3 && genericSecondLevel.has(second) ? 3 : 2;
  return labels.slice(-n).join(".");
}

/** RFC 1035 §2.3.1 letters, digits, hyphen (A-labels of IDNs, "xn--", are LDH too). */
function isLdhLabel(l: string): boolean {
  if (l.length === 0 || l.length > 63 || l.startsWith("-") || l.endsWith("-")) return false;
  for (let i = 0; i < l.length; i++) {
    const c = l.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45;
    if (!ok) return false;
  }
  return true;
}
