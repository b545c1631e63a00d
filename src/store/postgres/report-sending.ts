// ReportSendingStore on PostgreSQL (tables: schema-filters.ts): the TLS-RPT and DMARC counts of
// the reports we send, added to by every node's aggregators, and which reports went out. A batch
// is summed per key first (an upsert may not meet one row twice) and written as one statement
// (unnest() of arrays), the sums computed by the server (ON CONFLICT … DO UPDATE), so nodes add
// up rather than overwrite one another; "sent once per (kind, domain, day)" is the primary key's.
import { millis } from "../shared/checks.js";
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
import type { PgCtx } from "./context.js";
import { db, tx, withoutNul } from "./filter-kit.js";

const TLS_KEY = [
  "day",
  "policy_domain",
  "policy_type",
  "policy_strings",
  "mx_hosts",
  "result",
  "sending_ip",
  "receiving_mx",
  "receiving_ip",
] as const;

const DMARC_KEY = [
  "day",
  "header_from",
  "source_ip",
  "envelope_from",
  "disposition",
  "dkim",
  "spf",
  "dkim_results",
  "spf_domain",
  "spf_result",
] as const;

/** Rows with the same key summed into the first (`keep` decides what else the sum keeps). */
function summed<R extends { count: number }>(
  rows: readonly R[],
  key: readonly (keyof R)[],
  keep: (into: R, next: R) => void = () => {},
): R[] {
  const out = new Map<string, R>();
  for (const r of rows) {
    const k = JSON.stringify(key.map((c) => r[c]));
    const cur = out.get(k);
    if (!cur) out.set(k, { ...r });
    else {
      cur.count += r.count;
      keep(cur, r);
    }
  }
  // In key order: concurrent batches take their rows in the same order, so they wait, not deadlock.
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/** The statement adding `columns`' rows as arrays (unnest keeps the arrays' positions together). */
function upsert(
  table: string,
  key: readonly string[],
  columns: readonly string[],
  onConflict: string,
): string {
  const types = columns.map((c, i) => `$${i + 1}::${c === "count" ? "bigint" : "text"}[]`);
  return `INSERT INTO ${table} (${columns.join(", ")})
    SELECT * FROM unnest(${types.join(", ")})
    ON CONFLICT (${key.join(", ")}) DO UPDATE SET ${onConflict}`;
}

const TLS_COLUMNS = [...TLS_KEY, "detail", "count"] as const;
const DMARC_COLUMNS = [...DMARC_KEY, "count"] as const;
// The first failure detail stays (RFC 8460 4.4 additional-information: one example suffices).
const ADD_TLS = upsert(
  "tlsrpt_results",
  TLS_KEY,
  TLS_COLUMNS,
  `count = tlsrpt_results.count + excluded.count,
   detail = CASE WHEN tlsrpt_results.detail = '' THEN excluded.detail ELSE tlsrpt_results.detail END`,
);
const ADD_DMARC = upsert(
  "dmarc_records",
  DMARC_KEY,
  DMARC_COLUMNS,
  "count = dmarc_records.count + excluded.count",
);

function columnsOf<R>(rows: readonly R[], columns: readonly (keyof R)[]): unknown[][] {
  return columns.map((c) => rows.map((r) => r[c]));
}

export function createReportSending(ctx: PgCtx): ReportSendingStore {
  return {
    async addTlsResults(rows) {
      const prepared = summed(
        rows.map((r) => tlsRow(r, withoutNul)),
        TLS_KEY,
        (into, next) => {
          if (into.detail === "") into.detail = next.detail;
        },
      );
      if (prepared.length === 0) return;
      await tx(ctx, (q) => q.run(ADD_TLS, columnsOf(prepared, TLS_COLUMNS)));
    },

    async tlsResults(day) {
      checkDay(day);
      const rows = await db(ctx).rows<TlsRow>(
        `SELECT * FROM tlsrpt_results WHERE day = $1
         ORDER BY policy_domain, policy_type, policy_strings, result, receiving_mx, receiving_ip, sending_ip`,
        [day],
      );
      return rows.map(toTlsResult);
    },

    async addDmarcRecords(rows) {
      const prepared = summed(
        rows.map((r) => dmarcRow(r, withoutNul)),
        DMARC_KEY,
      );
      if (prepared.length === 0) return;
      await tx(ctx, (q) => q.run(ADD_DMARC, columnsOf(prepared, DMARC_COLUMNS)));
    },

    async dmarcRecords(day) {
      checkDay(day);
      const rows = await db(ctx).rows<DmarcRow>(
        `SELECT * FROM dmarc_records WHERE day = $1
         ORDER BY header_from, source_ip, envelope_from, disposition, dkim, spf, dkim_results`,
        [day],
      );
      return rows.map(toDmarcRecord);
    },

    async markSent({ kind, domain, day, reportId, at }) {
      checkDay(day);
      const t = millis(at, "at");
      const n = await db(ctx).run(
        `INSERT INTO reports_sent (kind, domain, day, report_id, sent_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [kind, withoutNul(domain.toLowerCase()), day, withoutNul(reportId), t],
      );
      return n === 1;
    },

    async sentCount(kind, day) {
      checkDay(day);
      const r = await db(ctx).one<{ n: number }>(
        "SELECT count(*) AS n FROM reports_sent WHERE kind = $1 AND day = $2",
        [kind, day],
      );
      return r?.n ?? 0;
    },

    async sweep(beforeDay) {
      checkDay(beforeDay);
      return tx(
        ctx,
        async (q) =>
          (await q.run("DELETE FROM tlsrpt_results WHERE day < $1", [beforeDay])) +
          (await q.run("DELETE FROM dmarc_records WHERE day < $1", [beforeDay])) +
          (await q.run("DELETE FROM reports_sent WHERE day < $1", [beforeDay])),
      );
    },
  };
}
