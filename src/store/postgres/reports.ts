// ReportStore on PostgreSQL (tables: schema-filters.ts): the DMARC and TLS-RPT reports other
// operators mail us. A report is stored once per (kind, org, report id) whichever node received
// it: the insert is ON CONFLICT DO NOTHING on that unique key, so of two nodes saving one report
// at once the second waits for the first's commit and then finds its id. The rows go in with the
// report, in one transaction, a few thousand per statement (unnest() of arrays).
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
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";
import { db, millis, tx, withoutNul } from "./filter-kit.js";

/** Rows per INSERT: a 100,000-record report is 20 statements of bounded size, not one huge one. */
const ROWS_PER_STATEMENT = 5000;

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
  failure_types: string[];
  row_count: number;
  detail: string;
}

interface Line {
  source_ip: string | null;
  count: number;
  pass: boolean;
  header_from: string | null;
  data: string;
}

/** A TLS-RPT failure row remembers its policy (index into the report's policies). */
type StoredFailure = TlsRptFailure & { policy: number };

function bounded(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new StoreError("invalid", `bad page bound ${n}`);
  return n;
}

/** A sum kept within BIGINT (and JavaScript's exact integers): counts come from the report. */
const capped = (n: number): number => Math.min(n, Number.MAX_SAFE_INTEGER);

/** The domains filter as a parameter: null (all) or the lower-cased list. */
const domainList = (d: readonly string[] | null): string[] | null =>
  d === null ? null : d.map((x) => withoutNul(x.toLowerCase()));

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
    return { total, passed, failed: total - passed, dkimPass: dkim, spfPass: spf, failureTypes: [] };
  }
  let passed = 0;
  let failed = 0;
  const types = new Set<string>();
  for (const p of report.policies) {
    passed += p.successful;
    failed += p.failed;
    for (const f of p.failures) types.add(withoutNul(f.resultType));
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

// Row text is JSON: U+0000 in a string is written as the escape \u0000, which TEXT holds.
function linesOf(report: ReceivedReport): Line[] {
  if (report.kind === "dmarc")
    return report.records.map((r) => ({
      source_ip: withoutNul(r.sourceIp),
      count: r.count,
      pass: dmarcPass(r),
      header_from: withoutNul(r.headerFrom.toLowerCase()),
      data: JSON.stringify(r),
    }));
  return report.policies.flatMap((p, policy) =>
    p.failures.map((f) => ({
      source_ip: f.sendingMtaIp === null ? null : withoutNul(f.sendingMtaIp),
      count: f.failedSessionCount,
      pass: false,
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
    failureTypes: r.failure_types,
  };
}

async function insertLines(t: Tx, report: number, lines: readonly Line[]): Promise<void> {
  for (let start = 0; start < lines.length; start += ROWS_PER_STATEMENT) {
    const part = lines.slice(start, start + ROWS_PER_STATEMENT);
    await t.run(
      `INSERT INTO received_report_rows (report, seq, source_ip, count, pass, header_from, data)
       SELECT $1, u.* FROM unnest($2::int[], $3::text[], $4::bigint[], $5::bool[], $6::text[], $7::text[]) AS u`,
      [
        report,
        part.map((_, i) => start + i),
        part.map((l) => l.source_ip),
        part.map((l) => l.count),
        part.map((l) => l.pass),
        part.map((l) => l.header_from),
        part.map((l) => l.data),
      ],
    );
  }
}

export function createReports(ctx: PgCtx): ReportStore {
  return {
    async save(report, receivedAt) {
      const lines = linesOf(report);
      const t = totals(report);
      const detail = JSON.stringify(
        report.kind === "dmarc"
          ? { email: report.email, policy: report.policy }
          : { contact: report.contact, policies: report.policies.map((p) => ({ ...p, failures: [] })) },
      );
      const begin = millis(report.begin, "report begin");
      const end = millis(report.end, "report end");
      const received = millis(receivedAt, "received at");
      const domain = report.kind === "dmarc" ? report.policy.domain : (report.policies[0]?.domain ?? "");
      const key = [report.kind, withoutNul(report.org), withoutNul(report.reportId)];
      return tx(ctx, async (q) => {
        // Twice at most: a report found as a duplicate and then removed by deleteEndedBefore before
        // it could be read is inserted anew on the second round.
        for (let round = 0; ; round++) {
          const made = await q.one<{ id: number }>(
            `INSERT INTO received_reports (kind, org, report_id, domain, begin_at, end_at, received_at, total,
             passed, failed, dkim_pass, spf_pass, failure_types, row_count, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text[], $14, $15)
           ON CONFLICT (kind, org, report_id) DO NOTHING RETURNING id`,
            [
              ...key,
              withoutNul(domain.toLowerCase()),
              begin,
              end,
              received,
              capped(t.total),
              capped(t.passed),
              capped(t.failed),
              capped(t.dkimPass),
              capped(t.spfPass),
              t.failureTypes,
              lines.length,
              detail,
            ],
          );
          if (!made) {
            const old = await q.one<{ id: number }>(
              "SELECT id FROM received_reports WHERE kind = $1 AND org = $2 AND report_id = $3",
              key,
            );
            if (old) return { id: old.id, created: false };
            if (round === 1) throw new StoreError("exists", "the report was stored and removed meanwhile");
            continue;
          }
          await insertLines(q, made.id, lines);
          return { id: made.id, created: true };
        }
      });
    },

    async list(query) {
      const limit = bounded(query.limit);
      const offset = bounded(query.offset ?? 0);
      const since = query.since ? millis(query.since, "since") : null;
      const rows = await db(ctx).rows<ReportRow>(
        `SELECT * FROM received_reports
         WHERE ($1::text IS NULL OR kind = $1) AND ($2::bigint IS NULL OR end_at >= $2)
           AND ($3::text[] IS NULL OR domain = ANY($3::text[]))
         ORDER BY end_at DESC, id DESC LIMIT $4 OFFSET $5`,
        [query.kind ?? null, since, domainList(query.domains), limit, offset],
      );
      return rows.map(toSummary);
    },

    async get(id, page) {
      const limit = bounded(page.limit);
      const offset = bounded(page.offset);
      if (!Number.isSafeInteger(id) || id <= 0) return null;
      const q = db(ctx);
      const row = await q.one<ReportRow>("SELECT * FROM received_reports WHERE id = $1", [id]);
      if (!row) return null;
      const lines = await q.rows<Line>(
        "SELECT data FROM received_report_rows WHERE report = $1 ORDER BY seq LIMIT $2 OFFSET $3",
        [id, limit, offset],
      );
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
    },

    async dmarcSources(query) {
      const since = millis(query.since, "since");
      const limit = bounded(query.limit);
      const rows = await db(ctx).rows<{
        source_ip: string;
        header_from: string;
        messages: number;
        passed: number;
        reports: number;
      }>(
        `SELECT l.source_ip, l.header_from, sum(l.count) AS messages,
           coalesce(sum(l.count) FILTER (WHERE l.pass), 0) AS passed, count(DISTINCT l.report) AS reports
         FROM received_reports r JOIN received_report_rows l ON l.report = r.id
         WHERE r.kind = 'dmarc' AND r.end_at >= $1 AND ($2::text[] IS NULL OR r.domain = ANY($2::text[]))
         GROUP BY l.source_ip, l.header_from ORDER BY messages DESC, l.source_ip LIMIT $3`,
        [since, domainList(query.domains), limit],
      );
      return rows.map(
        (r): DmarcSource => ({
          sourceIp: r.source_ip,
          headerFrom: r.header_from,
          messages: r.messages,
          passed: r.passed,
          failed: r.messages - r.passed,
          reports: r.reports,
        }),
      );
    },

    async deleteEndedBefore(before) {
      const t = millis(before, "before");
      return tx(ctx, (q) => q.run("DELETE FROM received_reports WHERE end_at < $1", [t]));
    },
  };
}
