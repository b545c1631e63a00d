// Admin: TLS certificate status (the one certificate all listeners share), whether it covers
// our host name and each domain's autoconfig and mta-sts names, and, when the server gets its
// certificates itself (src/acme), the state of that: last renewal, last error and what to do,
// next check, and a button to renew now.
import type { AcmeStatus } from "../acme/types.js";
import { html, type SafeHtml } from "../http/html.js";
import { csrfField } from "../http/layout.js";
import { type HttpResponse, redirect } from "../http/response.js";
import type { AuthedContext, Router } from "../http/router.js";
import { audit } from "./audit.js";
import { certStatus } from "./cert-status.js";
import { adminPage } from "./layout.js";

/** Days before expiry from which the page warns (a certificate not renewed by ACME: [acme] warnDays). */
export const EXPIRY_WARNING_DAYS = 14;

export function registerTlsRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin/tls", access: "admin", handler: render });
  router.add({ method: "POST", path: "/admin/tls/renew", access: "admin", handler: renew });
}

async function render(rc: AuthedContext): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const domains = await ctx.store.directory.listDomains();
  const hosts = [
    ctx.config.autoconfig.hostname || ctx.config.server.hostname,
    ...domains.flatMap((d) => [`autoconfig.${d.name}`, `mta-sts.${d.name}`]),
  ];
  const s = certStatus(ctx.tls.pem().cert, [...new Set(hosts)]);
  const acme = ctx.acme?.status() ?? null;
  const warnDays = acme ? ctx.config.acme.warnDays : EXPIRY_WARNING_DAYS;
  const validity =
    s.daysLeft < 0
      ? html`<span class="wrong">expired</span>`
      : s.daysLeft < warnDays
        ? html`<span class="wrong">expires in ${s.daysLeft} days</span>`
        : html`<span class="ok">valid, ${s.daysLeft} days left</span>`;
  const renewing = rc.req.query.get("renewing") === "1";
  const body = html`${renewing ? html`<p class="notice">Renewal started; this page shows its result when it is done.</p>` : ""}
${acme?.warning ? html`<p class="wrong">Warning: ${acme.warning}</p>` : ""}
<table><tbody>
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
<h2>Automatic certificates (ACME)</h2>
${acme ? acmeSection(rc, acme) : acmeOff(ctx.config.tls.cert !== "")}`;
  return adminPage(rc, "TLS certificate", body);
}

const STATE_TEXT: Record<AcmeStatus["state"], string> = {
  waiting: "no certificate obtained yet",
  ordering: "ordering a certificate now",
  valid: "certificate obtained",
  failing: "the last attempt failed",
};

function when(d: Date | null): string {
  return d ? d.toISOString() : "—";
}

function acmeSection(rc: AuthedContext, a: AcmeStatus): SafeHtml {
  const failing = a.state === "failing";
  return html`<table><tbody>
<tr><th>CA directory</th><td><code>${a.directoryUrl}</code></td></tr>
<tr><th>State</th><td class="${failing ? "wrong" : a.state === "valid" ? "ok" : ""}">${STATE_TEXT[a.state]}${failing ? ` (${a.failures} failed attempts in a row)` : ""}</td></tr>
<tr><th>Names ordered</th><td>${a.names.join(", ")}</td></tr>
<tr><th>Challenges answered</th><td>${a.challenges.join(", ") || html`<span class="wrong">none: an HTTP listener on port 80 (http-01) or HTTPS on 443 (tls-alpn-01) is needed</span>`}</td></tr>
<tr><th>Certificate</th><td>${a.certificate ? `serial ${a.certificate.serial}, issued by ${a.certificate.issuer}, valid to ${a.certificate.notAfter.toISOString()}` : "—"}</td></tr>
${
  (a.certificates?.length ?? 0) > 1
    ? html`<tr><th>Further certificates</th><td>${(a.certificates ?? [])
        .slice(1)
        .map((c) => `${c.names.length} names from ${c.names[0]}, valid to ${c.notAfter.toISOString()}`)
        .join("; ")} (over 100 names: served by the name a client asks for)</td></tr>`
    : ""
}
<tr><th>Last renewal</th><td>${when(a.lastRenewal)}</td></tr>
<tr><th>Renewal due</th><td>${when(a.renewalDue)}</td></tr>
<tr><th>Next check</th><td>${when(a.nextCheck)}</td></tr>
<tr><th>Last error</th><td>${a.lastError ? html`<span class="wrong">${a.lastError.at.toISOString()}: ${a.lastError.message}</span>` : "none"}</td></tr>
<tr><th>Key file</th><td><code>${a.keyPath}</code> (kept across renewals unless [acme] reuseKey = false, so DANE TLSA records stay valid)</td></tr>
</tbody></table>
${failing ? html`<p>What to do: fix what the error names (the CA must reach this server on port 80 or 443 under each name), then renew now. Attempts are repeated by themselves with growing pauses.</p>` : ""}
<form method="post" action="/admin/tls/renew">${csrfField(rc.session)}<button type="submit">Renew now</button></form>`;
}

function acmeOff(configured: boolean): SafeHtml {
  return html`<p>Off. ${configured ? html`The certificate is the one named by <code>tls.cert</code> and <code>tls.key</code>; <code>kill -HUP</code> reloads it without dropping connections.` : ""}
With <code>[acme] enabled = "auto"</code> (the default) the server gets and renews a certificate for these names itself
(Let's Encrypt unless <code>[acme] directoryUrl</code> says otherwise) when <code>server.hostname</code> is a public name,
<code>tls.cert</code> is not set, and an HTTP listener is on port 80 or HTTPS on 443; <code>"on"</code> turns it on regardless.</p>`;
}

/** Renew now, in the background (an order can take longer than a page request may). */
async function renew(rc: AuthedContext): Promise<HttpResponse> {
  const acme = rc.app.ctx.acme;
  if (!acme) return redirect("/admin/tls");
  audit(rc, "tls.renew", rc.app.ctx.config.server.hostname, { ok: true });
  acme.renew({ force: true }).catch((e) => rc.app.ctx.log.error("acme renewal failed", { err: e as Error }));
  return redirect("/admin/tls?renewing=1");
}
