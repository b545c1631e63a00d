// Admin: aliases (address → one or more targets; "@domain" is a catch-all). A domain administrator
// sees, adds and removes only aliases of its domains (their targets may be anywhere, as a user's
// forwarding may).
import { parseAddress } from "../delivery/address.js";
import { mustCover } from "../http/admin-scope.js";
import { html } from "../http/html.js";
import { csrfField } from "../http/layout.js";
import type { HttpResponse } from "../http/response.js";
import type { AdminContext, Router } from "../http/router.js";
import { adminAction, FormError, field } from "./action.js";
import { adminPage } from "./layout.js";
import { domainOf } from "./scope.js";

/** Most targets one alias may have when entered here. */
const MAX_TARGETS = 100;

export function registerAliasRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin/aliases", access: "domain-admin", handler: (rc) => render(rc) });
  router.add({ method: "POST", path: "/admin/aliases", access: "domain-admin", handler: addAlias });
  // The address is a form field, not a path segment: "@domain" catch-alls do not fit in one.
  router.add({ method: "POST", path: "/admin/aliases/delete", access: "domain-admin", handler: removeAlias });
}

async function render(rc: AdminContext, error: string | null = null): Promise<HttpResponse> {
  const { directory } = rc.app.ctx.store;
  const scope = rc.adminScope;
  const aliases =
    scope.kind === "global"
      ? await directory.listAliases()
      : (await Promise.all([...scope.domains].sort().map((d) => directory.listAliases(d)))).flat();
  const rows = aliases.map(
    (
      a,
    ) => html`<tr><td>${a.address}${a.address.startsWith("@") ? " (catch-all)" : ""}</td><td>${a.targets.join(", ")}</td>
<td><form method="post" action="/admin/aliases/delete">${csrfField(rc.session)}
<input type="hidden" name="address" value="${a.address}"><button type="submit">Remove</button></form></td></tr>`,
  );
  const body = html`<table><thead><tr><th>Alias</th><th>Delivers to</th><th></th></tr></thead><tbody>${rows}</tbody></table>
<form method="post" action="/admin/aliases"><fieldset><legend>Add an alias</legend>${csrfField(rc.session)}
<label>Address (or @domain for a catch-all) <input name="address" required></label>
<label>Targets, comma-separated <input name="targets" required size="40"></label>
<button type="submit">Add alias</button></fieldset></form>`;
  return adminPage(rc, "Aliases", body, { error });
}

async function addAlias(rc: AdminContext): Promise<HttpResponse> {
  const form = rc.req.form();
  const address = field(form, "address").toLowerCase();
  const targets = field(form, "targets", 32 * 1024)
    .split(/[,\s]+/)
    .filter(Boolean);
  return adminAction(rc, {
    action: "alias.add",
    target: address,
    back: "/admin/aliases",
    onError: (m) => render(rc, m),
    run: async () => {
      const domain = address.startsWith("@") ? address.slice(1) : parseAddress(address)?.domain;
      if (!domain) throw new FormError(`Not an address: ${address}`);
      mustCover(rc.adminScope, domain);
      if (!(await rc.app.ctx.store.directory.getDomain(domain)))
        throw new FormError(`${domain} is not one of our domains.`);
      if (targets.length === 0 || targets.length > MAX_TARGETS)
        throw new FormError(`Give between 1 and ${MAX_TARGETS} targets.`);
      const bad = targets.find((t) => !parseAddress(t));
      if (bad) throw new FormError(`Not an address: ${bad}`);
      await rc.app.ctx.store.directory.addAlias(address, targets);
    },
  });
}

async function removeAlias(rc: AdminContext): Promise<HttpResponse> {
  const address = field(rc.req.form(), "address");
  mustCover(rc.adminScope, domainOf(address) ?? "");
  return adminAction(rc, {
    action: "alias.remove",
    target: address,
    back: "/admin/aliases",
    onError: (m) => render(rc, m),
    run: () => rc.app.ctx.store.directory.removeAlias(address),
  });
}
