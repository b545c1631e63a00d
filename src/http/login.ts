// Login and logout for the web pages. The password is checked by ctx.auth.authenticate with
// protocol "http", so failures count in the same throttle as IMAP/POP3/SMTP logins (per IP and
// account pair): a guesser gains nothing by switching protocol. A successful login also sets a
// long-lived device cookie, so the throttle knows this browser next time (src/auth/device.ts).

import { DEVICE_COOKIE, newDeviceToken, parseDeviceToken } from "../auth/device.js";
import { clearCookie, setCookie } from "./cookies.js";
import { CSRF_FIELD, LOGIN_CSRF_COOKIE, newCsrfToken } from "./csrf.js";
import { html } from "./html.js";
import { page } from "./layout.js";
import { beginSecondStep, registerSecondStepRoutes } from "./login-2fa.js";
import { startWebSession } from "./login-finish.js";
import { type HttpResponse, htmlResponse, redirect, withCookies } from "./response.js";
import type { RequestContext, Router } from "./router.js";
import { SESSION_COOKIE } from "./session.js";
import { registerTwoFactorSettingsRoutes } from "./settings-2fa.js";
import { registerWebauthnScript } from "./webauthn-script.js";

const LOGIN_TOKEN_MAX_AGE_SEC = 3600;
/** Longest user name or password read from the form (the auth service bounds them again). */
const MAX_FIELD = 1024;

export function registerLoginRoutes(router: Router): void {
  router.add({ method: "GET", path: "/", access: "public", handler: home });
  router.add({
    method: "GET",
    path: "/login",
    access: "public",
    handler: async (rc) => loginForm(rc, null, 200),
  });
  router.add({ method: "POST", path: "/login", access: "public", csrf: "login", handler: login });
  router.add({ method: "POST", path: "/logout", access: "user", handler: logout });
  registerSecondStepRoutes(router);
  registerTwoFactorSettingsRoutes(router);
  registerWebauthnScript(router);
}

async function home(rc: RequestContext): Promise<HttpResponse> {
  return redirect(rc.session ? "/settings" : "/login");
}

/** Where a login goes when no page was asked for. */
const DEFAULT_NEXT = "/settings";
/** Longest `next` followed; a longer one is not a path we ever link to. */
const MAX_NEXT = 2048;

/** Only a same-origin path is followed after login (no open redirect, no header injection):
 *  anything else goes to "/". The value becomes a Location header, so it must be visible ASCII
 *  (a CR/LF made writeHead throw; non-ASCII would too). Browsers strip tabs and newlines from URLs
 *  and read "\" as "/" (WHATWG URL, "special" schemes), so "/\t/evil.example" or "/\\evil" would
 *  become the protocol-relative "//evil.example": refused, also in their %-decoded spelling. */
export function safeNext(next: string | null): string {
  if (next === null || next === "") return DEFAULT_NEXT;
  return isLocalPath(next) ? next : "/";
}

function isLocalPath(next: string): boolean {
  if (next.length > MAX_NEXT || !/^\/[\x21-\x7e]*$/.test(next)) return false;
  // Checked as sent, %-decoded, and decoded twice (for a page that decodes its path again).
  const once = safeDecode(next);
  for (const form of [next, once, once === null ? null : safeDecode(once)]) {
    if (form === null || !form.startsWith("/") || form.startsWith("//") || form.includes("\\")) return false;
    if (/[\p{Cc}\p{Cf}\p{Z}\s]/u.test(form)) return false;
  }
  return true;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function loginForm(
  rc: RequestContext,
  error: string | null,
  status: number,
  headers: Record<string, string> = {},
) {
  const token = newCsrfToken();
  const next = safeNext(rc.req.query.get("next") ?? rc.req.form().get("next"));
  const body = html`<h1>Log in</h1>
<form method="post" action="/login">
<input type="hidden" name="${CSRF_FIELD}" value="${token}">
<input type="hidden" name="next" value="${next}">
<p><label>Email address <input name="username" type="email" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Log in</button></p>
</form>${providerButton(rc, next)}`;
  const res = htmlResponse(page({ title: "Log in", body, error }), status);
  return withCookies({ ...res, headers: { ...res.headers, ...headers } }, [
    setCookie(LOGIN_CSRF_COOKIE, token, LOGIN_TOKEN_MAX_AGE_SEC),
  ]);
}

/** OpenID Connect login (src/oauth/web-login.ts, registered by src/app/web.ts at this path) when
 *  [oauth] names a provider and a client id. */
function providerButton(rc: RequestContext, next: string) {
  const { issuer, clientId, providerName } = rc.app.ctx.config.oauth;
  if (issuer === "" || clientId === "") return "";
  return html`<p><a class="button" href="/login/oidc?next=${encodeURIComponent(next)}">Sign in with ${providerName}</a></p>`;
}

async function login(rc: RequestContext): Promise<HttpResponse> {
  const form = rc.req.form();
  const username = (form.get("username") ?? "").trim().slice(0, MAX_FIELD);
  const password = (form.get("password") ?? "").slice(0, MAX_FIELD);
  const { ctx } = rc.app;
  // The browser's device token (issued now if it has none): registered to the account if the
  // login succeeds, so the throttle knows this browser from any address (src/auth/device.ts).
  const device = parseDeviceToken(rc.req.cookies.get(DEVICE_COOKIE)) ?? newDeviceToken();
  const result = await ctx.auth.authenticate({
    username,
    password,
    ip: rc.req.ip,
    protocol: "http",
    device,
  });
  if (!result.ok) {
    if (result.reason === "throttled") {
      const sec = Math.max(1, Math.ceil((result.retryAfterMs ?? 60_000) / 1000));
      return loginForm(rc, `Too many failed logins. Try again in ${sec} seconds.`, 429, {
        "Retry-After": String(sec),
      });
    }
    return loginForm(rc, "Wrong email address or password.", 401);
  }
  const next = safeNext(form.get("next"));
  // Two-factor login (issue 15): no session until the second step (login-2fa.ts).
  const second = await beginSecondStep(rc, result.account, { next, device });
  if (second) return second;
  return withCookies(redirect(next), await startWebSession(rc, result.account, device));
}

async function logout(rc: RequestContext): Promise<HttpResponse> {
  const token = rc.req.cookies.get(SESSION_COOKIE);
  if (token) await rc.app.sessions.destroy(token);
  return withCookies(redirect("/login"), [clearCookie(SESSION_COOKIE)]);
}
