// The organizational domain of RFC 7489 §3.2: the public suffix of a name (Public Suffix List,
// its ICANN and private sections, read through tldts as mailauth reads it) plus one label. DMARC
// looks a policy up there when the author domain has none (§6.6.3) and compares organizational
// domains for relaxed alignment (§3.1).
//
// Names are put in the form mailauth compared them in (lower case, trimmed, A-labels), without
// its cost: its formatDomain ran punycode.toASCII on every call, several times per message, and
// an all-ASCII name comes out of punycode unchanged, so only names with other characters take it.
import { formatDomain } from "mailauth/lib/tools.js";
import { getDomain } from "tldts";

const PSL = { allowIcannDomains: true, allowPrivateDomains: true };

/** Lower case, trimmed, A-labels (mailauth's formatDomain, computed once per name). */
export function asciiDomain(name: string): string {
  // U+3002, U+FF0E and U+FF61 are dots to punycode (IDNA): those names take the slow path too.
  return /^[\x00-\x7f]*$/.test(name) ? name.toLowerCase().trim() : formatDomain(name);
}

// The answer depends only on the name and the list compiled into tldts, so it is kept: a few
// names (our senders' domains) come back on most messages. Bounded: cleared when full.
const MAX_CACHED = 10_000;
const cache = new Map<string, string | null>();

/** The organizational domain of `name` (as given: callers pass asciiDomain's form), or null when
 *  it has none (a public suffix itself, an IP literal, not a domain name). */
export function organizationalDomain(name: string): string | null {
  let org = cache.get(name);
  if (org === undefined) {
    org = getDomain(name, PSL);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(name, org);
  }
  return org;
}
