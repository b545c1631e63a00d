// The user's settings page: the server settings to type into a mail client by hand, and the
// Apple configuration profile download (for the logged-in account only: it names the address).

import { html } from "../http/html.js";
import { page } from "../http/layout.js";
import { HttpError, type HttpResponse, htmlResponse } from "../http/response.js";
import type { AuthedContext, Router } from "../http/router.js";
import { clientEndpoints, displayNameFor, type Endpoint } from "./endpoints.js";
import { MOBILECONFIG_CONTENT_TYPE, mobileconfigProfile } from "./mobileconfig.js";

export const MOBILECONFIG_PATH = "/settings/mail.mobileconfig";

export function registerSettingsRoutes(router: Router): void {
  router.add({ method: "GET", path: "/settings", access: "user", handler: settingsPage });
  router.add({ method: "GET", path: MOBILECONFIG_PATH, access: "user", handler: mobileconfig });
}

async function settingsPage(rc: AuthedContext): Promise<HttpResponse> {
  const e = clientEndpoints(rc.app.ctx.config);
  const row = (label: string, x: Endpoint) =>
    html`<tr><td>${label}</td><td><code>${x.hostname}</code></td><td>${x.port}</td><td>${x.socket === "SSL" ? "SSL/TLS" : "STARTTLS"}</td></tr>`;
  const body = html`<h1>Mail client settings</h1>
<p>Most clients (Thunderbird, Outlook, Apple Mail, K-9/Thunderbird for Android) set themselves up from your
address and password alone. To enter the settings by hand:</p>
<table><thead><tr><th>Service</th><th>Server</th><th>Port</th><th>Security</th></tr></thead><tbody>
${e.imap.map((x) => row("IMAP (incoming)", x))}
${e.pop3.map((x) => row("POP3 (incoming)", x))}
${e.submission.map((x) => row("SMTP (outgoing)", x))}
${e.managesieve.map((x) => row("ManageSieve (mail filters)", x))}
</tbody></table>
<p>User name: <code>${rc.account.address}</code> (the full address) · authentication: normal password.</p>
<h2>iPhone, iPad and Mac</h2>
<p><a href="${MOBILECONFIG_PATH}" download="mail.mobileconfig">Download the configuration profile</a>, then open it
and install it in Settings (it asks for your password).</p>
<h2>Security</h2>
<p><a href="/settings/2fa">Two-factor login</a>: an authenticator app or a passkey as a second step at login.</p>`;
  // A domain administrator is no global admin: the Admin link needs the domains it administers.
  const adminLink =
    !rc.account.isAdmin && (await rc.app.ctx.store.directory.listAdminDomains(rc.account.id)).length > 0;
  return htmlResponse(page({ title: "Settings", body, session: rc.session, account: rc.account, adminLink }));
}

async function mobileconfig(rc: AuthedContext): Promise<HttpResponse> {
  const ctx = rc.app.ctx;
  const profile = mobileconfigProfile(clientEndpoints(ctx.config), {
    email: rc.account.address,
    displayName: displayNameFor(ctx.config, rc.account.domain),
  });
  if (!profile) throw new HttpError(404, "No IMAP/POP3 and submission service is configured.");
  return {
    status: 200,
    headers: {
      "Content-Type": MOBILECONFIG_CONTENT_TYPE,
      "Content-Disposition": 'attachment; filename="mail.mobileconfig"',
      "Cache-Control": "no-store",
    },
    body: profile,
  };
}
