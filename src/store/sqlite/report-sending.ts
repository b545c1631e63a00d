// ReportSendingStore on SQLite (tables: report-sending-schema.ts). Counts arrive in batches from
// the in-memory aggregators (src/reports/outbound), each batch one job in the group commit, so a
// busy outbound queue costs no extra fsync per delivery.
import { StoreError } from "../errors.js";
import type { DmarcRecordCount, ReportSendingStore, TlsResultCount } from "../types.js";
import type { Ctx } from "./context.js";

interface TlsRow {
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

interface DmarcRow {
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

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function checkDay(day: string): void {
  if (!DAY.test(day)) throw new StoreError("invalid", `not a day: ${day}`);
}

function checkCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new StoreError("invalid", `count ${n}`);
}

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

  const tlsRow = (r: TlsResultCount): TlsRow => {
    checkDay(r.day);
    checkCount(r.count);
    return {
      day: r.day,
      policy_domain: r.policyDomain.toLowerCase(),
      policy_type: r.policyType,
      policy_strings: JSON.stringify(r.policyStrings),
      mx_hosts: JSON.stringify(r.mxHosts),
      result: r.result,
      sending_ip: r.sendingIp,
      receiving_mx: r.receivingMx.toLowerCase(),
      receiving_ip: r.receivingIp,
      detail: r.detail,
      count: r.count,
    };
  };
  const dmarcRow = (r: DmarcRecordCount): DmarcRow => {
    checkDay(r.day);
    checkCount(r.count);
    return {
      day: r.day,
      header_from: r.headerFrom.toLowerCase(),
      source_ip: r.sourceIp,
      envelope_from: r.envelopeFrom.toLowerCase(),
      disposition: r.disposition,
      dkim: r.dkim,
      spf: r.spf,
      dkim_results: JSON.stringify(r.dkimResults),
      spf_domain: r.spfDomain.toLowerCase(),
      spf_result: r.spfResult,
      count: r.count,
    };
  };

  return {
    async addTlsResults(rows) {
      const prepared = rows.map(tlsRow);
      if (prepared.length === 0) return;
      await ctx.grouped(() => {
        for (const r of prepared) s.addTls.run(r);
        return { value: undefined };
      });
    },
    async tlsResults(day) {
      checkDay(day);
      return ctx.read(() =>
        s.tls.all(day).map((r) => ({
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
        })),
      );
    },
    async addDmarcRecords(rows) {
      const prepared = rows.map(dmarcRow);
      if (prepared.length === 0) return;
      await ctx.grouped(() => {
        for (const r of prepared) s.addDmarc.run(r);
        return { value: undefined };
      });
    },
    async dmarcRecords(day) {
      checkDay(day);
      return ctx.read(() =>
        s.dmarc.all(day).map((r) => ({
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
        })),
      );
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
