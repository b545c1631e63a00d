// The received-report pieces that hold no SQL, shared by the SQLite (src/store/sqlite/reports.ts)
// and PostgreSQL (src/store/postgres/reports.ts) ReportStores: what a report's totals, rows and
// detail are, and how a stored row reads back as a summary and a report. Each backend keeps its
// own column types (SQLite: integer pass flag and JSON failure types; PostgreSQL: bool and text[]).
import { StoreError } from "../errors.js";
import type {
  DmarcRecord,
  DmarcSource,
  ReceivedReport,
  ReceivedReportKind,
  ReportSummary,
  TlsRptFailure,
  TlsRptPolicy,
} from "../types.js";

/** A text cleaner applied to what goes into a column (PostgreSQL: withoutNul; SQLite: none). */
export type TextClean = (s: string) => string;
const same: TextClean = (s) => s;

/** A TLS-RPT failure row remembers its policy (index into the report's policies). */
type StoredFailure = TlsRptFailure & { policy: number };

/** The received_reports columns both backends read alike (failure_types differs in type). */
export interface ReportRowBase {
  id: number;
  kind: ReceivedReportKind;
  org: string;
  report_id: string;
  domain: string;
  begin_at: number;
  end_at: number;
  received_at: number;
  total: number;
  passed: number;
  failed: number;
  dkim_pass: number;
  spf_pass: number;
  row_count: number;
  detail: string;
}

/** One received_report_rows row as written; `pass` is a boolean here, each backend stores it its way. */
export interface ReportLine {
  source_ip: string | null;
  count: number;
  pass: boolean;
  header_from: string | null;
  data: string;
}

export function bounded(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new StoreError("invalid", `bad page bound ${n}`);
  return n;
}

function dmarcPass(r: DmarcRecord): boolean {
  return r.dkim === "pass" || r.spf === "pass";
}

export function reportTotals(report: ReceivedReport, clean: TextClean = same) {
  if (report.kind === "dmarc") {
    let total = 0;
    let passed = 0;
    let dkim = 0;
    let spf = 0;
    for (const r of report.records) {
      total += r.count;
      if (dmarcPass(r)) passed += r.count;
      if (r.dkim === "pass") dkim += r.count;
      if (r.spf === "pass") spf += r.count;
    }
    return {
      total,
      passed,
      failed: total - passed,
      dkimPass: dkim,
      spfPass: spf,
      failureTypes: [] as string[],
    };
  }
  let passed = 0;
  let failed = 0;
  const types = new Set<string>();
  for (const p of report.policies) {
    passed += p.successful;
    failed += p.failed;
    for (const f of p.failures) types.add(clean(f.resultType));
  }
  return {
    total: passed + failed,
    passed,
    failed,
    dkimPass: 0,
    spfPass: 0,
    failureTypes: [...types].sort(),
  };
}

/** The report's detail column: what is not in the rows (the policy, or the policies without failures). */
export function reportDetail(report: ReceivedReport): string {
  return JSON.stringify(
    report.kind === "dmarc"
      ? { email: report.email, policy: report.policy }
      : { contact: report.contact, policies: report.policies.map((p) => ({ ...p, failures: [] })) },
  );
}

// Row text is JSON: U+0000 in a string is written as the escape \u0000, which TEXT holds.
export function reportLines(report: ReceivedReport, clean: TextClean = same): ReportLine[] {
  if (report.kind === "dmarc")
    return report.records.map((r) => ({
      source_ip: clean(r.sourceIp),
      count: r.count,
      pass: dmarcPass(r),
      header_from: clean(r.headerFrom.toLowerCase()),
      data: JSON.stringify(r),
    }));
  return report.policies.flatMap((p, policy) =>
    p.failures.map((f) => ({
      source_ip: f.sendingMtaIp === null ? null : clean(f.sendingMtaIp),
      count: f.failedSessionCount,
      pass: false,
      header_from: null,
      data: JSON.stringify({ ...f, policy } satisfies StoredFailure),
    })),
  );
}

export function toSummary(r: ReportRowBase, failureTypes: string[]): ReportSummary {
  return {
    id: r.id,
    kind: r.kind,
    domain: r.domain,
    org: r.org,
    reportId: r.report_id,
    begin: new Date(r.begin_at),
    end: new Date(r.end_at),
    receivedAt: new Date(r.received_at),
    total: r.total,
    passed: r.passed,
    failed: r.failed,
    dkimPass: r.dkim_pass,
    spfPass: r.spf_pass,
    failureTypes,
  };
}

/** The report as saved, from its row's detail and one page of its rows' data (in seq order). */
export function reportOf(
  row: ReportRowBase,
  summary: ReportSummary,
  data: readonly string[],
): ReceivedReport {
  const detail = JSON.parse(row.detail);
  const base = { org: row.org, reportId: row.report_id, begin: summary.begin, end: summary.end };
  if (row.kind === "dmarc") {
    return {
      kind: "dmarc",
      ...base,
      email: detail.email ?? null,
      policy: detail.policy,
      records: data.map((d) => JSON.parse(d) as DmarcRecord),
    };
  }
  const policies = detail.policies as TlsRptPolicy[];
  for (const d of data) {
    const { policy, ...failure } = JSON.parse(d) as StoredFailure;
    policies[policy]?.failures.push(failure);
  }
  return { kind: "tlsrpt", ...base, contact: detail.contact ?? null, policies };
}

/** A dmarcSources aggregate row as the API gives it. */
export function toDmarcSource(r: {
  source_ip: string;
  header_from: string;
  messages: number;
  passed: number;
  reports: number;
}): DmarcSource {
  return {
    sourceIp: r.source_ip,
    headerFrom: r.header_from,
    messages: r.messages,
    passed: r.passed,
    failed: r.messages - r.passed,
    reports: r.reports,
  };
}
