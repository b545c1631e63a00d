// The web login's second step (issue 15): after a right password, an account with two-factor
// login gets no session yet but a signed, short-lived "pending" cookie (auth/2fa/pending.ts) and
// this page: a TOTP code, a recovery code, or a passkey. An account that must have 2FA
// (auth.require2fa) and has none is sent to enrolment here instead (an authenticator app), and
// gets its session once its first code is right. Every code or passkey tried goes through
// ctx.auth.verifySecondStep: throttled like a password, a wrong one counts as a failed login.
import { decodePending, encodePending, PENDING_COOKIE, type PendingLogin } from "../auth/2fa/pending.js";
import { twoFactorRequired } from "../auth/2fa/policy.js";
import { authenticationOptions, parseCredentialJson, verifyAuthentication } from "../auth/2fa/webauthn.js";
import { credentialStamp } from "../auth/credential.js";
import { DEVICE_COOKIE, newDeviceToken, parseDeviceToken } from "../auth/device.js";
import type { Account } from "../store/types.js";
import { clearCookie, setCookie } from "./cookies.js";
import { CSRF_FIELD, LOGIN_CSRF_COOKIE, newCsrfToken } from "./csrf.js";
import { html, SafeHtml } from "./html.js";
import { page } from "./layout.js";
import { startWebSession } from "./login-finish.js";
import { relyingParty } from "./relying-party.js";
import { type HttpResponse, htmlResponse, redirect, withCookies } from "./response.js";
import type { RequestContext, Router } from "./router.js";
import { recoveryCodesHtml, totpEnrolmentHtml } from "./two-factor-html.js";
import { WEBAUTHN_PAGE_CSP, WEBAUTHN_SCRIPT_PATH } from "./webauthn-script.js";

export const SECOND_STEP_PATH = "/login/2fa";
const LOGIN_TOKEN_MAX_AGE_SEC = 3600;
/** Longest code read from the form (a recovery code with separators is 11 characters). */
const MAX_CODE = 64;

export function registerSecondStepRoutes(router: Router): void {
  router.add({ method: "GET", path: SECOND_STEP_PATH, access: "public", handler: secondStepPage });
  router.add({
    method: "POST",
    path: SECOND_STEP_PATH,
    access: "public",
    csrf: "login",
    handler: secondStep,
  });
}

/** After a right password: the response that starts the second step, or null when the account
 *  needs none (no 2FA and none required): the caller then starts the session. */
export async function beginSecondStep(
  rc: RequestContext,
  account: Account,
  o: { next: string; device: string },
): Promise<HttpResponse | null> {
  const { ctx } = rc.app;
  const enabled = await ctx.secondFactors.enabled(account.id);
  if (!enabled && !(await twoFactorRequired(ctx, account))) return null;
  const pending: PendingLogin = {
    accountId: account.id,
    stamp: credentialStamp(account.passwordHash),
    purpose: enabled ? "verify" : "enroll",
    expiresAt: Date.now() + ctx.config.auth.twoFactorPendingSec * 1000,
    next: o.next,
  };
  ctx.log.info("web login: password right, second step", { user: account.address, purpose: pending.purpose });
  return withCookies(redirect(SECOND_STEP_PATH), [
    await pendingCookie(rc, pending),
    setCookie(DEVICE_COOKIE, o.device, ctx.config.auth.throttleKnownClientDays * 86_400),
  ]);
}

async function pendingCookie(rc: RequestContext, p: PendingLogin): Promise<string> {
  const key = await rc.app.ctx.secondFactors.keys();
  const maxAge = Math.max(1, Math.ceil((p.expiresAt - Date.now()) / 1000));
  return setCookie(PENDING_COOKIE, encodePending(key, p), maxAge);
}

/** The pending login of the request and its account, if still valid: intact, not expired, the
 *  account enabled and its password unchanged since the password step. */
async function current(rc: RequestContext): Promise<{ pending: PendingLogin; account: Account } | null> {
  const { ctx } = rc.app;
  const pending = decodePending(
    await ctx.secondFactors.keys(),
    rc.req.cookies.get(PENDING_COOKIE),
    Date.now(),
  );
  if (!pending || pending.purpose === "register") return null;
  const account = await ctx.store.directory.getAccount(pending.accountId);
  if (!account || account.disabled || credentialStamp(account.passwordHash) !== pending.stamp) return null;
  // An enrolment begun before the account got 2FA elsewhere must not replace it: log in again.
  if (pending.purpose === "enroll" && (await ctx.secondFactors.enabled(account.id))) return null;
  return { pending, account };
}

const expired = () => withCookies(redirect("/login"), [clearCookie(PENDING_COOKIE)]);

async function secondStepPage(rc: RequestContext): Promise<HttpResponse> {
  const cur = await current(rc);
  if (!cur) return expired();
  return render(rc, cur, { error: null, status: 200 });
}

async function render(
  rc: RequestContext,
  cur: { pending: PendingLogin; account: Account },
  o: { error: string | null; status: number; headers?: Record<string, string> },
): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const token = newCsrfToken();
  const pending = { ...cur.pending };
  let body: SafeHtml;
  if (pending.purpose === "enroll") {
    const t = pending.sealedSecret
      ? null
      : await ctx.secondFactors.newTotp({
          accountId: cur.account.id,
          address: cur.account.address,
          issuer: "Yubin",
        });
    if (t) pending.sealedSecret = t.sealed;
    const shown = t ?? (await ctx.secondFactors.reopenTotp(cur.account, pending.sealedSecret ?? ""));
    body = html`<h1>Set up two-factor login</h1>
<p>Your administrator requires a second step at login for <strong>${cur.account.address}</strong>.</p>
${shown ? await totpEnrolmentHtml(shown) : ""}
<form method="post" action="${SECOND_STEP_PATH}">
<input type="hidden" name="${CSRF_FIELD}" value="${token}">
<p><label>Code from the app <input name="code" inputmode="numeric" autocomplete="one-time-code" required></label></p>
<p><button type="submit">Turn on and log in</button></p>
</form>`;
  } else {
    const creds = await ctx.store.secondFactors.credentials(cur.account.id);
    let passkey: SafeHtml | string = "";
    if (creds.length > 0) {
      const options = await authenticationOptions({ rp: relyingParty(rc), credentials: creds });
      pending.challenge = options.challenge;
      passkey = html`<script type="application/json" id="webauthn-get">${jsonForScript(options)}</script>
<form method="post" action="${SECOND_STEP_PATH}" data-webauthn="get" data-options="webauthn-get">
<input type="hidden" name="${CSRF_FIELD}" value="${token}">
<input type="hidden" name="credential" value="">
<p><button type="submit">Use a passkey</button> <span class="webauthn-status" role="status"></span></p>
</form>
<script src="${WEBAUTHN_SCRIPT_PATH}"></script>`;
    }
    body = html`<h1>Two-factor login</h1>
<p>Signing in as <strong>${cur.account.address}</strong>.</p>
${passkey}
<form method="post" action="${SECOND_STEP_PATH}">
<input type="hidden" name="${CSRF_FIELD}" value="${token}">
<p><label>Authentication code <input name="code" autocomplete="one-time-code" required></label></p>
<p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
<p><button type="submit">Verify</button></p>
</form>`;
  }
  const res = htmlResponse(page({ title: "Two-factor login", body, error: o.error }), o.status);
  return withCookies(
    { ...res, headers: { ...res.headers, "Content-Security-Policy": WEBAUTHN_PAGE_CSP, ...o.headers } },
    [setCookie(LOGIN_CSRF_COOKIE, token, LOGIN_TOKEN_MAX_AGE_SEC), await pendingCookie(rc, pending)],
  );
}

/** JSON inside <script type="application/json">: "<" escaped so "</script>" cannot end it. */
export function jsonForScript(v: unknown): SafeHtml {
  return new SafeHtml(JSON.stringify(v).replace(/</g, "\\u003c"));
}

async function secondStep(rc: RequestContext): Promise<HttpResponse> {
  const cur = await current(rc);
  if (!cur) return expired();
  const { ctx } = rc.app;
  const form = rc.req.form();
  const code = (form.get("code") ?? "").slice(0, MAX_CODE);
  const credential = form.get("credential") ?? "";
  const device = parseDeviceToken(rc.req.cookies.get(DEVICE_COOKIE)) ?? newDeviceToken();
  const { account, pending } = cur;
  let recovery: string[] | null = null;
  let usedRecovery = false;
  const check = async (): Promise<boolean> => {
    if (pending.purpose === "enroll") {
      recovery = await ctx.secondFactors.confirmTotp(account.id, pending.sealedSecret ?? "", code);
      return recovery !== null;
    }
    if (credential !== "") return checkPasskey(rc, account, pending, credential);
    const kind = await ctx.secondFactors.useCode(account.id, code);
    usedRecovery = kind === "recovery";
    return kind !== null;
  };
  const r = await ctx.auth.verifySecondStep({ accountId: account.id, ip: rc.req.ip, device, check });
  if (!r.ok) {
    if (r.reason === "throttled") {
      const sec = Math.max(1, Math.ceil((r.retryAfterMs ?? 60_000) / 1000));
      return render(rc, cur, {
        error: `Too many failed logins. Try again in ${sec} seconds.`,
        status: 429,
        headers: { "Retry-After": String(sec) },
      });
    }
    const error = credential !== "" ? "The passkey was not accepted." : "Wrong or already used code.";
    return render(rc, cur, { error, status: 401 });
  }
  const cookies = await startWebSession(rc, account, device);
  const codes: string[] = recovery ?? [];
  if (codes.length > 0) {
    // Shown once, now: the session exists, the page links on to where the login was going.
    const body = html`<h1>Two-factor login is on</h1>
${recoveryCodesHtml(codes)}
<p><a href="${pending.next}">Continue</a></p>`;
    return withCookies(htmlResponse(page({ title: "Recovery codes", body })), cookies);
  }
  if (usedRecovery) {
    const left = await ctx.store.secondFactors.recoveryCodeCount(account.id);
    ctx.log.info("web login with a recovery code", { user: account.address, left: left.unused });
  }
  return withCookies(redirect(pending.next), cookies);
}

async function checkPasskey(
  rc: RequestContext,
  account: Account,
  pending: PendingLogin,
  raw: string,
): Promise<boolean> {
  const store = rc.app.ctx.store.secondFactors;
  const response = parseCredentialJson<Parameters<typeof verifyAuthentication>[0]["response"]>(raw);
  if (!response || !pending.challenge) return false;
  const credential = await store.credential(response.id);
  if (!credential || credential.accountId !== account.id) return false;
  const counter = await verifyAuthentication({
    rp: relyingParty(rc),
    challenge: pending.challenge,
    response,
    credential,
  });
  if (counter === null) return false;
  await store.useCredential(credential.id, { counter, at: new Date() });
  return true;
}
