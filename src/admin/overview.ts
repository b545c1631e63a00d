// Admin: the start page, with counts that link to each section; a domain administrator's counts
// are of its domains, without the server-wide lines (queue, TLS, health).
import { html } from "../http/html.js";
import type { HttpResponse } from "../http/response.js";
import type { AdminContext, Router } from "../http/router.js";
import { adminPage } from "./layout.js";

export function registerOverviewRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin", access: "domain-admin", handler: render });
}

async function render(rc: AdminContext): Promise<HttpResponse> {
  const { store, health } = rc.app.ctx;
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
  const [domains, accounts, aliases, queue] = await Promise.all([
    store.directory.listDomains(),
    store.directory.listAccounts(),
    store.directory.listAliases(),
    store.queue.listQueue(),
  ]);
  const body = html`<ul>
<li><a href="/admin/domains">${domains.length} domain(s)</a>, each with its DNS records</li>
<li><a href="/admin/users">${accounts.length} user(s)</a></li>
<li><a href="/admin/aliases">${aliases.length} alias(es)</a></li>
<li><a href="/admin/queue">${queue.length} message(s) in the outbound queue</a></li>
<li><a href="/admin/tls">TLS certificate status</a></li>
<li>Since start: ${health.uncaughtErrors} uncaught error(s) survived, ${health.loopBlocks} event-loop block(s) logged (longest ${health.longestBlockMs} ms)</li></ul>`;
  return adminPage(rc, "Administration", body);
}
