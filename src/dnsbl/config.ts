// [dnsbl] section: DNS block/allow lists and postscreen-style checks on port 25 (src/dnsbl).
import { BlockList, isIP } from "node:net";
import { int, strList } from "../config/dsl.js";
import { checkZoneSpecs, parseZoneSpec } from "./zone-spec.js";

export const dnsblSection = {
  ipZones: strList(
    [],
    'IP block and allow lists (RFC 5782) asked for every client on port 25, in Postfix postscreen_dnsbl_sites syntax: "zone[=127.0.0.[a..b;c]][*weight]", weight an integer (negative for an allowlist) or "reject" (one listing refuses the client). Example: ["zen.spamhaus.org=127.0.0.[2..11]*reject", "list.dnswl.org=127.0.[0..255].[1..3]*-5"]. Empty by default: Spamhaus and most lists refuse queries that come through public resolvers (answering 127.255.255.254, which Yubin treats as an error) and their terms need checking per site, so a list is something an admin turns on knowingly.',
    checkZoneSpecs,
  ),
  domainZones: strList(
    [],
    'Domain block lists (DBL style, RFC 5782 §2.2) asked for the HELO name and the MAIL FROM domain, same syntax as ipZones, e.g. ["dbl.spamhaus.org=127.0.1.[2..99]*3"]. Empty by default, for the same reason.',
    checkZoneSpecs,
  ),
  uriZones: strList(
    [],
    'URI block lists (SURBL/URIBL/DBL style) asked for the registered domain of each distinct link host in a message\'s body, by the spam filter; same syntax as ipZones but a weight, not "reject" (a listing adds the weight to the spam score as the signal URIBL_<zone>, once per zone), e.g. ["dbl.spamhaus.org=127.0.1.[2..99]*3", "multi.uribl.com=127.0.0.[2..14]*3"]. Empty by default, for the same reason.',
    checkUriZoneSpecs,
  ),
  maxUriDomains: int(
    20,
    "Most distinct link domains per message asked of the URI lists (the first found); bounds the DNS queries a message can cause to maxUriDomains × the number of uriZones.",
    { min: 1, max: 200 },
  ),
  rejectScore: int(
    5,
    'Total score (list weights plus the checks below) at which RCPT is refused with 554 5.7.1; below it the score travels with the message (X-Yubin-Screen header). A "*reject" listing or a HELO claiming to be this server refuses whatever the score.',
    { min: 1, max: 1000 },
  ),
  timeoutMs: int(
    3000,
    "Longest wait for one list's answer, counted from the connection (lookups start then and are awaited at RCPT); past it the list counts as not listed (fail open, logged).",
    { min: 50, max: 30000 },
  ),
  greetPauseMs: int(
    0,
    "Wait this long before the 220 greeting and score a client that talks first (RFC 5321 §3.1: the client waits for the greeting). 0 by default: every honest sender would wait too and hold a connection slot meanwhile; 2000-6000 is what postscreen sites use.",
    { min: 0, max: 30000 },
  ),
  pregreetWeight: int(3, "Score of a client that sends before the greeting.", { max: 1000 }),
  pipeliningWeight: int(
    2,
    "Score of a client that sends several commands at once before EHLO offered PIPELINING (RFC 2920 §3.1).",
    { max: 1000 },
  ),
  fcrdnsWeight: int(
    1,
    "Score of a client whose address has no PTR name that resolves back to it (forward-confirmed reverse DNS).",
    { max: 1000 },
  ),
  heloWeight: int(
    1,
    "Score of a malformed HELO/EHLO name: a bare IP address not in brackets, or not a fully-qualified domain name (RFC 5321 §4.1.1.1, §4.1.3).",
    { max: 1000 },
  ),
  bareNewlineWeight: int(
    1,
    "Score of a client that ends a command or message line with a bare LF instead of CRLF (RFC 5321 §2.3.8; postscreen's bare_newline test). Whether such a message is refused is smtp.bareLineEnds.",
    { max: 1000 },
  ),
  trustedNetworks: strList(
    [],
    'Client networks never checked ("10.0.0.0/8", "2001:db8::/32", or one address), e.g. a backup MX or a relay of your own.',
    checkNetworks,
  ),
};

/** uriZones: a URI listing scores the message; there is no connection to refuse at RCPT. */
function checkUriZoneSpecs(list: string[]): string | null {
  for (const t of list) {
    const r = parseZoneSpec(t);
    if (typeof r === "string") return r;
    if (r.weight === "reject") return `"${t}": a URI list takes a weight (e.g. *3), not *reject`;
  }
  return null;
}

function checkNetworks(list: string[]): string | null {
  for (const n of list) if (!parseNetwork(n)) return `"${n}" is not an IP address or address/prefix`;
  return null;
}

function parseNetwork(n: string): { ip: string; prefix: number; type: "ipv4" | "ipv6" } | null {
  const [ip = "", p] = n.split("/");
  const v = isIP(ip);
  if (v === 0) return null;
  const max = v === 4 ? 32 : 128;
  const prefix = p === undefined ? max : Number(p);
  if (!/^\d{1,3}$/.test(p ?? String(max)) || prefix > max) return null;
  return { ip, prefix, type: v === 4 ? "ipv4" : "ipv6" };
}

/** The trustedNetworks list as a BlockList (node:net) for matching. */
export function trustedList(list: readonly string[]): BlockList {
  const b = new BlockList();
  for (const n of list) {
    const p = parseNetwork(n);
    if (p) b.addSubnet(p.ip, p.prefix, p.type);
  }
  return b;
}
