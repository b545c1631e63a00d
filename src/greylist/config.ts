// [greylist] section of the config file: greylisting of inbound mail on port 25 (RFC 6647).
// Off by default: it delays the first message from every new sender by at least delaySec, which
// an admin should choose knowingly. Never applied to authenticated submission.
import { isIPv4, isIPv6 } from "node:net";
import { bool, int, strList } from "../config/dsl.js";

/** "192.0.2.0/24", "2001:db8::/32" or a bare address (a /32 or /128); null if it is neither. */
export function parseCidr(entry: string): { addr: string; prefix: number; type: "ipv4" | "ipv6" } | null {
  const [addr = "", prefix, extra] = entry.trim().split("/");
  const type = isIPv4(addr) ? "ipv4" : isIPv6(addr) ? "ipv6" : null;
  if (!type || extra !== undefined) return null;
  const max = type === "ipv4" ? 32 : 128;
  if (prefix === undefined) return { addr, prefix: max, type };
  const n = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && n <= max ? { addr, prefix: n, type } : null;
}

/** Checked at load, so a typo fails at start naming the key rather than exempting nobody. */
function checkNetworks(entries: string[]): string | null {
  const bad = entries.find((e) => parseCidr(e) === null);
  return bad === undefined ? null : `"${bad}" is not an IP address or CIDR prefix`;
}

export const greylistSection = {
  enabled: bool(
    false,
    "Greylist inbound mail on port 25 (RFC 6647): the first attempt of each (client network, sender, recipient) gets 451 4.7.1 at RCPT; a retry after delaySec is accepted and remembered. Authenticated clients are never greylisted.",
  ),
  delaySec: int(
    300,
    "Least time before a retry is accepted (RFC 6647 4.3: a few minutes; most MTAs retry within 15-30 minutes).",
    { min: 1, max: 86400 },
  ),
  retryWindowHours: int(
    24,
    "A retry later than this after the first attempt is treated as a first attempt again.",
    { min: 1, max: 720 },
  ),
  passedTtlDays: int(
    36,
    "A triplet that passed, and an auto-allowed network, is forgotten this long after its last message (36 days: a monthly sender stays known).",
    { min: 1, max: 3650 },
  ),
  autoAllowAfter: int(
    5,
    "Once this many triplets from one client network have passed, the whole network passes without delay (a real MTA that retries properly; RFC 6647 4.4); 0: never.",
    { min: 0, max: 1000000 },
  ),
  ipv4PrefixLength: int(
    24,
    "Client IPv4 addresses are greylisted by network of this prefix length: large senders retry from another address of the same pool (RFC 6647 4.1).",
    { min: 8, max: 32 },
  ),
  ipv6PrefixLength: int(
    64,
    "Client IPv6 addresses are greylisted by network of this prefix length (a /64 is one site's subnet).",
    { min: 16, max: 128 },
  ),
  normalizeSender: bool(
    true,
    'Remove what changes between retries of one message from the sender before it is compared: a BATV tag ("prvs=1234abcdef=user@..." becomes "user@..."), a +extension, and numbers that stand alone in the local part, as VERP bounce addresses carry ("bounce-4711-x@..." becomes "bounce-#-x@..."). As postgrey does.',
  ),
  exemptNetworks: strList(
    [],
    'Client networks never greylisted, as addresses or CIDR prefixes ("192.0.2.0/24", "2001:db8::/32"), e.g. partners or backup MX hosts.',
    checkNetworks,
  ),
};
