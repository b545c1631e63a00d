// ReportStore on SQLite (tables: reports-schema.ts). A report is saved in one immediate
// transaction of its own (ctx.write): reports arrive a few a day per domain, off the delivery
// path (src/reports/inbound), so they need not share the group commit.
import { StoreError } from "../errors.js";
import {
  bounded,
  type ReportRowBase,
  reportDetail,
  reportLines,
  reportOf,
  reportTotals,
  toSummary as summaryOf,
  toDmarcSource,
} from "../shared/reports.js";
import type { ReportStore, ReportSummary, StoredReport } from "../types.js";
import type { Ctx } from "./context.js";

/** failure_types is a JSON array in a TEXT column. */
interface ReportRow extends ReportRowBase {
  failure_types: string;
}

export function createReports(ctx: Ctx): ReportStore {
  // Prepared on first use: most processes never read or write a report.
  let stmts: ReturnType<typeof prepare> | null = null;
  const s = () => {
    stmts ??= prepare(ctx);
    return stmts;
  };
  return {
    async save(report, receivedAt) {
      const lines = reportLines(report);
      const t = reportTotals(report);
      const detail = reportDetail(report);
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
          total: t.total,
          passed: t.passed,
          failed: t.failed,
          dkim_pass: t.dkimPass,
          spf_pass: t.spfPass,
          failure_types: JSON.stringify(t.failureTypes),
          row_count: lines.length,
          detail,
        });
        const id = Number(info.lastInsertRowid);
        lines.forEach((l, seq) => {
          q.line.run({ report: id, seq, ...l, pass: l.pass ? 1 : 0 });
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
        const report = reportOf(
          row,
          summary,
          lines.map((l) => l.data),
        );
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
          .map(toDmarcSource),
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

function toSummary(r: ReportRow): ReportSummary {
  return summaryOf(r, JSON.parse(r.failure_types) as string[]);
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
    lines: db.prepare<[number, number, number], { data: string }>(
      "SELECT data FROM received_report_rows WHERE report = ? ORDER BY seq LIMIT ? OFFSET ?",
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
