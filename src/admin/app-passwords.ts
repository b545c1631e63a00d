// Admin: one user's app passwords (auth/app-passwords.ts) — name, scopes, when made, when and from
// where last used — each with Revoke (a lost or sold device), as `yubin user app-password revoke`
// does: the device's sessions end as a revoked app password's do (auth/login-recheck.ts). Making
// one stays with the user (webmail settings) or the CLI: its secret is shown only to whoever made
// it. Open to the user's domain administrators (scope.ts).
import { html } from "../http/html.js";
import { csrfField } from "../http/layout.js";
import type { HttpResponse } from "../http/response.js";
import type { AdminContext, Router } from "../http/router.js";
import { adminAction, FormError, field } from "./action.js";
import { adminPage } from "./layout.js";
import { scopedAccount } from "./scope.js";

export function registerAppPasswordRoutes(router: Router): void {
  const path = "/admin/users/:id/app-passwords";
  router.add({ method: "GET", path, access: "domain-admin", handler: (rc) => render(rc) });
  router.add({ method: "POST", path: `${path}/revoke`, access: "domain-admin", handler: revoke });
}

const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) : "never");

async function render(rc: AdminContext, error: string | null = null): Promise<HttpResponse> {
  const a = await scopedAccount(rc);
  const list = await rc.app.ctx.store.appPasswords.list(a.id);
  const rows = list.map(
    (
      p,
    ) => html`<tr id="app-password-${p.id}"><td>${p.name}</td><td>${p.scopes.join(", ")}</td><td>${when(p.createdAt)}</td>
<td>${when(p.lastUsedAt)}${p.lastUsedIp ? ` from ${p.lastUsedIp}` : ""}</td>
<td><form method="post" action="/admin/users/${a.id}/app-passwords/revoke">${csrfField(rc.session)}
<input type="hidden" name="appPassword" value="${p.id}"><button type="submit">Revoke</button></form></td></tr>`,
  );
  const body = html`<p><a href="/admin/users">All users</a></p>
${
  list.length === 0
    ? html`<p>${a.address} has no app passwords.</p>`
    : html`<table><thead><tr><th>Name</th><th>Scopes</th><th>Made</th><th>Last used</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`
}`;
  return adminPage(rc, `App passwords of ${a.address}`, body, { error });
}

async function revoke(rc: AdminContext): Promise<HttpResponse> {
  const a = await scopedAccount(rc);
  const idText = field(rc.req.form(), "appPassword", 20);
  return adminAction(rc, {
    action: "user.app-password-revoke",
    target: `${a.address} #${idText}`,
    back: `/admin/users/${a.id}/app-passwords`,
    onError: (m) => render(rc, m),
    run: async () => {
      const id = Number(idText);
      if (!/^\d{1,15}$/.test(idText) || !(await rc.app.ctx.store.appPasswords.revoke(a.id, id)))
        throw new FormError(`${a.address} has no app password ${idText}.`);
    },
  });
}
