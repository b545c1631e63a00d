// The overview's card for received reports (reports.ts): the last 7 days of DMARC and TLS-RPT
// reports in one line, and where to look when they show failures.
import { html } from "../http/html.js";
import type { ReportSummary } from "../store/types.js";
import type { Card } from "./overview-cards.js";

/** How far back the card looks. */
export const REPORT_CARD_DAYS = 7;

export function reportsCard(recent: readonly ReportSummary[]): Card {
  const dmarc = recent.filter((r) => r.kind === "dmarc");
  const tls = recent.filter((r) => r.kind === "tlsrpt");
  const sum = (list: ReportSummary[], k: "total" | "failed") => list.reduce((n, r) => n + r[k], 0);
  const dmarcFailed = sum(dmarc, "failed");
  const tlsFailed = sum(tls, "failed");
  if (recent.length === 0)
    return {
      id: "card-reports",
      title: "DMARC and TLS reports",
      state: "ok",
      status: `No reports received in the last ${REPORT_CARD_DAYS} days.`,
      todo: html`Reporters send them daily to the rua= address of your DMARC and TLS-RPT records: publish them from <a href="/admin/domains">the DNS page</a>.`,
    };
  const status = html`Last ${REPORT_CARD_DAYS} days: ${dmarc.length} DMARC report(s) on ${sum(dmarc, "total")} message(s), ${dmarcFailed} failing DMARC; ${tls.length} TLS-RPT report(s) on ${sum(tls, "total")} session(s), ${tlsFailed} failed.`;
  const failing = dmarcFailed > 0 || tlsFailed > 0;
  return {
    id: "card-reports",
    title: "DMARC and TLS reports",
    state: failing ? "warn" : "ok",
    status,
    todo: failing
      ? html`Open <a href="/admin/reports">the reports</a>: a failing source that is yours needs SPF or DKIM; unknown ones are spoofing (consider p=reject); TLS failures name what to check (certificate, MTA-STS, TLSA).`
      : undefined,
  };
}
