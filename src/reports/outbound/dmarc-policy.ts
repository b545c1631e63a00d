// What a DMARC aggregate report needs from a domain's DMARC record (RFC 7489 6.3): the published
// policy (for <policy_published>) and its rua addresses with their size limits ("!10m", 6.2).
// The record is looked up at _dmarc.<domain>, else at its organisational domain (6.6.3).
import type { DnsResolver } from "../../dns/types.js";
import { isNoData } from "../../dns/types.js";
import { registeredDomain } from "../../dnsbl/registered-domain.js";

export interface DmarcRua {
  address: string;
  /** Largest report in octets the address takes (RFC 7489 6.2 "!size"), null: no limit. */
  maxBytes: number | null;
}

export interface PublishedPolicy {
  /** The domain whose record it is (the author domain or its organisational domain). */
  domain: string;
  adkim: "r" | "s";
  aspf: "r" | "s";
  p: string;
  sp: string;
  pct: number;
  rua: DmarcRua[];
}

const units: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** One DMARC record's tags, or null when `txt` is not one (RFC 7489 6.3: v=DMARC1 first). */
export function parseDmarcRecord(record: string, domain: string): PublishedPolicy | null {
  const tags = new Map<string, string>();
  for (const part of record.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    tags.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (!/^v=DMARC1\s*(?:;|$)/i.test(record.trim())) return null;
  const p = (tags.get("p") ?? "").toLowerCase();
  if (!["none", "quarantine", "reject"].includes(p)) return null;
  const rua: DmarcRua[] = [];
  for (const raw of (tags.get("rua") ?? "").split(",")) {
    const m = /^mailto:([^!\s]+)(?:!(\d{1,12})([kmgt]?))?$/i.exec(raw.trim());
    if (!m?.[1]) continue;
    let address: string;
    try {
      address = decodeURIComponent(m[1]);
    } catch {
      continue;
    }
    if (address.lastIndexOf("@") <= 0) continue;
    rua.push({ address, maxBytes: m[2] ? Number(m[2]) * (units[(m[3] ?? "").toLowerCase()] ?? 1) : null });
  }
  const pct = Number(tags.get("pct") ?? "100");
  return {
    domain,
    adkim: (tags.get("adkim") ?? "r").toLowerCase() === "s" ? "s" : "r",
    aspf: (tags.get("aspf") ?? "r").toLowerCase() === "s" ? "s" : "r",
    p,
    sp: (tags.get("sp") ?? p).toLowerCase(),
    pct: Number.isInteger(pct) && pct >= 0 && pct <= 100 ? pct : 100,
    rua,
  };
}

async function txt(resolver: DnsResolver, name: string): Promise<string[]> {
  try {
    return (await resolver.resolveTxt(name)).map((parts) => parts.join(""));
  } catch (e) {
    if (isNoData(e)) return [];
    throw e;
  }
}

/** The DMARC record that applies to `domain` (RFC 7489 6.6.3), or null. */
export async function lookupDmarcPolicy(
  resolver: DnsResolver,
  domain: string,
): Promise<PublishedPolicy | null> {
  const d = domain.toLowerCase();
  const org = registeredDomain(d);
  for (const name of org && org !== d ? [d, org] : [d]) {
    const records = (await txt(resolver, `_dmarc.${name}`)).filter((r) => /^v=DMARC1\s*(?:;|$)/i.test(r));
    // 6.6.3: more than one record is as none.
    if (records.length === 1) return parseDmarcRecord(records[0] ?? "", name);
    if (records.length > 1) return null;
  }
  return null;
}

/** RFC 7489 7.1: may reports about `author` go to an address at `ruaDomain`? Yes within the
 *  same organisational domain; otherwise only if the rua domain publishes
 *  "<author>._report._dmarc.<ruaDomain>" TXT v=DMARC1 (a report address that did not ask for
 *  our domain's reports is how a server that mailed every rua= got blocklisted). */
export async function ruaAuthorised(
  resolver: DnsResolver,
  author: string,
  ruaDomain: string,
): Promise<boolean> {
  const a = author.toLowerCase();
  const r = ruaDomain.toLowerCase();
  const orgA = registeredDomain(a);
  if (orgA !== null && orgA === registeredDomain(r)) return true;
  const records = await txt(resolver, `${a}._report._dmarc.${r}`);
  return records.some((x) => /^v=DMARC1\s*(?:;|$)/i.test(x));
}
