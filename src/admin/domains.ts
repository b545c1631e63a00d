// Admin: the domains we receive mail for. Removing a domain that still has accounts or aliases
// is refused by the store ("domain-not-empty"). A domain administrator sees its own domains
// (with their DNS pages) and may neither add nor remove any.
import { isValidDomain, normalizeDomain } from "../delivery/address.js";
import { scopeCovers } from "../http/admin-scope.js";
import { html } from "../http/html.js";
import { csrfField } from "../http/layout.js";
import type { HttpResponse } from "../http/response.js";
import type { AdminContext, Router } from "../http/router.js";
import { adminAction, FormError, field } from "./action.js";
import { adminPage } from "./layout.js";

export function registerDomainRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin/domains", access: "domain-admin", handler: (rc) => render(rc) });
  router.add({ method: "POST", path: "/admin/domains", access: "admin", handler: addDomain });
  router.add({
    method: "POST",
    path: "/admin/domains/:domain/delete",
    access: "admin",
    handler: removeDomain,
  });
}

async function render(rc: AdminContext, error: string | null = null): Promise<HttpResponse> {
  const dir = rc.app.ctx.store.directory;
  const global = rc.adminScope.kind === "global";
  const domains = (await dir.listDomains()).filter((d) => scopeCovers(rc.adminScope, d.name));
  const accounts = await dir.listAccounts();
  const rows = domains.map(
    (d) => html`<tr><td>${d.name}</td><td>${accounts.filter((a) => a.domain === d.name).length}</td>
<td><a href="/admin/domains/${encodeURIComponent(d.name)}/dns">DNS records</a></td>
<td>${
      global
        ? html`<form method="post" action="/admin/domains/${encodeURIComponent(d.name)}/delete">${csrfField(rc.session)}
<button type="submit">Remove</button></form>`
        : ""
    }</td></tr>`,
  );
  const body = html`<table><thead><tr><th>Domain</th><th>Users</th><th>DNS</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>
${
  global
    ? html`<form method="post" action="/admin/domains"><fieldset><legend>Add a domain</legend>${csrfField(rc.session)}
<label>Domain <input name="domain" required></label> <button type="submit">Add domain</button></fieldset></form>`
    : ""
}`;
  return adminPage(rc, "Domains", body, { error });
}

async function addDomain(rc: AdminContext): Promise<HttpResponse> {
  const domain = field(rc.req.form(), "domain", 253).toLowerCase();
  return adminAction(rc, {
    action: "domain.add",
    target: domain,
    back: "/admin/domains",
    onError: (m) => render(rc, m),
    run: async () => {
      if (!isValidDomain(domain)) throw new FormError(`Not a domain name: ${domain}`);
      await rc.app.ctx.store.directory.addDomain(normalizeDomain(domain));
    },
  });
}

async function removeDomain(rc: AdminContext): Promise<HttpResponse> {
  const domain = rc.params.domain ?? "";
  return adminAction(rc, {
    action: "domain.remove",
    target: domain,
    back: "/admin/domains",
    onError: (m) => render(rc, m),
    run: () => rc.app.ctx.store.directory.removeDomain(domain),
  });
}
