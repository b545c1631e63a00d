// The webmail login's second step (issue 15), the JSON twin of src/http/login-2fa.ts:
//   POST /webmail/login with a right password, for an account with two-factor login →
//     401 {error: "second-factor", passkey: <WebAuthn request options> | null} and the signed
//     pending cookie (auth/2fa/pending.ts); no token yet.
//   POST /webmail/login/2fa {code} or {credential: <PublicKeyCredential JSON>} → the login's
//     200 {username, csrf} and the webmail cookie; 401 {error: "invalid"} for a wrong or used
//     code or a refused passkey (counted by the throttle), 429 throttled, 401 {error:
//     "expired"} without a valid pending cookie.
//   An account that must have 2FA (auth.require2fa) and has none gets 403 {error:
//     "two-factor-setup", location: "/login"}: it is set up on the server's login pages.
import type { IncomingMessage } from "node:http";
import { decodePending, encodePending, PENDING_COOKIE, type PendingLogin } from "../auth/2fa/pending.js";
import { twoFactorRequired } from "../auth/2fa/policy.js";
import { authenticationOptions, verifyAuthentication } from "../auth/2fa/webauthn.js";
import { credentialStamp } from "../auth/credential.js";
import { clearCookie, parseCookies, setCookie } from "../http/cookies.js";
import { relyingPartyFor } from "../http/relying-party.js";
import type { AppContext } from "../server/context.js";
import type { Account } from "../store/types.js";

export interface JsonReply {
  status: number;
  body: unknown;
  cookies: string[];
  headers?: Record<string, string>;
}

const MAX_CODE = 64;

const rpOf = (ctx: AppContext, req: IncomingMessage) =>
  relyingPartyFor(ctx.config.auth.webauthnRpId, req.headers.host ?? "");

/** After a right password: the reply that asks for the second step, or null when none is needed. */
export async function webmailSecondStepNeeded(
  ctx: AppContext,
  req: IncomingMessage,
  account: Account,
): Promise<JsonReply | null> {
  const enabled = await ctx.secondFactors.enabled(account.id);
  if (!enabled) {
    if (!(await twoFactorRequired(ctx, account))) return null;
    return { status: 403, body: { error: "two-factor-setup", location: "/login" }, cookies: [] };
  }
  const creds = await ctx.store.secondFactors.credentials(account.id);
  const options =
    creds.length > 0 ? await authenticationOptions({ rp: rpOf(ctx, req), credentials: creds }) : null;
  const pending: PendingLogin = {
    accountId: account.id,
    stamp: credentialStamp(account.passwordHash),
    purpose: "verify",
    expiresAt: Date.now() + ctx.config.auth.twoFactorPendingSec * 1000,
    next: "/",
    ...(options ? { challenge: options.challenge } : {}),
  };
  const key = await ctx.secondFactors.keys();
  return {
    status: 401,
    body: { error: "second-factor", passkey: options },
    cookies: [setCookie(PENDING_COOKIE, encodePending(key, pending), ctx.config.auth.twoFactorPendingSec)],
  };
}

/** Checks the second step; the account whose login may now finish, or the reply to send. */
export async function webmailSecondStep(
  ctx: AppContext,
  req: IncomingMessage,
  o: { input: Record<string, unknown>; ip: string; device: string },
): Promise<{ ok: true; account: Account } | { ok: false; reply: JsonReply }> {
  const key = await ctx.secondFactors.keys();
  const pending = decodePending(key, parseCookies(req.headers.cookie).get(PENDING_COOKIE), Date.now());
  const account =
    pending?.purpose === "verify" ? await ctx.store.directory.getAccount(pending.accountId) : null;
  if (!pending || !account || account.disabled || credentialStamp(account.passwordHash) !== pending.stamp)
    return {
      ok: false,
      reply: { status: 401, body: { error: "expired" }, cookies: [clearCookie(PENDING_COOKIE)] },
    };
  const { input } = o;
  const code = typeof input.code === "string" ? input.code.slice(0, MAX_CODE) : null;
  const credential =
    typeof input.credential === "object" && input.credential !== null ? input.credential : null;
  const check = async (): Promise<boolean> => {
    if (code !== null) return (await ctx.secondFactors.useCode(account.id, code)) !== null;
    if (credential === null || !pending.challenge) return false;
    const response = credential as Parameters<typeof verifyAuthentication>[0]["response"];
    if (typeof response.id !== "string") return false;
    const stored = await ctx.store.secondFactors.credential(response.id);
    if (!stored || stored.accountId !== account.id) return false;
    const counter = await verifyAuthentication({
      rp: rpOf(ctx, req),
      challenge: pending.challenge,
      response,
      credential: stored,
    });
    if (counter === null) return false;
    await ctx.store.secondFactors.useCredential(stored.id, { counter, at: new Date() });
    return true;
  };
  const r = await ctx.auth.verifySecondStep({ accountId: account.id, ip: o.ip, device: o.device, check });
  if (r.ok) return { ok: true, account };
  if (r.reason === "throttled") {
    const sec = Math.max(1, Math.ceil((r.retryAfterMs ?? 60_000) / 1000));
    return {
      ok: false,
      reply: {
        status: 429,
        body: { error: "throttled", retryAfterSec: sec },
        cookies: [],
        headers: { "Retry-After": String(sec) },
      },
    };
  }
  return { ok: false, reply: { status: 401, body: { error: "invalid" }, cookies: [] } };
}
