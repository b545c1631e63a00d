// Admin: the start page, with counts that link to each section.
import { html } from "../http/html.js";
import type { HttpResponse } from "../http/response.js";
import type { AuthedContext, Router } from "../http/router.js";
import { adminPage } from "./layout.js";

export function registerOverviewRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin", access: "admin", handler: render });
}

async function render(rc: AuthedContext): Promise<HttpResponse> {
  const { store, health } = rc.app.ctx;
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
