// The TLS-RPT record of a domain (RFC 8460 3): TXT at _smtp._tls.<domain>, "v=TLSRPTv1;
// rua=<uri>[,<uri>]" where each URI is mailto: or https:. Records that do not begin with
// v=TLSRPTv1 are ignored; if not exactly one is left, the domain does not do TLS-RPT (3).
import type { DnsResolver } from "../../dns/types.js";
import { isNoData } from "../../dns/types.js";

export type ReportUri = { kind: "mailto"; address: string } | { kind: "https"; url: string };

/** The rua URIs of a TXT record set, or null when it is not (exactly one) TLS-RPT record. */
export function parseTlsRptRecords(txt: readonly string[][]): ReportUri[] | null {
  const records = txt.map((parts) => parts.join("")).filter((r) => /^v=TLSRPTv1\s*;/i.test(r));
  if (records.length !== 1) return null;
  const record = records[0] ?? "";
  const uris: ReportUri[] = [];
  for (const field of record.split(";").slice(1)) {
    const eq = field.indexOf("=");
    if (eq < 0 || field.slice(0, eq).trim().toLowerCase() !== "rua") continue;
    for (const raw of field.slice(eq + 1).split(",")) {
      const uri = parseReportUri(raw.trim());
      if (uri) uris.push(uri);
    }
  }
  return uris.length > 0 ? uris : null;
}

/** "mailto:a@b" (RFC 6068, without headers) or "https://..."; null for anything else. */
export function parseReportUri(raw: string): ReportUri | null {
  if (/^mailto:/i.test(raw)) {
    let address: string;
    try {
      address = decodeURIComponent(raw.slice(7).split("?")[0] ?? "").trim();
    } catch {
      return null; // a malformed %-escape
    }
    const at = address.lastIndexOf("@");
    return at > 0 && at < address.length - 1 && !/[\s<>,]/.test(address) ? { kind: "mailto", address } : null;
  }
  if (/^https:\/\//i.test(raw)) {
    try {
      return { kind: "https", url: new URL(raw).toString() };
    } catch {
      return null;
    }
  }
  return null;
}

/** Looks the record up; null when the domain publishes none (or DNS fails: nothing is kept). */
export async function lookupTlsRpt(resolver: DnsResolver, domain: string): Promise<ReportUri[] | null> {
  try {
    return parseTlsRptRecords(await resolver.resolveTxt(`_smtp._tls.${domain}`));
  } catch (e) {
    if (isNoData(e)) return null;
    throw e;
  }
}
