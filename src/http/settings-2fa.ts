// Settings → Two-factor login (issue 15), for every logged-in account (users and admins): set up
// an authenticator app (QR code, confirmed by a first code), see and regenerate recovery codes,
// add and remove passkeys, turn it all off (the password and a code needed). Once it is on,
// adding or replacing a factor or the recovery codes takes the password again. Codes typed here go
// through ctx.auth.verifySecondStep like the login's: throttled, a wrong one counted.
import { decodePending, encodePending, REGISTER_COOKIE } from "../auth/2fa/pending.js";
import { twoFactorRequired } from "../auth/2fa/policy.js";
import { parseCredentialJson, registrationOptions, verifyRegistration } from "../auth/2fa/webauthn.js";
import { credentialStamp } from "../auth/credential.js";
import { DEVICE_COOKIE, parseDeviceToken } from "../auth/device.js";
import { StoreError } from "../store/errors.js";
import { clearCookie, setCookie } from "./cookies.js";
import { html, type SafeHtml } from "./html.js";
import { csrfField, page } from "./layout.js";
import { jsonForScript } from "./login-2fa.js";
import { relyingParty } from "./relying-party.js";
import { type HttpResponse, htmlResponse, redirect, withCookies } from "./response.js";
import type { AuthedContext, Router } from "./router.js";
import { hashToken, SESSION_COOKIE } from "./session.js";
import { recoveryCodesHtml, totpEnrolmentHtml } from "./two-factor-html.js";
import { WEBAUTHN_PAGE_CSP, WEBAUTHN_SCRIPT_PATH } from "./webauthn-script.js";

export const TWO_FACTOR_SETTINGS_PATH = "/settings/2fa";
const P = TWO_FACTOR_SETTINGS_PATH;
const MAX_CODE = 64;
const MAX_FIELD = 1024;
/** How long the page's passkey challenge stays good. */
const REGISTER_TTL_SEC = 600;

export function registerTwoFactorSettingsRoutes(router: Router): void {
  router.add({ method: "GET", path: P, access: "user", handler: (rc) => overview(rc, {}) });
  router.add({ method: "GET", path: `${P}/totp`, access: "user", handler: (rc) => totpPage(rc, null, null) });
  router.add({ method: "POST", path: `${P}/totp`, access: "user", handler: confirmTotp });
  router.add({ method: "POST", path: `${P}/recovery`, access: "user", handler: regenerate });
  router.add({ method: "POST", path: `${P}/passkey`, access: "user", handler: addPasskey });
  router.add({ method: "POST", path: `${P}/passkey/remove`, access: "user", handler: removePasskey });
  router.add({ method: "POST", path: `${P}/disable`, access: "user", handler: disable });
}

function settingsPage(
  rc: AuthedContext,
  body: SafeHtml,
  o: { notice?: string | null; error?: string | null; status?: number; cookies?: string[] } = {},
): HttpResponse {
  const res = htmlResponse(
    page({ title: "Two-factor login", body, session: rc.session, account: rc.account, ...o }),
    o.status ?? 200,
  );
  return withCookies(
    { ...res, headers: { ...res.headers, "Content-Security-Policy": WEBAUTHN_PAGE_CSP } },
    o.cookies ?? [],
  );
}

async function overview(
  rc: AuthedContext,
  o: { notice?: string | null; error?: string | null; status?: number },
): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const account = rc.account;
  const st = await ctx.secondFactors.status(account.id);
  const on = st.totp || st.passkeys.length > 0;
  const required = await twoFactorRequired(ctx, account);
  const options = await registrationOptions({
    rp: relyingParty(rc),
    accountId: account.id,
    address: account.address,
    existing: st.passkeys,
  });
  const key = await ctx.secondFactors.keys();
  const reg = encodePending(key, {
    accountId: account.id,
    stamp: credentialStamp(account.passwordHash),
    purpose: "register",
    expiresAt: Date.now() + REGISTER_TTL_SEC * 1000,
    next: "",
    challenge: options.challenge,
  });
  const passwordField = html`<label>Password <input name="password" type="password" autocomplete="current-password" required></label>`;
  const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) : "never");
  const body = html`<h1>Two-factor login</h1>
<p class="status-2fa">Two-factor login is <strong>${on ? "on" : "off"}</strong>${required ? " (required by your administrator)" : ""}.
${on ? "Mail apps (IMAP, POP3, SMTP) log in with app passwords, not your account password." : ""}</p>
<h2>Authenticator app</h2>
${
  st.totp
    ? html`<p>An authenticator app is set up. <a href="${P}/totp">Set up another phone instead</a></p>`
    : html`<p><a href="${P}/totp">Set up an authenticator app</a></p>`
}
<h2>Recovery codes</h2>
<p>${st.recoveryCodes.unused} of ${st.recoveryCodes.total} unused.</p>
${
  on
    ? html`<form method="post" action="${P}/recovery">${csrfField(rc.session)}${passwordField}<button type="submit">Make new recovery codes</button></form>`
    : ""
}
<h2>Passkeys</h2>
${
  st.passkeys.length > 0
    ? html`<table class="passkeys"><thead><tr><th>Name</th><th>Added</th><th>Last used</th><th></th></tr></thead><tbody>
${st.passkeys.map(
  (c) => html`<tr><td>${c.name}</td><td>${when(c.createdAt)}</td><td>${when(c.lastUsedAt)}</td>
<td><form method="post" action="${P}/passkey/remove">${csrfField(rc.session)}<input type="hidden" name="id" value="${c.id}"><button type="submit">Remove</button></form></td></tr>`,
)}
</tbody></table>`
    : html`<p>No passkeys yet.</p>`
}
<script type="application/json" id="webauthn-create">${jsonForScript(options)}</script>
<form method="post" action="${P}/passkey" data-webauthn="create" data-options="webauthn-create">
${csrfField(rc.session)}<input type="hidden" name="credential" value="">
<label>Name <input name="name" maxlength="64" value="Passkey" required></label>
${on ? passwordField : ""}<button type="submit">Add a passkey</button> <span class="webauthn-status" role="status"></span>
</form>
<script src="${WEBAUTHN_SCRIPT_PATH}"></script>
${
  on && !required
    ? html`<h2>Turn off</h2>
<form method="post" action="${P}/disable">${csrfField(rc.session)}
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
${st.totp || st.recoveryCodes.unused > 0 ? html`<label>Code or recovery code <input name="code" autocomplete="one-time-code" required></label>` : ""}
<button type="submit">Turn off two-factor login</button></form>`
    : ""
}`;
  return settingsPage(rc, body, { ...o, cookies: [setCookie(REGISTER_COOKIE, reg, REGISTER_TTL_SEC)] });
}

async function totpPage(
  rc: AuthedContext,
  sealed: string | null,
  error: string | null,
): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const a = rc.account;
  const fresh = sealed
    ? null
    : await ctx.secondFactors.newTotp({ accountId: a.id, address: a.address, issuer: "Yubin" });
  const t = fresh ?? (await ctx.secondFactors.reopenTotp(a, sealed ?? ""));
  if (!t) return overview(rc, { error: "That setup expired. Start again.", status: 400 });
  const seal = fresh?.sealed ?? sealed ?? "";
  const on = await ctx.secondFactors.enabled(a.id);
  const body = html`<h1>Set up an authenticator app</h1>
${await totpEnrolmentHtml(t)}
<form method="post" action="${P}/totp">${csrfField(rc.session)}
<input type="hidden" name="sealed" value="${seal}">
${on ? html`<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label> (two-factor login is on: changing it takes your password)</p>` : ""}
<p><label>Code from the app <input name="code" inputmode="numeric" autocomplete="one-time-code" required></label></p>
<p><button type="submit">Turn on</button></p>
</form>`;
  return settingsPage(rc, body, { error, status: error ? 400 : 200 });
}

function deviceOf(rc: AuthedContext): string | undefined {
  return parseDeviceToken(rc.req.cookies.get(DEVICE_COOKIE));
}

/** With two-factor login already on, adding or replacing a factor or its recovery codes takes
 *  the password again (a login attempt like any, throttled): a stolen session alone must not
 *  swap in the thief's authenticator or passkey and keep the account. */
async function passwordConfirmed(rc: AuthedContext, form: URLSearchParams): Promise<boolean> {
  const { ctx } = rc.app;
  if (!(await ctx.secondFactors.enabled(rc.account.id))) return true;
  const r = await ctx.auth.authenticate({
    username: rc.account.address,
    password: (form.get("password") ?? "").slice(0, MAX_FIELD),
    ip: rc.req.ip,
    protocol: "http",
    device: deviceOf(rc),
  });
  return r.ok && r.account.id === rc.account.id;
}

const WRONG_PASSWORD = "Wrong password: nothing was changed.";

/** Two-factor login has just been turned on: sessions opened before it, with the password alone
 *  (other browsers, the webmail, API tokens), end; the one turning it on stays (issue 15). */
async function endOtherSessions(rc: AuthedContext): Promise<void> {
  const token = rc.req.cookies.get(SESSION_COOKIE);
  const except = token ? { except: hashToken(token) } : {};
  const n = await rc.app.ctx.store.webSessions.removeAccount(rc.account.id, except);
  if (n > 0)
    rc.app.ctx.log.info("two-factor login on: older sessions ended", { user: rc.account.address, n });
}

async function confirmTotp(rc: AuthedContext): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const form = rc.req.form();
  const sealed = (form.get("sealed") ?? "").slice(0, 1024);
  const code = (form.get("code") ?? "").slice(0, MAX_CODE);
  if (!(await passwordConfirmed(rc, form))) return totpPage(rc, sealed, WRONG_PASSWORD);
  let codes: string[] | null = null;
  const hadFactor = await ctx.secondFactors.enabled(rc.account.id);
  const r = await ctx.auth.verifySecondStep({
    accountId: rc.account.id,
    ip: rc.req.ip,
    device: deviceOf(rc),
    check: async () => {
      codes = await ctx.secondFactors.confirmTotp(rc.account.id, sealed, code);
      return codes !== null;
    },
  });
  if (!r.ok)
    return totpPage(
      rc,
      sealed,
      r.reason === "throttled"
        ? "Too many failed attempts. Try again later."
        : "Wrong code. Try the next one.",
    );
  ctx.log.info("two-factor login: authenticator app set up", { user: rc.account.address });
  if (!hadFactor) await endOtherSessions(rc);
  const fresh: string[] = codes ?? [];
  if (fresh.length === 0) return redirect(`${P}?done=totp`);
  return settingsPage(
    rc,
    html`<h1>Two-factor login is on</h1>${recoveryCodesHtml(fresh)}<p><a href="${P}">Back to two-factor login</a></p>`,
  );
}

async function regenerate(rc: AuthedContext): Promise<HttpResponse> {
  const { ctx } = rc.app;
  if (!(await ctx.secondFactors.enabled(rc.account.id)))
    return overview(rc, { error: "Turn two-factor login on first.", status: 400 });
  if (!(await passwordConfirmed(rc, rc.req.form())))
    return overview(rc, { error: WRONG_PASSWORD, status: 401 });
  const codes = await ctx.secondFactors.newRecoveryCodes(rc.account.id);
  ctx.log.info("two-factor login: new recovery codes", { user: rc.account.address });
  return settingsPage(
    rc,
    html`<h1>New recovery codes</h1>${recoveryCodesHtml(codes)}<p>The old ones no longer work.</p><p><a href="${P}">Back to two-factor login</a></p>`,
  );
}

async function addPasskey(rc: AuthedContext): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const form = rc.req.form();
  const key = await ctx.secondFactors.keys();
  const reg = decodePending(key, rc.req.cookies.get(REGISTER_COOKIE), Date.now());
  const response = parseCredentialJson<Parameters<typeof verifyRegistration>[0]["response"]>(
    form.get("credential") ?? "",
  );
  if (reg?.purpose !== "register" || reg.accountId !== rc.account.id || !reg.challenge || !response)
    return overview(rc, {
      error: "The passkey was not added (the page was too old?). Try again.",
      status: 400,
    });
  if (!(await passwordConfirmed(rc, form))) return overview(rc, { error: WRONG_PASSWORD, status: 401 });
  const cred = await verifyRegistration({ rp: relyingParty(rc), challenge: reg.challenge, response });
  if (!cred) return overview(rc, { error: "The passkey was not accepted.", status: 400 });
  const hadFactor = await ctx.secondFactors.enabled(rc.account.id);
  try {
    await ctx.store.secondFactors.addCredential({
      ...cred,
      accountId: rc.account.id,
      name: (form.get("name") ?? "").slice(0, MAX_FIELD).trim() || "Passkey",
      createdAt: new Date(),
      maxPerAccount: ctx.config.auth.passkeysMax,
    });
  } catch (e) {
    if (e instanceof StoreError)
      return overview(rc, { error: `The passkey was not added: ${e.message}.`, status: 400 });
    throw e;
  }
  ctx.log.info("two-factor login: passkey added", { user: rc.account.address });
  if (!hadFactor) await endOtherSessions(rc);
  const cookies = [clearCookie(REGISTER_COOKIE)];
  const codes = await ctx.store.secondFactors.recoveryCodeCount(rc.account.id);
  if (!hadFactor && codes.unused === 0) {
    const fresh = await ctx.secondFactors.newRecoveryCodes(rc.account.id);
    return settingsPage(
      rc,
      html`<h1>Passkey added: two-factor login is on</h1>${recoveryCodesHtml(fresh)}<p><a href="${P}">Back to two-factor login</a></p>`,
      { cookies },
    );
  }
  return withCookies(redirect(`${P}?done=passkey`), cookies);
}

async function removePasskey(rc: AuthedContext): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const id = (rc.req.form().get("id") ?? "").slice(0, 2048);
  const st = await ctx.secondFactors.status(rc.account.id);
  // The last factor of an account that must have one stays (turning off needs the settings
  // the administrator set).
  if ((await twoFactorRequired(ctx, rc.account)) && !st.totp && st.passkeys.length <= 1)
    return overview(rc, { error: "Two-factor login is required: add another factor first.", status: 400 });
  const removed = await ctx.store.secondFactors.removeCredential(rc.account.id, id);
  if (removed) ctx.log.info("two-factor login: passkey removed", { user: rc.account.address });
  return redirect(removed ? `${P}?done=removed` : P);
}

async function disable(rc: AuthedContext): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const a = rc.account;
  if (await twoFactorRequired(ctx, a))
    return overview(rc, { error: "Two-factor login is required by your administrator.", status: 403 });
  const form = rc.req.form();
  const st = await ctx.secondFactors.status(a.id);
  const password = await ctx.auth.authenticate({
    username: a.address,
    password: (form.get("password") ?? "").slice(0, MAX_FIELD),
    ip: rc.req.ip,
    protocol: "http",
    device: deviceOf(rc),
  });
  if (!password.ok || password.account.id !== a.id)
    return overview(rc, { error: "Wrong password: two-factor login stays on.", status: 401 });
  if (st.totp || st.recoveryCodes.unused > 0) {
    const code = (form.get("code") ?? "").slice(0, MAX_CODE);
    const r = await ctx.auth.verifySecondStep({
      accountId: a.id,
      ip: rc.req.ip,
      device: deviceOf(rc),
      check: async () => (await ctx.secondFactors.useCode(a.id, code)) !== null,
    });
    if (!r.ok)
      return overview(rc, { error: "Wrong or already used code: two-factor login stays on.", status: 401 });
  }
  await ctx.secondFactors.disable(a.id);
  ctx.log.info("two-factor login turned off", { user: a.address });
  return redirect(`${P}?done=off`);
}
