// The webmail's own endpoints (JSON):
//   POST /webmail/login   {username, password} → 200 {username, csrf} + the session cookie;
//                         401 wrong credentials or a disabled account (the same reply: a
//                         guesser must not learn that a password was right), 429 throttled.
//   GET  /webmail/session → 200 {username, csrf} while the cookie is valid, else 401.
//   POST /webmail/logout  (CSRF header) → 204, token revoked and cookie cleared.
//   GET  /webmail/login/provider → 200 {name, url} of the OpenID Connect login, or 200 null when
//        none is configured (not an error: every login screen asks, and a 404 would be one).
//   POST /webmail/login/2fa {code} | {credential} → the second step of an account with
//                         two-factor login (login-2fa.ts), then as /webmail/login.
// The password goes through ctx.auth.authenticate with protocol "http": failures count in the
// same throttle as IMAP, POP3 and SMTP logins (src/auth/throttle.ts). A success also sets the
// throttle's device cookie, so this browser is a known client of the account from any address.
import type { IncomingMessage, ServerResponse } from "node:http";
import { TLSSocket } from "node:tls";
import { PENDING_COOKIE } from "../auth/2fa/pending.js";
import { DEVICE_COOKIE, newDeviceToken, parseDeviceToken } from "../auth/device.js";
import { clearCookie, parseCookies, setCookie } from "../http/cookies.js";
import { readBodyLimited } from "../http/request.js";
import type { JmapHttpHandler } from "../jmap/http/handler.js";
import { clientAddress } from "../proxy/peer.js";
import type { AppContext } from "../server/context.js";
import type { Account } from "../store/types.js";
import { type CsrfGuard, sameOriginOrNone } from "./csrf.js";
import { type JsonReply, webmailSecondStep, webmailSecondStepNeeded } from "./login-2fa.js";

export const WEBMAIL_COOKIE = "__Host-yubin_webmail";

/** Longest user name or password accepted (the auth service bounds them again). */
const MAX_FIELD = 1024;

export interface WebmailDeps {
  ctx: AppContext;
  jmap: JmapHttpHandler;
  csrf: CsrfGuard;
  maxLoginBodyBytes: number;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const data = status === 204 ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": data.length,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  res.end(data);
}

export async function webmailApi(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  deps: WebmailDeps,
): Promise<void> {
  const method = req.method ?? "GET";
  if (path === "/webmail/login" || path === "/webmail/login/2fa") {
    if (method !== "POST") return sendJson(res, 405, { error: "method" }, { Allow: "POST" });
    return login(req, res, deps, path === "/webmail/login/2fa" ? "second" : "password");
  }
  if (path === "/webmail/session") {
    if (method !== "GET" && method !== "HEAD")
      return sendJson(res, 405, { error: "method" }, { Allow: "GET" });
    return session(req, res, deps);
  }
  if (path === "/webmail/login/provider") {
    // The OpenID Connect provider the login screen offers (src/oauth/web-login.ts), if any.
    if (method !== "GET" && method !== "HEAD")
      return sendJson(res, 405, { error: "method" }, { Allow: "GET" });
    const { issuer, clientId, providerName } = deps.ctx.config.oauth;
    if (issuer === "" || clientId === "") return sendJson(res, 200, null);
    return sendJson(res, 200, { name: providerName, url: "/login/oidc?to=webmail" });
  }
  if (path === "/webmail/logout") {
    if (method !== "POST") return sendJson(res, 405, { error: "method" }, { Allow: "POST" });
    return logout(req, res, deps);
  }
  sendJson(res, 404, { error: "not-found" });
}

/** step "password": {username, password}; "second": the two-factor step (login-2fa.ts). */
async function login(
  req: IncomingMessage,
  res: ServerResponse,
  deps: WebmailDeps,
  step: "password" | "second",
): Promise<void> {
  // The cookie is Secure: over plain HTTP the browser would drop it, and the password would
  // have crossed the network in clear.
  if (!(req.socket instanceof TLSSocket)) return sendJson(res, 403, { error: "https-required" });
  if (!sameOriginOrNone(req)) return sendJson(res, 403, { error: "csrf" });
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") return sendJson(res, 415, { error: "json-required" });
  const body = await readBodyLimited(req, deps.maxLoginBodyBytes);
  if (body === null) return sendJson(res, 413, { error: "too-large" });
  let input: unknown;
  try {
    input = JSON.parse(body.toString("utf8"));
  } catch {
    return sendJson(res, 400, { error: "bad-request" });
  }
  const o = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const ip = clientAddress(req.socket);
  const { ctx, jmap } = deps;
  const cookies = parseCookies(req.headers.cookie);
  // Registered to the account if the login succeeds: the throttle then knows this browser from
  // any address (src/auth/device.ts).
  const device = parseDeviceToken(cookies.get(DEVICE_COOKIE)) ?? newDeviceToken();
  const deviceMaxAge = ctx.config.auth.throttleKnownClientDays * 86_400;
  const reply = (x: JsonReply) =>
    sendJson(res, x.status, x.body, {
      ...x.headers,
      "Set-Cookie": [...x.cookies, setCookie(DEVICE_COOKIE, device, deviceMaxAge)],
    });
  let account: Account;
  if (step === "second") {
    const second = await webmailSecondStep(ctx, req, { input: o, ip, device });
    if (!second.ok) return reply(second.reply);
    account = second.account;
  } else {
    if (typeof o.username !== "string" || typeof o.password !== "string")
      return sendJson(res, 400, { error: "bad-request" });
    const r = await passwordStep(ctx, { username: o.username, password: o.password, ip, device });
    if (!r.ok) return sendJson(res, r.status, r.body, r.headers);
    // Two-factor login (issue 15): no token until the second step.
    const needed = await webmailSecondStepNeeded(ctx, req, r.account);
    if (needed) return reply(needed);
    account = r.account;
  }
  // A new token at every login (no fixation); the previous one of this browser ends.
  const old = cookies.get(WEBMAIL_COOKIE);
  if (old) await jmap.tokens.revoke(old);
  const token = await jmap.tokens.issue(account, ip);
  ctx.log.info("webmail login", { user: account.address, ip });
  sendJson(
    res,
    200,
    { username: account.address, csrf: deps.csrf.tokenFor(token) },
    {
      "Set-Cookie": [
        setCookie(WEBMAIL_COOKIE, token, ctx.config.jmap.tokenTtlSec),
        setCookie(DEVICE_COOKIE, device, deviceMaxAge),
        clearCookie(PENDING_COOKIE),
      ],
    },
  );
}

async function passwordStep(
  ctx: AppContext,
  o: { username: string; password: string; ip: string; device: string },
): Promise<
  | { ok: true; account: Account }
  | { ok: false; status: number; body: unknown; headers?: Record<string, string> }
> {
  const { ip, device } = o;
  const r = await ctx.auth.authenticate({
    username: o.username.trim().slice(0, MAX_FIELD),
    password: o.password.slice(0, MAX_FIELD),
    ip,
    protocol: "http",
    device,
  });
  if (r.ok) return { ok: true, account: r.account };
  if (r.reason === "throttled") {
    const sec = Math.max(1, Math.ceil((r.retryAfterMs ?? 60_000) / 1000));
    return {
      ok: false,
      status: 429,
      body: { error: "throttled", retryAfterSec: sec },
      headers: { "Retry-After": String(sec) },
    };
  }
  return { ok: false, status: 401, body: { error: r.reason } };
}

async function currentAccount(req: IncomingMessage, deps: WebmailDeps) {
  const token = parseCookies(req.headers.cookie).get(WEBMAIL_COOKIE);
  if (!token) return null;
  return { token, account: await deps.jmap.tokens.account(token, deps.ctx.store.directory) };
}

async function session(req: IncomingMessage, res: ServerResponse, deps: WebmailDeps): Promise<void> {
  const cur = await currentAccount(req, deps);
  if (!cur?.account) {
    const clear: Record<string, string> = cur ? { "Set-Cookie": clearCookie(WEBMAIL_COOKIE) } : {};
    return sendJson(res, 401, { error: "no-session" }, clear);
  }
  sendJson(res, 200, { username: cur.account.address, csrf: deps.csrf.tokenFor(cur.token) });
}

async function logout(req: IncomingMessage, res: ServerResponse, deps: WebmailDeps): Promise<void> {
  const token = parseCookies(req.headers.cookie).get(WEBMAIL_COOKIE);
  if (token && (await deps.jmap.tokens.verify(token)) !== null) {
    if (!sameOriginOrNone(req) || !deps.csrf.verify(req, token)) return sendJson(res, 403, { error: "csrf" });
    await deps.jmap.tokens.revoke(token);
  }
  sendJson(res, 204, null, { "Set-Cookie": clearCookie(WEBMAIL_COOKIE) });
}
