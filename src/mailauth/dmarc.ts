// DMARC evaluation of one author domain (RFC 7489 §6.6): the policy record (dmarc-record.ts),
// identifier alignment of the SPF-authenticated and DKIM-signing domains with the RFC5322.From
// domain (§3.1), and the Authentication-Results item (RFC 8601). Replaces mailauth's dmarc():
// the result, its fields and the A-R item are mailauth 4.13.3's (dmarc.test.ts compares them on
// a zone of records), at a fraction of its CPU: it converted every name with punycode several
// times per message and looked the public suffix list up each time (org-domain.ts).
//
// One difference, where mailauth was wrong: it passed its options object where getAlignment
// expects a boolean, so adkim=s and aspf=s were never applied (a signature of any domain under
// the same organizational domain aligned). Here strict alignment is §3.1.1's: the domains equal.
// The result reads as mailauth's otherwise, mailauth's quirks included: header.from= is the
// organizational domain (the From domain is header.d=), a record's sp= applies only when the
// record was found at the organizational domain, and np= (RFC 9091) is not read.
import type { DMARCResult } from "mailauth";
import { formatAuthHeaderRow } from "mailauth/lib/tools.js";
import { type DmarcRecord, discoverDmarcRecord, type ResolveTxt } from "./dmarc-record.js";
import { asciiDomain, organizationalDomain } from "./org-domain.js";

export interface DkimDomain {
  id?: string;
  domain: string;
  aligned?: boolean | string;
  underSized?: boolean | number;
}

export interface DmarcInput {
  /** The author address(es); DMARC is evaluated only for exactly one (authors.ts does the rest). */
  headerFrom: string | string[];
  /** The domain SPF passed for (MAIL FROM or HELO), if it passed. */
  spfDomains: string[];
  /** The domains of the DKIM signatures that passed. */
  dkimDomains: DkimDomain[];
  arcResult?: { status?: { result?: string } } | undefined | false;
  resolveTxt: ResolveTxt;
}

/** mailauth's DMARCResult for the author domain, or false unless there is exactly one address. */
export async function evaluateDmarc(input: DmarcInput): Promise<DMARCResult | false> {
  let from = input.headerFrom;
  if (Array.isArray(from)) {
    if (from.length !== 1) return false;
    from = from[0]!;
  }
  const at = from.indexOf("@");
  const domain = asciiDomain(at >= 0 ? from.slice(at + 1) : from);
  const orgDomain = organizationalDomain(domain);
  // mailauth's status had comment: false until a record was found, and deleted it when still
  // false: here it is set only then (no delete, which slows every later access to the object).
  const status: DmarcStatus = { result: "neutral", header: { from: orgDomain || domain } };
  /** mailauth's formatResponse: the result with its A-R item. */
  const finish = (r: Record<string, unknown>): DMARCResult => {
    r.status = status;
    r.info = formatAuthHeaderRow("dmarc", status);
    return r as unknown as DMARCResult;
  };

  let record: DmarcRecord | null;
  try {
    record = await discoverDmarcRecord(domain, input.resolveTxt);
  } catch (e) {
    status.result = "temperror";
    return finish({ domain: orgDomain || domain, error: (e as Error).message });
  }
  if (record === null) {
    status.result = "none";
    return finish({ domain: orgDomain || domain });
  }

  const tag = (name: string) => record.tags.get(name) || undefined; // "" is no value
  const p = tag("p");
  const sp = tag("sp");
  // mailauth's: a From domain "_dmarc.x" reads as x here (the lookup was of the whole name).
  status.header.d = domain.split("_dmarc.").pop();
  const arc = input.arcResult ? input.arcResult.status?.result : undefined;
  status.comment = [
    ...(p ? [`p=${p.toUpperCase()}`] : []),
    ...(sp ? [`sp=${sp.toUpperCase()}`] : []),
    ...(arc ? [`arc=${arc}`] : []),
  ].join(" ");
  const policy = record.isOrgRecord && sp ? sp : p;
  const dkimStrict = tag("adkim") === "s";
  const spfStrict = tag("aspf") === "s";
  const dkim = alignedEntry(domain, orgDomain, input.dkimDomains, dkimStrict);
  const spf = alignedEntry(
    domain,
    orgDomain,
    input.spfDomains.map((d) => ({ domain: d })),
    spfStrict,
  );
  status.result = dkim || spf ? "pass" : "fail";
  return finish({
    domain: orgDomain || domain,
    policy,
    p,
    sp: sp || p,
    pct: record.pct,
    rr: record.rr,
    alignment: {
      spf: { result: spf?.domain, strict: spfStrict },
      dkim: { result: dkim?.domain, strict: dkimStrict, underSized: dkim?.underSized },
    },
  });
}

interface DmarcStatus {
  result: string;
  comment?: string;
  header: { from: string; d?: string };
}

/** The first of `entries` aligned with the From domain (RFC 7489 §3.1), signatures covering the
 *  whole body first (mailauth's order): strict, the same name; relaxed, the same organizational
 *  domain (a name without one stands for itself). `domain` is asciiDomain's form. */
export function alignedEntry<T extends { domain: string; underSized?: boolean | number | undefined }>(
  domain: string,
  orgDomain: string | null,
  entries: readonly T[],
  strict: boolean,
): T | null {
  const sorted = entries.some((e) => e.underSized)
    ? [...entries].sort((a, b) => Number(a.underSized || 0) - Number(b.underSized || 0))
    : entries;
  const want = strict ? domain : orgDomain || domain;
  for (const e of sorted) {
    const d = asciiDomain(e.domain);
    if ((strict ? d : organizationalDomain(d) || d) === want) return e;
  }
  return null;
}

/** `domain` when it is in relaxed alignment with the From domain `fromDomain` (as given in the
 *  address), else false: the "aligned" of a DKIM result, as mailauth's getAlignment gave it. */
export function relaxedAlignment(fromDomain: string, domain: string): string | false {
  const from = asciiDomain(fromDomain);
  return alignedEntry(from, organizationalDomain(from), [{ domain }], false)?.domain || false;
}
