// Admin: accounts. Create, reset a password, set quotas, disable/enable. A password change or a
// disable ends the account's web sessions and webmail/JMAP tokens (here at once; anywhere at their
// next use, as they carry the stamp of the password they began with: auth/credential.ts);
// IMAP/POP3 logins check the account at each login. An account whose outgoing mail was frozen
// (src/postoffice/sending-limits.ts) shows so, with Unfreeze (= `yubin user unfreeze`: releases
// its held mail). Each user links to its spam allow/block lists and overrides (spam-prefs.ts).
// Two-factor login (auth/2fa/) shows as on or off; "Reset two-factor login" removes the user's
// authenticator, recovery codes and passkeys (a lost phone with no codes left), after which the
// password alone logs in again, or leads to enrolment where auth.require2fa asks for it.
// Domain administrators (scope.ts) see and manage only their domains' users, never an account
// that administers more than they do; making anyone an administrator (the role form: none, global,
// or a list of domains) is for global admins only.
import { randomBytes } from "node:crypto";
import { hashPassword, MAX_PASSWORD_BYTES } from "../auth/password.js";
import { parseAddress } from "../delivery/address.js";
import { mustCover } from "../http/admin-scope.js";
import { html } from "../http/html.js";
import { csrfField } from "../http/layout.js";
import { HttpError, type HttpResponse } from "../http/response.js";
import type { AdminContext, Router } from "../http/router.js";
import type { Account } from "../store/types.js";
import { adminAction, FormError, field, intField } from "./action.js";
import { adminPage } from "./layout.js";
import { mayManage, scopedAccount, visibleAccounts } from "./scope.js";

/** Shortest password an admin may set by hand (a generated one is 16 random bytes). */
export const MIN_PASSWORD_LENGTH = 10;
const MIB = 1024 * 1024;

export function registerUserRoutes(router: Router): void {
  const scoped = "domain-admin" as const;
  router.add({ method: "GET", path: "/admin/users", access: scoped, handler: (rc) => render(rc) });
  router.add({ method: "POST", path: "/admin/users", access: scoped, handler: createUser });
  router.add({ method: "POST", path: "/admin/users/:id/password", access: scoped, handler: resetPassword });
  router.add({ method: "POST", path: "/admin/users/:id/quota", access: scoped, handler: setQuota });
  router.add({
    method: "POST",
    path: "/admin/users/:id/disable",
    access: scoped,
    handler: (rc) => setDisabled(rc, true),
  });
  router.add({
    method: "POST",
    path: "/admin/users/:id/enable",
    access: scoped,
    handler: (rc) => setDisabled(rc, false),
  });
  router.add({ method: "POST", path: "/admin/users/:id/unfreeze", access: scoped, handler: unfreeze });
  router.add({ method: "POST", path: "/admin/users/:id/2fa-reset", access: scoped, handler: resetTwoFactor });
  // Who is an administrator of what: global admins only.
  router.add({ method: "POST", path: "/admin/users/:id/role", access: "admin", handler: setRole });
}

function quotaText(bytes: number, messages: number): string {
  const b = bytes === 0 ? "unlimited" : `${(bytes / MIB).toFixed(1)} MiB`;
  return messages === 0 ? b : `${b}, ${messages} messages`;
}

async function render(
  rc: AdminContext,
  opts: { error?: string | null; shown?: string | null } = {},
): Promise<HttpResponse> {
  const { store } = rc.app.ctx;
  const accounts = await visibleAccounts(rc);
  const frozen = await store.sending.listFrozen();
  const global = rc.adminScope.kind === "global";
  const rows = await Promise.all(
    accounts.map(async (a) => {
      const u = await store.mail.quotaUsage(a.id);
      const adminOf = await store.directory.listAdminDomains(a.id);
      const role = a.isAdmin ? " (admin)" : adminOf.length > 0 ? ` (admin of ${adminOf.join(", ")})` : "";
      if (!mayManage(rc, a, adminOf))
        return html`<tr id="user-${a.id}"><td>${a.address}${role}</td><td colspan="3">managed by the server's administrators</td></tr>`;
      const twoFactor = await rc.app.ctx.secondFactors.enabled(a.id);
      const base = `/admin/users/${a.id}`;
      return html`<tr id="user-${a.id}"><td>${a.address}${role}</td>
<td>${a.disabled ? html`<span class="wrong">disabled</span>` : "active"}${
        frozen.has(a.id)
          ? html`<br><span class="wrong">sending frozen</span> (${frozen.get(a.id)?.reason ?? ""})
<form method="post" action="${base}/unfreeze">${csrfField(rc.session)}<button type="submit">Unfreeze</button></form>`
          : ""
      }<br>${
        twoFactor
          ? html`<span class="ok">two-factor login on</span>
<form method="post" action="${base}/2fa-reset">${csrfField(rc.session)}<button type="submit">Reset two-factor login</button></form>`
          : "two-factor login off"
      }</td>
<td>${(u.bytes / MIB).toFixed(1)} MiB, ${u.messages} messages of ${quotaText(a.quotaBytes, a.quotaMessages)}</td>
<td><form method="post" action="${base}/password">${csrfField(rc.session)}
<input name="password" type="password" autocomplete="new-password" placeholder="new password (empty: generate)" aria-label="New password for ${a.address}">
<button type="submit">Reset password</button></form>
<form method="post" action="${base}/quota">${csrfField(rc.session)}
<input name="quotaMiB" inputmode="numeric" size="6" value="${Math.round(a.quotaBytes / MIB)}" aria-label="Quota MiB for ${a.address}"> MiB
<input name="quotaMessages" inputmode="numeric" size="6" value="${a.quotaMessages}" aria-label="Quota messages for ${a.address}"> msgs
<button type="submit">Set quota</button></form>
<form method="post" action="${base}/${a.disabled ? "enable" : "disable"}">${csrfField(rc.session)}
<button type="submit">${a.disabled ? "Enable" : "Disable"}</button></form>
<a href="${base}/spam">Spam settings (allow/block lists)</a> · <a href="${base}/app-passwords">App passwords</a>${global ? roleForm(rc, a, adminOf) : ""}</td></tr>`;
    }),
  );
  const body = html`${opts.shown ? html`<p class="notice" role="status">${opts.shown}</p>` : ""}
<table><thead><tr><th>Address</th><th>State</th><th>Usage / quota</th><th>Actions</th></tr></thead>
<tbody>${rows}</tbody></table>
<form method="post" action="/admin/users"><fieldset><legend>Create a user</legend>${csrfField(rc.session)}
<label>Address <input name="address" type="email" required></label>
<label>Password <input name="password" type="password" autocomplete="new-password" placeholder="empty: generate"></label>
<label>Quota MiB <input name="quotaMiB" inputmode="numeric" size="6" value="${Math.round(rc.app.ctx.config.quota.defaultBytes / MIB)}"></label>
${global ? html`<label><input name="isAdmin" type="checkbox" value="1"> administrator</label>` : ""}
<button type="submit">Create user</button></fieldset></form>`;
  return adminPage(rc, "Users", body, { error: opts.error ?? null });
}

/** The typed password, checked, or a generated one (returned so the page can show it once). */
function chosenPassword(form: URLSearchParams): { password: string; generated: boolean } {
  const typed = form.get("password") ?? "";
  if (typed === "") return { password: randomBytes(16).toString("base64url"), generated: true };
  if (typed.length < MIN_PASSWORD_LENGTH)
    throw new FormError(`A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (Buffer.byteLength(typed) > MAX_PASSWORD_BYTES) throw new FormError("That password is too long.");
  return { password: typed, generated: false };
}

async function createUser(rc: AdminContext): Promise<HttpResponse> {
  const form = rc.req.form();
  const address = field(form, "address").toLowerCase();
  let generated: string | null = null;
  const res = await adminAction(rc, {
    action: "user.create",
    target: address,
    back: "/admin/users",
    onError: (m) => render(rc, { error: m }),
    run: async () => {
      const parsed = parseAddress(address);
      if (!parsed) throw new FormError(`Not an email address: ${address}`);
      mustCover(rc.adminScope, parsed.domain);
      const isAdmin = form.get("isAdmin") === "1";
      if (isAdmin && rc.adminScope.kind !== "global")
        throw new HttpError(403, "Only the server's administrators make administrators.");
      const { directory } = rc.app.ctx.store;
      if (!(await directory.getDomain(parsed.domain)))
        throw new FormError(`${parsed.domain} is not one of our domains; add it first.`);
      const pw = chosenPassword(form);
      await directory.createAccount({
        address,
        passwordHash: await hashPassword(pw.password),
        quotaBytes: intField(form, "quotaMiB") * MIB,
        quotaMessages: rc.app.ctx.config.quota.defaultMessages,
        isAdmin,
      });
      if (pw.generated) generated = pw.password;
    },
  });
  // A generated password is shown once, on this response, never put in a URL.
  return generated && res.status === 303
    ? render(rc, { shown: `Created ${address}. Its password: ${generated}` })
    : res;
}

async function resetPassword(rc: AdminContext): Promise<HttpResponse> {
  const a = await scopedAccount(rc);
  let generated: string | null = null;
  const res = await adminAction(rc, {
    action: "user.password",
    target: a.address,
    back: "/admin/users",
    onError: (m) => render(rc, { error: m }),
    run: async () => {
      const pw = chosenPassword(rc.req.form());
      await rc.app.ctx.store.directory.updateAccount(a.id, { passwordHash: await hashPassword(pw.password) });
      await rc.app.sessions.destroyAccount(a.id);
      if (pw.generated) generated = pw.password;
    },
  });
  return generated && res.status === 303
    ? render(rc, { shown: `New password for ${a.address}: ${generated}` })
    : res;
}

async function setQuota(rc: AdminContext): Promise<HttpResponse> {
  const a = await scopedAccount(rc);
  const form = rc.req.form();
  return adminAction(rc, {
    action: "user.quota",
    target: a.address,
    back: "/admin/users",
    onError: (m) => render(rc, { error: m }),
    run: async () => {
      const quotaBytes = intField(form, "quotaMiB") * MIB;
      const quotaMessages = intField(form, "quotaMessages");
      await rc.app.ctx.store.directory.updateAccount(a.id, { quotaBytes, quotaMessages });
    },
  });
}

async function unfreeze(rc: AdminContext): Promise<HttpResponse> {
  const a = await scopedAccount(rc);
  return adminAction(rc, {
    action: "user.unfreeze",
    target: a.address,
    back: "/admin/users",
    onError: (m) => render(rc, { error: m }),
    run: async () => {
      await rc.app.ctx.store.sending.unfreezeSending(a.id, new Date());
    },
  });
}

async function resetTwoFactor(rc: AdminContext): Promise<HttpResponse> {
  const a = await scopedAccount(rc);
  return adminAction(rc, {
    action: "user.2fa-reset",
    target: a.address,
    back: "/admin/users",
    onError: (m) => render(rc, { error: m }),
    run: async () => {
      await rc.app.ctx.secondFactors.disable(a.id);
    },
  });
}

async function setDisabled(rc: AdminContext, disabled: boolean): Promise<HttpResponse> {
  const a = await scopedAccount(rc);
  return adminAction(rc, {
    action: disabled ? "user.disable" : "user.enable",
    target: a.address,
    back: "/admin/users",
    onError: (m) => render(rc, { error: m }),
    run: async () => {
      if (disabled && a.id === rc.account.id) throw new FormError("You cannot disable your own account.");
      await rc.app.ctx.store.directory.updateAccount(a.id, { disabled });
      if (disabled) await rc.app.sessions.destroyAccount(a.id);
    },
  });
}

/** Global admins only: the account's role — none, global administrator, or administrator of the
 *  listed domains (comma- or space-separated). */
function roleForm(rc: AdminContext, a: Account, adminOf: readonly string[]) {
  const current = a.isAdmin ? "global" : adminOf.length > 0 ? "domains" : "none";
  const option = (value: string, label: string) =>
    html`<option value="${value}"${value === current ? html` selected` : ""}>${label}</option>`;
  return html`<form method="post" action="/admin/users/${a.id}/role">${csrfField(rc.session)}
<select name="role" aria-label="Role of ${a.address}">${option("none", "user")}${option("global", "administrator")}${option("domains", "administrator of domains:")}</select>
<input name="domains" size="24" value="${adminOf.join(", ")}" aria-label="Domains ${a.address} administers">
<button type="submit">Set role</button></form>`;
}

async function setRole(rc: AdminContext): Promise<HttpResponse> {
  const a = await scopedAccount(rc);
  const form = rc.req.form();
  return adminAction(rc, {
    action: "user.role",
    target: a.address,
    back: "/admin/users",
    onError: (m) => render(rc, { error: m }),
    run: async () => {
      const role = field(form, "role", 10);
      const domains =
        role === "domains"
          ? field(form, "domains", 32 * 1024)
              .split(/[,\s]+/)
              .filter(Boolean)
          : [];
      if (role !== "none" && role !== "global" && role !== "domains")
        throw new FormError(`Unknown role: ${role}`);
      if (role === "domains" && domains.length === 0) throw new FormError("Name the domains to administer.");
      if (role !== "global" && a.id === rc.account.id)
        throw new FormError("You cannot take your own administrator rights away.");
      const { directory } = rc.app.ctx.store;
      await directory.setAdminDomains(a.id, domains);
      await directory.updateAccount(a.id, { isAdmin: role === "global" });
    },
  });
}
