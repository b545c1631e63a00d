// Which names the certificate covers: every host name a client uses to reach this server — the
// server's own (SMTP, IMAP, POP3, submission, webmail), the Thunderbird autoconfig and MTA-STS
// policy hosts of each domain (autoconfig.DOMAIN, mta-sts.DOMAIN: RFC 8461 3.3 requires a
// valid certificate there), [autoconfig] hostname and [acme] extraNames.
import { isIP } from "node:net";

/** Let's Encrypt's limit of names per certificate; more are split over several orders. */
export const MAX_NAMES_PER_CERTIFICATE = 100;

/** Top-level names that can never be in a public certificate (RFC 2606, RFC 6761, RFC 6762). */
const PRIVATE_SUFFIXES = [
  ".local",
  ".test",
  ".example",
  ".invalid",
  ".localhost",
  ".internal",
  ".lan",
  ".home.arpa",
];

/** A name a public CA can issue for: a dotted DNS name, not an IP address nor a reserved name. */
export function isPublicName(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  if (n === "" || isIP(n) !== 0 || !n.includes(".")) return false;
  if (n === "localhost" || PRIVATE_SUFFIXES.some((s) => n.endsWith(s) || n === s.slice(1))) return false;
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(n) && n.split(".").every((l) => l.length <= 63 && l !== "");
}

export interface NameInputs {
  hostname: string;
  autoconfigHostname: string;
  domains: readonly string[];
  extraNames: readonly string[];
}

/** The names, lower-case, without duplicates: the server's host name first (it is the subject of
 *  the first certificate), then the others sorted, so the same inputs always give the same list
 *  and a change of the set is a change of the list. */
export function certificateNames(inp: NameInputs): string[] {
  const first = inp.hostname.toLowerCase();
  const rest = new Set<string>();
  if (inp.autoconfigHostname) rest.add(inp.autoconfigHostname.toLowerCase());
  for (const d of inp.domains) {
    rest.add(`autoconfig.${d.toLowerCase()}`);
    rest.add(`mta-sts.${d.toLowerCase()}`);
  }
  for (const n of inp.extraNames) rest.add(n.toLowerCase());
  rest.delete(first);
  return [first, ...[...rest].sort()];
}

/** The names split into certificates of at most `max` names each, in order. */
export function splitNames(names: readonly string[], max = MAX_NAMES_PER_CERTIFICATE): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < names.length; i += max) out.push(names.slice(i, i + max));
  return out;
}

/** Whether two name lists hold the same set. */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a.map((n) => n.toLowerCase()));
  const sb = new Set(b.map((n) => n.toLowerCase()));
  return sa.size === sb.size && [...sa].every((n) => sb.has(n));
}
