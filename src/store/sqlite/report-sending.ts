// ReportSendingStore on SQLite (tables: report-sending-schema.ts). Counts arrive in batches from
// the in-memory aggregators (src/reports/outbound), each batch one job in the group commit, so a
// busy outbound queue costs no extra fsync per delivery.
import { StoreError } from "../errors.js";
import {
  checkDay,
  type DmarcRow,
  dmarcRow,
  type TlsRow,
  tlsRow,
  toDmarcRecord,
  toTlsResult,
} from "../shared/report-sending.js";
import type { ReportSendingStore } from "../types.js";
import type { Ctx } from "./context.js";

export function createReportSending(ctx: Ctx): ReportSendingStore {
  const db = ctx.db;
  const s = {
    addTls: db.prepare<[TlsRow]>(
      `INSERT INTO tlsrpt_results (day, policy_domain, policy_type, policy_strings, mx_hosts, result,
         sending_ip, receiving_mx, receiving_ip, detail, count)
       VALUES (@day, @policy_domain, @policy_type, @policy_strings, @mx_hosts, @result,
         @sending_ip, @receiving_mx, @receiving_ip, @detail, @count)
       ON CONFLICT DO UPDATE SET count = count + excluded.count,
         detail = CASE WHEN detail = '' THEN excluded.detail ELSE detail END`,
    ),
    tls: db.prepare<[string], TlsRow>(
      "SELECT * FROM tlsrpt_results WHERE day = ? ORDER BY policy_domain, policy_type, policy_strings, result, receiving_mx, receiving_ip, sending_ip",
    ),
    addDmarc: db.prepare<[DmarcRow]>(
      `INSERT INTO dmarc_records (day, header_from, source_ip, envelope_from, disposition, dkim, spf,
         dkim_results, spf_domain, spf_result, count)
       VALUES (@day, @header_from, @source_ip, @envelope_from, @disposition, @dkim, @spf,
         @dkim_results, @spf_domain, @spf_result, @count)
       ON CONFLICT DO UPDATE SET count = count + excluded.count`,
    ),
    dmarc: db.prepare<[string], DmarcRow>(
      "SELECT * FROM dmarc_records WHERE day = ? ORDER BY header_from, source_ip, envelope_from, disposition, dkim, spf, dkim_results",
    ),
    markSent: db.prepare<[string, string, string, string, number]>(
      "INSERT INTO reports_sent (kind, domain, day, report_id, sent_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    sentCount: db.prepare<[string, string], { n: number }>(
      "SELECT count(*) AS n FROM reports_sent WHERE kind = ? AND day = ?",
    ),
    sweepTls: db.prepare<[string]>("DELETE FROM tlsrpt_results WHERE day < ?"),
    sweepDmarc: db.prepare<[string]>("DELETE FROM dmarc_records WHERE day < ?"),
    sweepSent: db.prepare<[string]>("DELETE FROM reports_sent WHERE day < ?"),
  };

  return {
    async addTlsResults(rows) {
      const prepared = rows.map((r) => tlsRow(r));
      if (prepared.length === 0) return;
      await ctx.grouped(() => {
        for (const r of prepared) s.addTls.run(r);
        return { value: undefined };
      });
    },
    async tlsResults(day) {
      checkDay(day);
      return ctx.read(() => s.tls.all(day).map(toTlsResult));
    },
    async addDmarcRecords(rows) {
      const prepared = rows.map((r) => dmarcRow(r));
      if (prepared.length === 0) return;
      await ctx.grouped(() => {
        for (const r of prepared) s.addDmarc.run(r);
        return { value: undefined };
      });
    },
    async dmarcRecords(day) {
      checkDay(day);
      return ctx.read(() => s.dmarc.all(day).map(toDmarcRecord));
    },
    async markSent({ kind, domain, day, reportId, at }) {
      checkDay(day);
      const t = at.getTime();
      if (!Number.isFinite(t)) throw new StoreError("invalid", "at is not a valid date");
      return ctx.grouped(() => ({
        value: s.markSent.run(kind, domain.toLowerCase(), day, reportId, t).changes === 1,
      }));
    },
    async sentCount(kind, day) {
      checkDay(day);
      return ctx.read(() => s.sentCount.get(kind, day)?.n ?? 0);
    },
    async sweep(beforeDay) {
      checkDay(beforeDay);
      return ctx.grouped(() => ({
        value:
          s.sweepTls.run(beforeDay).changes +
          s.sweepDmarc.run(beforeDay).changes +
          s.sweepSent.run(beforeDay).changes,
      }));
    },
  };
}
