// Admin: the aggregate reports other operators mailed us (src/reports/inbound). DMARC aggregate
// reports (RFC 7489 §7.2) say who sends mail in our domains' names, from where, and whether it
// passed; TLS-RPT reports (RFC 8460) say which servers failed to reach ours over TLS. The list is
// newest first with failures in red, then the last 30 days' DMARC sources; one report's page is
// report.ts. A domain administrator sees only its domains' reports.

import type { AdminScope } from "../http/admin-scope.js";
import { html, type SafeHtml } from "../http/html.js";
import type { HttpResponse } from "../http/response.js";
import type { AdminContext, Router } from "../http/router.js";
import type { DmarcSource, ReportSummary } from "../store/types.js";
import { adminPage } from "./layout.js";
import { renderReport } from "./report.js";
import { advice, period } from "./report-advice.js";

/** Reports listed per page. */
export const REPORTS_PAGE = 100;
/** Sources shown in the 30-day summary. */
const SOURCES_SHOWN = 50;
const DAY = 86_400_000;

export function registerReportRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin/reports", access: "domain-admin", handler: renderList });
  router.add({ method: "GET", path: "/admin/reports/:id", access: "domain-admin", handler: renderReport });
}

/** The domains an admin's lists are limited to; null: all. */
export function reportDomains(scope: AdminScope): string[] | null {
  return scope.kind === "global" ? null : [...scope.domains];
}

async function renderList(rc: AdminContext): Promise<HttpResponse> {
  const q = rc.req.query;
  const kind =
    q.get("kind") === "dmarc" || q.get("kind") === "tlsrpt"
      ? (q.get("kind") as "dmarc" | "tlsrpt")
      : undefined;
  const pageNo = Math.max(0, Math.min(10_000, Number.parseInt(q.get("page") ?? "0", 10) || 0));
  const domains = reportDomains(rc.adminScope);
  const store = rc.app.ctx.store.reports;
  const list = await store.list({ domains, kind, limit: REPORTS_PAGE + 1, offset: pageNo * REPORTS_PAGE });
  const sources = await store.dmarcSources({
    domains,
    since: new Date(Date.now() - 30 * DAY),
    limit: SOURCES_SHOWN,
  });
  const shown = list.slice(0, REPORTS_PAGE);
  const filter = (k: string | undefined, label: string) =>
    k === kind
      ? html`<strong>${label}</strong>`
      : html`<a href="/admin/reports${k ? `?kind=${k}` : ""}">${label}</a>`;
  const more =
    list.length > REPORTS_PAGE
      ? html`<p><a href="/admin/reports?${kind ? `kind=${kind}&` : ""}page=${pageNo + 1}">Older reports</a></p>`
      : "";
  const body = html`<p>Reports other mail servers send to your domains' report address (the rua= of your DMARC and
TLS-RPT records on the <a href="/admin/domains">DNS page</a>). DMARC reports show who sends mail in your
domains' names and whether it passed; TLS-RPT reports show servers that could not reach yours over TLS.</p>
<p>${filter(undefined, "all")} · ${filter("dmarc", "DMARC")} · ${filter("tlsrpt", "TLS-RPT")}</p>
${shown.length === 0 ? html`<p>No reports received yet. Reporters send them once a day, for the day before.</p>` : reportTable(shown)}
${more}
<h2>Who sent mail as your domains, last 30 days</h2>
${sourcesTable(sources)}
${advice()}`;
  return adminPage(rc, "Reports", body);
}

function reportTable(list: ReportSummary[]): SafeHtml {
  const rows = list.map((r) => {
    const failed = r.failed > 0 ? html`<td class="error">${r.failed}</td>` : html`<td class="ok">0</td>`;
    const what =
      r.kind === "dmarc"
        ? html`${r.total} messages, ${r.passed} pass DMARC (DKIM ${r.dkimPass}, SPF ${r.spfPass})`
        : html`${r.total} TLS sessions, ${r.passed} successful${r.failureTypes.length > 0 ? html`; <span class="error">${r.failureTypes.join(", ")}</span>` : ""}`;
    return html`<tr id="report-${r.id}"><td>${r.kind === "dmarc" ? "DMARC" : "TLS-RPT"}</td><td>${r.domain}</td>
<td><a href="/admin/reports/${r.id}">${r.org}</a></td><td>${period(r.begin, r.end)}</td><td>${what}</td>${failed}</tr>`;
  });
  return html`<table><thead><tr><th>Kind</th><th>Domain</th><th>Reporter</th><th>Period (UTC)</th><th>Totals</th>
<th>Failed</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function sourcesTable(sources: DmarcSource[]): SafeHtml {
  if (sources.length === 0) return html`<p>No DMARC reports in the last 30 days.</p>`;
  const rows = sources.map(
    (s) => html`<tr><td>${s.sourceIp}</td><td>${s.headerFrom}</td><td>${s.messages}</td>
<td class="${s.passed > 0 ? "ok" : ""}">${s.passed}</td>${s.failed > 0 ? html`<td class="error">${s.failed}</td>` : html`<td>0</td>`}<td>${s.reports}</td></tr>`,
  );
  return html`<table><thead><tr><th>Source IP</th><th>From domain</th><th>Messages</th><th>Pass</th><th>Fail</th>
<th>Reports</th></tr></thead><tbody>${rows}</tbody></table>`;
}
