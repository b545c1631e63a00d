// Admin: who the login throttle (src/auth/throttle.ts) is counting — (client IP, account) pairs,
// IPs and accounts, each with its failures, its state (counting, delayed, refused) and when its
// window ends — and a Clear button per row that forgets those failures (a user locked out of a
// new device, an office IP held for spraying after a mass password change). Clearing is an admin
// POST like every other (CSRF checked by the dispatcher, audited). A domain administrator sees and
// clears only entries naming an account (or a guessed address) of its domains; per-address
// entries, which span every domain, are for global admins.

import type { ThrottleEntry } from "../auth/throttle.js";
import { scopeCovers } from "../http/admin-scope.js";
import { html } from "../http/html.js";
import { csrfField } from "../http/layout.js";
import type { HttpResponse } from "../http/response.js";
import { HttpError } from "../http/response.js";
import type { AdminContext, Router } from "../http/router.js";
import { adminAction, FormError, field } from "./action.js";
import { adminPage } from "./layout.js";
import { domainOf } from "./scope.js";

/** Most rows of each kind listed. */
export const THROTTLE_PAGE_LIMIT = 500;

export function registerThrottleRoutes(router: Router): void {
  router.add({
    method: "GET",
    path: "/admin/throttle",
    access: "domain-admin",
    handler: (rc) => render(rc, null),
  });
  router.add({ method: "POST", path: "/admin/throttle/clear", access: "domain-admin", handler: clear });
}

/** The account a throttle key names, as the admin knows it: "id:7" is looked up. */
async function accountLabel(rc: AdminContext, key: string): Promise<string> {
  const id = /^id:(\d{1,15})$/.exec(key)?.[1];
  if (id !== undefined) {
    const a = await rc.app.ctx.store.directory.getAccount(Number(id));
    return a ? a.address : `(deleted account ${id})`;
  }
  // "addr:x" and "name:x": a name with no account behind it (a guess at a user that does not exist).
  return `${key.replace(/^(addr|name):/, "")} (no such account)`;
}

/** The domain of the account a throttle key names ("id:7" looked up, "addr:x"/"name:x" parsed). */
async function keyDomain(rc: AdminContext, key: string): Promise<string | null> {
  const id = /^id:(\d{1,15})$/.exec(key)?.[1];
  if (id !== undefined) return (await rc.app.ctx.store.directory.getAccount(Number(id)))?.domain ?? null;
  return domainOf(key);
}

/** The entries this admin may see and clear. */
async function visibleEntries(rc: AdminContext): Promise<ThrottleEntry[]> {
  const entries = await rc.app.ctx.auth.throttle.list(THROTTLE_PAGE_LIMIT);
  if (rc.adminScope.kind === "global") return entries;
  const out: ThrottleEntry[] = [];
  for (const e of entries) {
    if (e.kind === "ip") continue;
    const d = await keyDomain(rc, e.account);
    if (d !== null && scopeCovers(rc.adminScope, d)) out.push(e);
  }
  return out;
}

async function render(rc: AdminContext, error: string | null): Promise<HttpResponse> {
  const entries = await visibleEntries(rc);
  const now = Date.now();
  const order = { refused: 0, delayed: 1, counting: 2 };
  entries.sort((a, b) => order[a.state] - order[b.state] || b.failures - a.failures);
  const rows = [];
  for (const e of entries) {
    const account = e.kind === "ip" ? "" : await accountLabel(rc, e.account);
    const ip = e.kind === "account" ? "(all addresses)" : e.ip;
    const spread = e.kind === "ip" ? String(e.accounts) : "";
    const left = Math.max(0, Math.ceil((e.until - now) / 1000));
    rows.push(html`<tr><td>${kindLabel(e)}</td><td>${ip}</td><td>${account}</td><td>${e.failures}</td>
<td>${spread}</td><td>${e.state}${e.kind === "pair" && e.known ? " (known client)" : ""}</td><td>${new Date(e.until).toISOString()} (${left} s)</td>
<td><form method="post" action="/admin/throttle/clear">${csrfField(rc.session)}<input type="hidden" name="id" value="${e.id}"><button type="submit">Clear</button></form></td></tr>`);
  }
  const body = html`<p>Failed logins counted by the throttle: per client address and account (a guesser,
or a device with an old password), per address (spraying many accounts is refused) and per account
(guessing from many addresses). A client that logged in to the account before (a known client) is
not refused for others' failures, only after a flood of its own (throttleKnownMaxFailures).</p>
<p>${entries.length} entr${entries.length === 1 ? "y" : "ies"}.</p>
<table><thead><tr><th>Counted</th><th>Client address</th><th>Account</th><th>Failures</th><th>Accounts tried</th>
<th>State</th><th>Window ends</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
  return adminPage(rc, "Login throttle", body, { error });
}

function kindLabel(e: ThrottleEntry): string {
  return e.kind === "pair" ? "address and account" : e.kind === "ip" ? "address" : "account";
}

async function clear(rc: AdminContext): Promise<HttpResponse> {
  const id = field(rc.req.form(), "id", 400);
  return adminAction(rc, {
    action: "throttle.clear",
    target: id,
    back: "/admin/throttle",
    onError: (m) => render(rc, m),
    run: async () => {
      if (rc.adminScope.kind !== "global" && !(await visibleEntries(rc)).some((e) => e.id === id))
        throw new HttpError(403, "That entry is not about one of the domains you administer.");
      if (!(await rc.app.ctx.auth.throttle.clear(id))) throw new FormError(`Nothing to clear: ${id}`);
    },
  });
}
