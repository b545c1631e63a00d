// SPF, RFC 7208: check_host() of the MAIL FROM domain (postmaster@HELO for the null sender) and
// the client's address, with the result, comment, Received-SPF field and Authentication-Results
// item worded as mailauth 4.13.3's spf() wrote them (spf.test.ts compares the two on a table of
// records). Ours because mailauth's cost the MX ~0.1 ms of CPU a message (Joi validating the
// domain, ipaddr.js, two address queries per "a"), and for the places it departs from the RFC
// (docs/ARCHITECTURE.md, "Mail authentication" lists them).
//
// Bounds (§4.6.4): at most 10 terms that query DNS (include, a, mx, ptr, exists, redirect) per
// check, the first TXT query not counted; at most 2 of them void (no answer, or no such name);
// each "mx" and "ptr" resolves at most 10 names on a budget of its own. Past a bound: permerror.
// With every include and redirect counted, a record including itself ends at the 11th query.

import { domainToASCII } from "node:url";
import { formatAuthHeaderRow } from "mailauth/lib/tools.js";
import { foldLine } from "./fold.js";
import { ipOctets, reverseName, samePrefix, unmapped } from "./spf-ip.js";
import { expandMacros, type MacroContext, SpfError } from "./spf-macro.js";
import { cutToQueryLength } from "./spf-name.js";
import { type Mechanism, parseRecord, type Qualifier, selectRecord } from "./spf-record.js";

/** How the checks query DNS: a name and a record type, the answers as Node's resolver gives them. */
export type Resolve = (name: string, rrtype: string) => Promise<unknown>;

export type SpfResultCode = "pass" | "fail" | "softfail" | "neutral" | "none" | "temperror" | "permerror";

export interface SpfOutcome {
  /** The domain checked: MAIL FROM's (or the HELO name's), lower-cased. */
  domain: string;
  "client-ip": string;
  helo?: string;
  "envelope-from": string;
  status: { result: SpfResultCode; comment: string; smtp: { mailfrom: string; helo?: string } };
  /** "Received-SPF: …" (folded, without the final CRLF). */
  header: string;
  /** The Authentication-Results item, "spf=pass (…) smtp.mailfrom=…". */
  info: string;
  lookups: { limit: number; count: number; void: number };
}

export interface SpfOptions {
  ip: string;
  /** The HELO/EHLO name, or "[ip]" when the client gave an address. */
  helo?: string | undefined;
  /** MAIL FROM; "" for the null reverse-path. */
  sender: string;
  /** Our host name, for the comments. */
  mta: string;
  resolver: Resolve;
}

const MAX_LOOKUPS = 10;
const MAX_VOID = 2;

/** DNS queries against a budget (§4.6.4). */
class Budget {
  count = 0;
  void = 0;
  constructor(
    private readonly resolver: Resolve,
    private skipFirst: boolean,
  ) {}

  /** Answers for `name`, [] when void. `family` (4 or 6) asks for addresses the way mailauth did:
   *  a name with addresses of the other family only is not a void lookup. */
  async query<T = string>(name: string, type: string, family?: 4 | 6): Promise<T[]> {
    if (this.skipFirst) this.skipFirst = false;
    else if (++this.count > MAX_LOOKUPS) throw new SpfError("permerror", "Too many DNS requests");
    const qname = queryName(name);
    try {
      return (await this.resolver(qname, type)) as unknown as T[];
    } catch (e) {
      if (!isVoid(e)) throw dnsError(e, qname);
      if (family !== undefined) {
        const other = await this.resolver(qname, family === 4 ? "AAAA" : "A").then(
          () => true,
          (e2: unknown) => !isVoid(e2),
        );
        if (other) return [];
      }
      if (++this.void > MAX_VOID) throw new SpfError("permerror", "Too many void DNS results");
      return [];
    }
  }
}

function isVoid(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "ENOTFOUND" || code === "ENODATA" || code === "NXDOMAIN";
}

function dnsError(e: unknown, name: string): SpfError {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === "ETIMEOUT") return new SpfError("temperror", "DNS timeout");
  if (code === "EREFUSED")
    return new SpfError("temperror", `DNS request refused by server when resolving ${name}`);
  return new SpfError("temperror", e instanceof Error ? e.message : String(e));
}

/** A name to query: ASCII (IDNA), without a final dot, cut from the left to 253 characters
 *  (§4.8), made of labels of 1-63 printable characters and ending in a top label that starts
 *  with a letter (mailauth's check), else permerror. */
function queryName(name: string): string {
  let n = name.endsWith(".") ? name.slice(0, -1) : name;
  if (/[^\x00-\x7f]/.test(n)) n = domainToASCII(n) || n;
  n = cutToQueryLength(n);
  const labels = n.split(".");
  const ok =
    labels.length >= 2 &&
    labels.every((l) => l.length >= 1 && l.length <= 63 && /^[\x21-\x7e]+$/.test(l)) &&
    /^[a-z][a-z0-9-]*$/i.test(labels[labels.length - 1]!);
  if (!ok) throw new SpfError("permerror", `Invalid domain ${name}`);
  return n;
}

interface Check extends MacroContext {
  main: Budget;
  resolver: Resolve;
  /** PTR names of the client, asked once per check. */
  ptrNames?: string[];
}

type Verdict = { q: Qualifier };

/** check_host() for `domain` (§4): the matching qualifier, or "?" (neutral) when nothing
 *  matched; throws SpfError for none, permerror and temperror. */
async function checkHost(domain: string, c: Check): Promise<Verdict> {
  const d = queryName(domain).toLowerCase();
  const rr = selectRecord(await c.main.query<string[]>(d, "TXT"), d);
  if (rr === null) throw new SpfError("none", `no SPF records found for ${d}`);
  const record = parseRecord(rr);
  for (const m of record.terms) if (await matches(m, d, c)) return { q: m.q };
  if (record.redirect === null) return { q: "?" };
  // §6.1: the redirect's target decides; a target without a record is a permerror.
  return await checkHost(expandMacros(record.redirect, d, c), c).catch((e: unknown) => {
    throw e instanceof SpfError && e.result === "none" ? new SpfError("permerror", e.text) : e;
  });
}

async function matches(m: Mechanism, d: string, c: Check): Promise<boolean> {
  switch (m.kind) {
    case "all":
      return true;
    case "ip4":
    case "ip6":
      return samePrefix(c.ip, m.net, m.bits);
    case "include": {
      // §5.2: the included record's pass matches; fail, softfail and neutral do not; none is a
      // permerror; errors are the include's.
      try {
        return (await checkHost(expandMacros(m.spec, d, c), c)).q === "+";
      } catch (e) {
        if (e instanceof SpfError && e.result === "none") throw new SpfError("permerror", e.text);
        throw e;
      }
    }
    case "a": {
      const name = m.spec === null ? d : expandMacros(m.spec, d, c);
      return anyInPrefix(await c.main.query(name, addressType(c), family(c)), m, c);
    }
    case "mx": {
      const name = m.spec === null ? d : expandMacros(m.spec, d, c);
      const mxs = await c.main.query<{ exchange: string; priority: number }>(name, "MX");
      const hosts = new Budget(c.resolver, false);
      for (const mx of [...mxs].sort((x, y) => x.priority - y.priority)) {
        if (!mx.exchange || mx.exchange === ".") continue;
        if (anyInPrefix(await hosts.query(mx.exchange, addressType(c), family(c)), m, c)) return true;
      }
      return false;
    }
    case "exists":
      return (await c.main.query(expandMacros(m.spec, d, c), "A")).length > 0;
    case "ptr":
      return ptrMatches(m.spec === null ? d : expandMacros(m.spec, d, c), c);
  }
}

const family = (c: Check): 4 | 6 => (c.ip.length === 4 ? 4 : 6);
const addressType = (c: Check): string => (c.ip.length === 4 ? "A" : "AAAA");

function anyInPrefix(addresses: string[], m: { cidr4: number; cidr6: number }, c: Check): boolean {
  const bits = c.ip.length === 4 ? m.cidr4 : m.cidr6;
  for (const a of addresses) {
    const o = ipOctets(a);
    if (o && samePrefix(c.ip, o, bits)) return true;
  }
  return false;
}

/** §5.5: a PTR name of the client whose addresses include the client's, equal to or under
 *  `target`. A failed PTR query is no match (§5.5); at most 10 names are resolved. */
async function ptrMatches(target: string, c: Check): Promise<boolean> {
  if (c.ptrNames === undefined) {
    c.ptrNames = [];
    try {
      c.ptrNames = await c.main.query(reverseName(c.ip), "PTR");
    } catch (e) {
      if (!(e instanceof SpfError && e.result === "temperror")) throw e;
    }
  }
  const want = queryName(target).toLowerCase();
  const names = new Budget(c.resolver, false);
  for (const name of c.ptrNames.slice(0, 10)) {
    const n = name.toLowerCase().replace(/\.$/, "");
    if (n !== want && !n.endsWith(`.${want}`)) continue;
    const addrs = await names.query(n, addressType(c)).catch(() => [] as string[]);
    if (anyInPrefix(addrs, { cidr4: 32, cidr6: 128 }, c)) return true;
  }
  return false;
}

/** A domain as mailauth's Joi check accepted it (ASCII, two labels or more, letters, digits and
 *  inner hyphens, a top label starting with a letter): anything else gives "none". */
function validDomain(d: string): boolean {
  if (d.length === 0 || d.length > 256) return false;
  const labels = d.split(".");
  if (labels.length < 2) return false;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l.length === 0 || l.length > 63) return false;
    const re =
      i === labels.length - 1 ? /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/i : /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
    if (!re.test(l)) return false;
  }
  return true;
}

/** The SPF check of one SMTP transaction. Never throws: errors are results. */
export async function checkSpf(opts: SpfOptions): Promise<SpfOutcome> {
  const { mta, helo } = opts;
  let sender = opts.sender || `postmaster@${helo}`;
  const ip = unmapped(opts.ip);
  const at = sender.indexOf("@");
  if (at < 0) sender = `postmaster@${sender}`;
  else if (at === 0) sender = `postmaster${sender}`;
  const domain =
    sender
      .slice(sender.lastIndexOf("@") + 1)
      .toLowerCase()
      .trim() || "-";
  const octets = ipOctets(ip);
  const main = new Budget(opts.resolver, true);
  let verdict: { q: Qualifier } | { error: "none" | "permerror" | "temperror"; text: string };
  try {
    if (!validDomain(domain)) throw new SpfError("none", `Invalid domain ${domain}`);
    // mailauth's: no usable client address is neutral (a socket always has one).
    verdict =
      octets === null
        ? { q: "?" }
        : await checkHost(domain, {
            sender,
            ip: octets,
            helo: helo || `[${ip}]`,
            main,
            resolver: opts.resolver,
          });
  } catch (e) {
    // Anything unexpected is a temporary error, as at mailauth.
    verdict =
      e instanceof SpfError
        ? { error: e.result, text: e.text }
        : { error: "temperror", text: (e as Error).message };
  }
  const status = {
    ...resultOf(verdict, { mta, sender, ip, domain }),
    smtp: helo ? { mailfrom: sender, helo } : { mailfrom: sender },
  };
  const header = foldLine(
    `Received-SPF: ${status.result} (${escapeComment(status.comment)}) client-ip=${ip};`,
    160,
  );
  return {
    domain,
    "client-ip": ip,
    ...(helo ? { helo } : {}),
    "envelope-from": sender,
    status,
    header,
    info: formatAuthHeaderRow("spf", status),
    lookups: { limit: MAX_LOOKUPS, count: main.count, void: main.void },
  };
}

function resultOf(
  v: { q: Qualifier } | { error: "none" | "permerror" | "temperror"; text: string },
  w: { mta: string; sender: string; ip: string; domain: string },
): { result: SpfResultCode; comment: string } {
  if ("q" in v)
    switch (v.q) {
      case "+":
        return {
          result: "pass",
          comment: `${w.mta}: domain of ${w.sender} designates ${w.ip} as permitted sender`,
        };
      case "~":
        return {
          result: "softfail",
          comment: `${w.mta}: domain of transitioning ${w.sender} does not designate ${w.ip} as permitted sender`,
        };
      case "-":
        return {
          result: "fail",
          comment: `${w.mta}: domain of ${w.sender} does not designate ${w.ip} as permitted sender`,
        };
      default:
        return {
          result: "neutral",
          comment: `${w.mta}: ${w.ip} is neither permitted nor denied by domain of ${w.sender}`,
        };
    }
  const why = v.text ? `: ${v.text}` : "";
  if (v.error === "none")
    return { result: "none", comment: `${w.mta}: ${w.domain} does not designate permitted sender hosts` };
  if (v.error === "permerror")
    return {
      result: "permerror",
      comment: `${w.mta}: permanent error in processing during lookup of ${w.sender}${why}`,
    };
  return { result: "temperror", comment: `${w.mta}: error in processing during lookup of ${w.sender}${why}` };
}

/** mailauth's escapeCommentValue: control characters and whitespace runs to one space, "\" and
 *  ")" escaped. */
function escapeComment(s: string): string {
  return s
    .replace(/[\x00-\x1f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\\)]/g, (ch) => `\\${ch}`);
}
