// DMARC policy discovery (RFC 7489 §6.6.3): the TXT record at _dmarc.<author domain>, else at
// _dmarc.<organizational domain>. Read as mailauth 4.13.3 read it (lib/dmarc/get-dmarc-record.js),
// so the results and Authentication-Results stay what they were:
//  - of the TXT strings (each record's strings joined, trimmed), those starting "v=DMARC1" at a
//    word boundary count; none, or more than one, is no policy (§6.6.3 step 3 and 4);
//  - "no such name" and "no data" are no record; any other DNS error is the caller's temperror;
//  - tags split at ";", names lower-cased, values as published (pct and ri as integers, 0 when
//    not a number). Unknown tags are kept and ignored (§6.3).
import { organizationalDomain } from "./org-domain.js";

export type ResolveTxt = (name: string) => Promise<string[][]>;

export interface DmarcRecord {
  /** Tag values by lower-cased name, as published (case kept; "" when empty: no value). */
  tags: Map<string, string>;
  pct: number | undefined;
  /** The record's text. */
  rr: string;
  /** Found at the organizational domain, not at the author domain itself. */
  isOrgRecord: boolean;
}

/** The DMARC record for `domain` (asciiDomain's form), or null when none is published. Throws
 *  on DNS failures other than NXDOMAIN / NODATA. Two lookups at most. */
export async function discoverDmarcRecord(
  domain: string,
  resolveTxt: ResolveTxt,
): Promise<DmarcRecord | null> {
  let txt = await recordAt(domain, resolveTxt);
  let isOrgRecord = false;
  if (txt === null) {
    const org = organizationalDomain(domain);
    // mailauth asked "_dmarc.null" for a name without an organizational domain (a public
    // suffix): that name cannot exist in DNS, so not asking gives the same "no record".
    if (org !== null && org !== domain) {
      txt = await recordAt(org, resolveTxt);
      isOrgRecord = true;
    }
  }
  if (txt === null) return null;
  const { tags, pct } = parseDmarcTags(txt);
  return { tags, pct, rr: txt, isOrgRecord };
}

async function recordAt(domain: string, resolveTxt: ResolveTxt): Promise<string | null> {
  let rows: string[][];
  try {
    rows = await resolveTxt(`_dmarc.${domain}`);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOTFOUND" || code === "ENODATA") return null;
    throw e;
  }
  const records = (rows ?? []).map((r) => r.join("").trim()).filter((r) => /^v=DMARC1\b/i.test(r));
  return records.length === 1 ? records[0]! : null;
}

/** The tags of one record's text (§6.3), as mailauth read them. */
export function parseDmarcTags(txt: string): { tags: Map<string, string>; pct: number | undefined } {
  const tags = new Map<string, string>();
  for (const part of txt.split(";")) {
    const e = part.trim();
    const eq = e.indexOf("=");
    if (e === "" || eq === 0) continue; // mailauth kept "=x" under the key false: never read
    // "tag" without "=": mailauth set it to false, so it unset an earlier "tag=value".
    if (eq < 0) {
      tags.delete(e.toLowerCase());
      continue;
    }
    tags.set(e.slice(0, eq).toLowerCase().trim(), e.slice(eq + 1));
  }
  const rawPct = tags.get("pct");
  return { tags, pct: rawPct === undefined ? undefined : Number.parseInt(rawPct, 10) || 0 };
}
