// The outgoing-report counts' rows, checks and mapping, shared by the SQLite
// (src/store/sqlite/report-sending.ts) and PostgreSQL (src/store/postgres/report-sending.ts)
// ReportSendingStores; how a batch is written (group commit, or summed unnest() upserts) stays
// in each backend.
import { StoreError } from "../errors.js";
import type { DmarcRecordCount, TlsResultCount } from "../types.js";

/** A tlsrpt_results row: the key columns, the first failure detail and the count. */
export interface TlsRow {
  day: string;
  policy_domain: string;
  policy_type: string;
  policy_strings: string;
  mx_hosts: string;
  result: string;
  sending_ip: string;
  receiving_mx: string;
  receiving_ip: string;
  detail: string;
  count: number;
}

/** A dmarc_records row: the key columns and the count. */
export interface DmarcRow {
  day: string;
  header_from: string;
  source_ip: string;
  envelope_from: string;
  disposition: string;
  dkim: string;
  spf: string;
  dkim_results: string;
  spf_domain: string;
  spf_result: string;
  count: number;
}

/** A text cleaner applied to free text before it is stored (PostgreSQL: withoutNul; SQLite: none). */
type TextClean = (s: string) => string;
const same: TextClean = (s) => s;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function checkDay(day: string): void {
  if (typeof day !== "string" || !DAY.test(day)) throw new StoreError("invalid", `not a day: ${day}`);
}

function checkCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new StoreError("invalid", `count ${n}`);
}

export function tlsRow(r: TlsResultCount, clean: TextClean = same): TlsRow {
  checkDay(r.day);
  checkCount(r.count);
  return {
    day: r.day,
    policy_domain: clean(r.policyDomain.toLowerCase()),
    policy_type: r.policyType,
    policy_strings: JSON.stringify(r.policyStrings),
    mx_hosts: JSON.stringify(r.mxHosts),
    result: clean(r.result),
    sending_ip: clean(r.sendingIp),
    receiving_mx: clean(r.receivingMx.toLowerCase()),
    receiving_ip: clean(r.receivingIp),
    detail: clean(r.detail),
    count: r.count,
  };
}

export function dmarcRow(r: DmarcRecordCount, clean: TextClean = same): DmarcRow {
  checkDay(r.day);
  checkCount(r.count);
  return {
    day: r.day,
    header_from: clean(r.headerFrom.toLowerCase()),
    source_ip: clean(r.sourceIp),
    envelope_from: clean(r.envelopeFrom.toLowerCase()),
    disposition: r.disposition,
    dkim: r.dkim,
    spf: r.spf,
    dkim_results: JSON.stringify(r.dkimResults),
    spf_domain: clean(r.spfDomain.toLowerCase()),
    spf_result: clean(r.spfResult),
    count: r.count,
  };
}

export const toTlsResult = (r: TlsRow): TlsResultCount => ({
  day: r.day,
  policyDomain: r.policy_domain,
  policyType: r.policy_type as TlsResultCount["policyType"],
  policyStrings: JSON.parse(r.policy_strings) as string[],
  mxHosts: JSON.parse(r.mx_hosts) as string[],
  result: r.result,
  sendingIp: r.sending_ip,
  receivingMx: r.receiving_mx,
  receivingIp: r.receiving_ip,
  detail: r.detail,
  count: r.count,
});

export const toDmarcRecord = (r: DmarcRow): DmarcRecordCount => ({
  day: r.day,
  headerFrom: r.header_from,
  sourceIp: r.source_ip,
  envelopeFrom: r.envelope_from,
  disposition: r.disposition as DmarcRecordCount["disposition"],
  dkim: r.dkim as "pass" | "fail",
  spf: r.spf as "pass" | "fail",
  dkimResults: JSON.parse(r.dkim_results) as DmarcRecordCount["dkimResults"],
  spfDomain: r.spf_domain,
  spfResult: r.spf_result,
  count: r.count,
});
