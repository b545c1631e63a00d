// ReportStore on PostgreSQL (tables: schema-filters.ts): the DMARC and TLS-RPT reports other
// operators mail us. A report is stored once per (kind, org, report id) whichever node received
// it: the insert is ON CONFLICT DO NOTHING on that unique key, so of two nodes saving one report
// at once the second waits for the first's commit and then finds its id. The rows go in with the
// report, in one transaction, a few thousand per statement (unnest() of arrays).
import { StoreError } from "../errors.js";
import { millis } from "../shared/checks.js";
import {
  bounded,
  type ReportLine,
  type ReportRowBase,
  reportDetail,
  reportLines,
  reportOf,
  reportTotals,
  toSummary as summaryOf,
  toDmarcSource,
} from "../shared/reports.js";
import type { ReportStore, ReportSummary, StoredReport } from "../types.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";
import { db, tx, withoutNul } from "./filter-kit.js";

/** Rows per INSERT: a 100,000-record report is 20 statements of bounded size, not one huge one. */
const ROWS_PER_STATEMENT = 5000;

/** failure_types is a text[] column. */
interface ReportRow extends ReportRowBase {
  failure_types: string[];
}

/** A sum kept within BIGINT (and JavaScript's exact integers): counts come from the report. */
const capped = (n: number): number => Math.min(n, Number.MAX_SAFE_INTEGER);

/** The domains filter as a parameter: null (all) or the lower-cased list. */
const domainList = (d: readonly string[] | null): string[] | null =>
  d === null ? null : d.map((x) => withoutNul(x.toLowerCase()));

function toSummary(r: ReportRow): ReportSummary {
  return summaryOf(r, r.failure_types);
}

async function insertLines(t: Tx, report: number, lines: readonly ReportLine[]): Promise<void> {
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
      const lines = reportLines(report, withoutNul);
      const t = reportTotals(report, withoutNul);
      const detail = reportDetail(report);
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
      const lines = await q.rows<{ data: string }>(
        "SELECT data FROM received_report_rows WHERE report = $1 ORDER BY seq LIMIT $2 OFFSET $3",
        [id, limit, offset],
      );
      const summary = toSummary(row);
      const report = reportOf(
        row,
        summary,
        lines.map((l) => l.data),
      );
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
      return rows.map(toDmarcSource);
    },

    async deleteEndedBefore(before) {
      const t = millis(before, "before");
      return tx(ctx, (q) => q.run("DELETE FROM received_reports WHERE end_at < $1", [t]));
    },
  };
}
