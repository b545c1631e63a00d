// Admin: TLS certificate status (the one certificate all listeners share), and whether it covers
// our host name and each domain's autoconfig and mta-sts names.
import { html } from "../http/html.js";
import type { HttpResponse } from "../http/response.js";
import type { AuthedContext, Router } from "../http/router.js";
import { certStatus } from "./cert-status.js";
import { adminPage } from "./layout.js";

/** Days before expiry from which the page warns. */
export const EXPIRY_WARNING_DAYS = 14;

export function registerTlsRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin/tls", access: "admin", handler: render });
}

async function render(rc: AuthedContext): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const domains = await ctx.store.directory.listDomains();
  const hosts = [
    ctx.config.autoconfig.hostname || ctx.config.server.hostname,
    ...domains.flatMap((d) => [`autoconfig.${d.name}`, `mta-sts.${d.name}`]),
  ];
  const s = certStatus(ctx.tls.pem().cert, [...new Set(hosts)]);
  const validity =
    s.daysLeft < 0
      ? html`<span class="wrong">expired</span>`
      : s.daysLeft < EXPIRY_WARNING_DAYS
        ? html`<span class="wrong">expires in ${s.daysLeft} days</span>`
        : html`<span class="ok">valid, ${s.daysLeft} days left</span>`;
  const body = html`<table><tbody>
<tr><th>Subject</th><td>${s.subject}</td></tr>
<tr><th>Names (subjectAltName)</th><td>${s.names.join(", ")}</td></tr>
<tr><th>Issuer</th><td>${s.issuer}${s.selfSigned ? html` <span class="wrong">self-signed: clients will warn</span>` : ""}</td></tr>
<tr><th>Valid</th><td>${s.notBefore.toISOString()} to ${s.notAfter.toISOString()}: ${validity}</td></tr>
<tr><th>SHA-256 fingerprint</th><td><code>${s.fingerprint256}</code></td></tr>
</tbody></table>
<h2>Host names clients use</h2>
<table><thead><tr><th>Host</th><th>Covered</th></tr></thead><tbody>
${s.covers.map((c) => html`<tr><td>${c.host}</td><td class="${c.ok ? "ok" : "wrong"}">${c.ok ? "yes" : "no"}</td></tr>`)}
</tbody></table>
<p>Set <code>tls.cert</code> and <code>tls.key</code> to a certificate for these names (for example from an ACME client);
<code>kill -HUP</code> reloads it without dropping connections.</p>`;
  return adminPage(rc, "TLS certificate", body);
}
