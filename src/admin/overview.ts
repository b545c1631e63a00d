// Admin: the start page, the place an admin looks first each morning (issue 21). For a global
// admin: status cards (queue, certificate, logins, process health) that say what to do when red,
// charts of the last 24 hours and 30 days from the stored counters (overview-charts.ts), and the
// counts that link to each section. A domain administrator's counts are of its domains, without
// the server-wide parts (cards, charts, queue, TLS, health).
import { html } from "../http/html.js";
import type { HttpResponse } from "../http/response.js";
import type { AdminContext, Router } from "../http/router.js";
import { hourOf, QUEUE_SIZE } from "../stats/series.js";
import { adminPage } from "./layout.js";
import { certificateCard, errorsCard, loginCard, queueCard, renderCards } from "./overview-cards.js";
import { hourValue, readChartData, renderCharts, withLiveGauge } from "./overview-charts.js";
import { REPORT_CARD_DAYS, reportsCard } from "./report-card.js";

export function registerOverviewRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin", access: "domain-admin", handler: render });
}

async function render(rc: AdminContext): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const { store, health, config } = ctx;
  const scope = rc.adminScope;
  if (scope.kind === "domains") {
    const domains = [...scope.domains].sort();
    const [accounts, aliases] = await Promise.all([
      Promise.all(domains.map((d) => store.directory.listAccounts(d))),
      Promise.all(domains.map((d) => store.directory.listAliases(d))),
    ]);
    const body = html`<p>You administer ${domains.join(", ")}.</p><ul>
<li><a href="/admin/domains">${domains.length} domain(s)</a>, each with its DNS records</li>
<li><a href="/admin/users">${accounts.flat().length} user(s)</a></li>
<li><a href="/admin/aliases">${aliases.flat().length} alias(es)</a></li></ul>`;
    return adminPage(rc, "Administration", body);
  }
  const now = new Date();
  const [domains, accounts, aliases, queue, chartData] = await Promise.all([
    store.directory.listDomains(),
    store.directory.listAccounts(),
    store.directory.listAliases(),
    store.queue.queueStats(),
    config.stats.enabled
      ? readChartData({ stats: store.statistics, unwritten: ctx.stats?.unwritten() ?? [], now })
      : null,
  ]);
  if (chartData) withLiveGauge(chartData, QUEUE_SIZE, queue.count);
  const hour = hourOf(now.getTime());
  const logins = chartData
    ? {
        failed: hourValue(chartData, "login.failed", hour),
        throttled: hourValue(chartData, "login.throttled", hour),
        previous:
          hourValue(chartData, "login.failed", hour - 1) + hourValue(chartData, "login.throttled", hour - 1),
      }
    : null;
  const recentReports = await store.reports.list({
    domains: null,
    since: new Date(now.getTime() - REPORT_CARD_DAYS * 86_400_000),
    limit: 1000,
  });
  const cards = renderCards([
    queueCard(queue, { now, alertHours: config.stats.queueAlertHours }),
    certificateCard(ctx.tls.pem().cert, { hostname: config.server.hostname, now, acme: ctx.acme?.status() }),
    ...(logins ? [loginCard(logins, { alertPerHour: config.stats.failedLoginAlertPerHour })] : []),
    errorsCard(health),
    reportsCard(recentReports),
  ]);
  const charts = chartData
    ? html`<h2>The last 24 hours and 30 days <small>(UTC)</small></h2>${renderCharts(chartData)}`
    : html`<p>Charts are off ([stats] enabled = false).</p>`;
  const body = html`${cards}<ul>
<li><a href="/admin/domains">${domains.length} domain(s)</a>, each with its DNS records</li>
<li><a href="/admin/users">${accounts.length} user(s)</a></li>
<li><a href="/admin/aliases">${aliases.length} alias(es)</a></li>
<li><a href="/admin/queue">${queue.count} message(s) in the outbound queue</a></li>
<li><a href="/admin/tls">TLS certificate status</a></li></ul>${charts}`;
  return adminPage(rc, "Administration", body);
}
