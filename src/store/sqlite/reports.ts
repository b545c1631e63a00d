// ReportStore on SQLite (tables: reports-schema.ts). A report is saved in one immediate
// transaction of its own (ctx.write): reports arrive a few a day per domain, off the delivery
// path (src/reports/inbound), so they need not share the group commit.
import { StoreError } from "../errors.js";
import type {
  DmarcRecord,
  DmarcSource,
  ReceivedReport,
  ReceivedReportKind,
  ReportStore,
  ReportSummary,
  StoredReport,
  TlsRptFailure,
  TlsRptPolicy,
} from "../types.js";
import type { Ctx } from "./context.js";

interface ReportRow {
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
  failure_types: string;
  row_count: number;
  detail: string;
}

interface Line {
  source_ip: string | null;
  count: number;
  pass: number;
  header_from: string | null;
  data: string;
}

/** A TLS-RPT failure row remembers its policy (index into the report's policies). */
type StoredFailure = TlsRptFailure & { policy: number };

export function createReports(ctx: Ctx): ReportStore {
  // Prepared on first use: most processes never read or write a report.
  let stmts: ReturnType<typeof prepare> | null = null;
  const s = () => {
    stmts ??= prepare(ctx);
    return stmts;
  };
  return {
    async save(report, receivedAt) {
      const lines = linesOf(report);
      const t = totals(report);
      const detail = JSON.stringify(
        report.kind === "dmarc"
          ? { email: report.email, policy: report.policy }
          : { contact: report.contact, policies: report.policies.map((p) => ({ ...p, failures: [] })) },
      );
      const begin = millis(report.begin);
      const end = millis(report.end);
      return ctx.write((): { value: { id: number; created: boolean } } => {
        const q = s();
        const old = q.find.get(report.kind, report.org, report.reportId);
        if (old) return { value: { id: old.id, created: false } };
        const domain = report.kind === "dmarc" ? report.policy.domain : (report.policies[0]?.domain ?? "");
        const info = q.insert.run({
          kind: report.kind,
          org: report.org,
          report_id: report.reportId,
          domain: domain.toLowerCase(),
          begin_at: begin,
          end_at: end,
          received_at: millis(receivedAt),
          ...t,
          row_count: lines.length,
          detail,
        });
        const id = Number(info.lastInsertRowid);
        lines.forEach((l, seq) => {
          q.line.run({ report: id, seq, ...l });
        });
        return { value: { id, created: true } };
      });
    },

    async list(query) {
      return ctx.read(() => {
        const rows = s().list.all({
          kind: query.kind ?? null,
          since: query.since ? millis(query.since) : null,
          domains: query.domains === null ? null : JSON.stringify(query.domains.map((d) => d.toLowerCase())),
          limit: bounded(query.limit),
          offset: bounded(query.offset ?? 0),
        });
        return rows.map(toSummary);
      });
    },

    async get(id, page) {
      return ctx.read(() => {
        const q = s();
        const row = q.get.get(id);
        if (!row) return null;
        const lines = q.lines.all(id, bounded(page.limit), bounded(page.offset));
        const summary = toSummary(row);
        const detail = JSON.parse(row.detail);
        const base = { org: row.org, reportId: row.report_id, begin: summary.begin, end: summary.end };
        let report: ReceivedReport;
        if (row.kind === "dmarc") {
          report = {
            kind: "dmarc",
            ...base,
            email: detail.email ?? null,
            policy: detail.policy,
            records: lines.map((l) => JSON.parse(l.data) as DmarcRecord),
          };
        } else {
          const policies = detail.policies as TlsRptPolicy[];
          for (const l of lines) {
            const { policy, ...failure } = JSON.parse(l.data) as StoredFailure;
            policies[policy]?.failures.push(failure);
          }
          report = { kind: "tlsrpt", ...base, contact: detail.contact ?? null, policies };
        }
        return { summary, report, rowCount: row.row_count } satisfies StoredReport;
      });
    },

    async dmarcSources(query) {
      return ctx.read(() =>
        s()
          .sources.all({
            since: millis(query.since),
            domains:
              query.domains === null ? null : JSON.stringify(query.domains.map((d) => d.toLowerCase())),
            limit: bounded(query.limit),
          })
          .map(
            (r): DmarcSource => ({
              sourceIp: r.source_ip,
              headerFrom: r.header_from,
              messages: r.messages,
              passed: r.passed,
              failed: r.messages - r.passed,
              reports: r.reports,
            }),
          ),
      );
    },

    async deleteEndedBefore(before) {
      const t = millis(before);
      return ctx.write(() => ({ value: s().expire.run(t).changes }));
    },
  };
}

function millis(d: Date): number {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new StoreError("invalid", "not a valid date");
  return t;
}

function bounded(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new StoreError("invalid", `bad page bound ${n}`);
  return n;
}

function dmarcPass(r: DmarcRecord): boolean {
  return r.dkim === "pass" || r.spf === "pass";
}

function totals(report: ReceivedReport) {
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
      dkim_pass: dkim,
      spf_pass: spf,
      failure_types: "[]",
    };
  }
  let passed = 0;
  let failed = 0;
  const types = new Set<string>();
  for (const p of report.policies) {
    passed += p.successful;
    failed += p.failed;
    for (const f of p.failures) types.add(f.resultType);
  }
  return {
    total: passed + failed,
    passed,
    failed,
    dkim_pass: 0,
    spf_pass: 0,
    failure_types: JSON.stringify([...types].sort()),
  };
}

function linesOf(report: ReceivedReport): Line[] {
  if (report.kind === "dmarc")
    return report.records.map((r) => ({
      source_ip: r.sourceIp,
      count: r.count,
      pass: dmarcPass(r) ? 1 : 0,
      header_from: r.headerFrom.toLowerCase(),
      data: JSON.stringify(r),
    }));
  return report.policies.flatMap((p, policy) =>
    p.failures.map((f) => ({
      source_ip: f.sendingMtaIp,
      count: f.failedSessionCount,
      pass: 0,
      header_from: null,
      data: JSON.stringify({ ...f, policy } satisfies StoredFailure),
    })),
  );
}

function toSummary(r: ReportRow): ReportSummary {
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
    failureTypes: JSON.parse(r.failure_types) as string[],
  };
}

function prepare(ctx: Ctx) {
  const db = ctx.db;
  // The domain filter is a JSON array (NULL: all), so one statement serves any number of domains.
  const inDomains = "(@domains IS NULL OR domain IN (SELECT value FROM json_each(@domains)))";
  return {
    find: db.prepare<[string, string, string], { id: number }>(
      "SELECT id FROM received_reports WHERE kind = ? AND org = ? AND report_id = ?",
    ),
    insert: db.prepare(
      `INSERT INTO received_reports (kind, org, report_id, domain, begin_at, end_at, received_at, total,
         passed, failed, dkim_pass, spf_pass, failure_types, row_count, detail)
       VALUES (@kind, @org, @report_id, @domain, @begin_at, @end_at, @received_at, @total, @passed,
         @failed, @dkim_pass, @spf_pass, @failure_types, @row_count, @detail)`,
    ),
    line: db.prepare(
      `INSERT INTO received_report_rows (report, seq, source_ip, count, pass, header_from, data)
       VALUES (@report, @seq, @source_ip, @count, @pass, @header_from, @data)`,
    ),
    list: db.prepare<
      [{ kind: string | null; since: number | null; domains: string | null; limit: number; offset: number }],
      ReportRow
    >(
      `SELECT * FROM received_reports
       WHERE (@kind IS NULL OR kind = @kind) AND (@since IS NULL OR end_at >= @since) AND ${inDomains}
       ORDER BY end_at DESC, id DESC LIMIT @limit OFFSET @offset`,
    ),
    get: db.prepare<[number], ReportRow>("SELECT * FROM received_reports WHERE id = ?"),
    lines: db.prepare<[number, number, number], Line>(
      "SELECT source_ip, count, pass, header_from, data FROM received_report_rows WHERE report = ? ORDER BY seq LIMIT ? OFFSET ?",
    ),
    sources: db.prepare<
      [{ since: number; domains: string | null; limit: number }],
      { source_ip: string; header_from: string; messages: number; passed: number; reports: number }
    >(
      `SELECT l.source_ip, l.header_from, sum(l.count) AS messages, sum(l.count * l.pass) AS passed,
         count(DISTINCT l.report) AS reports
       FROM received_reports r JOIN received_report_rows l ON l.report = r.id
       WHERE r.kind = 'dmarc' AND r.end_at >= @since AND ${inDomains.replace("domain IN", "r.domain IN")}
       GROUP BY l.source_ip, l.header_from ORDER BY messages DESC, l.source_ip LIMIT @limit`,
    ),
    expire: db.prepare<[number]>("DELETE FROM received_reports WHERE end_at < ?"),
  };
}
