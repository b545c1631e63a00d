// OpenID Connect login for the web pages (OpenID Connect Core 1.0 §3.1, the authorization code
// flow) with PKCE (RFC 7636, S256), state and nonce, through `openid-client`: it does discovery,
// the token request with client_secret_basic and the ID token's checks (signature against the
// provider's keys, iss, aud = our client id, exp, nonce), which are the parts easy to get wrong.
//   GET /login/oidc?next=/path   → 303 to the provider (?to=webmail: for the webmail), the flow's secrets kept server-side under
//                                  a random state, bound to this browser by a cookie;
//   GET /login/oidc/callback     → the code exchanged, the user mapped to an account (the ID
//                                  token's oauth.usernameClaim must be an account address), then
//                                  the same end as a password login: the second step if the
//                                  account has two-factor login (or policy requires it), else
//                                  a new web session.
// Invariants:
//  - The binding cookie is SameSite=Lax (the provider sends the browser back cross-site, where a
//    Strict cookie would not come along); it holds only the random state, never a secret.
//  - A state is used once, expires after oauth.webLoginTimeoutSec, and at most
//    oauth.webLoginPendingMax flows wait at once (the oldest is dropped): no unbounded memory.
//  - The responses that set the session cookie (SameSite=Strict) are pages that move on with a
//    same-site meta refresh: a redirect from a cross-site navigation would not send that cookie
//    on the next request, and the user would look logged out.
import * as oidc from "openid-client";
import { twoFactorRequired } from "../auth/2fa/policy.js";
import { DEVICE_COOKIE, newDeviceToken, parseDeviceToken } from "../auth/device.js";
import { parseAddress } from "../delivery/address.js";
import { findAccount } from "../delivery/lookup.js";
import { html } from "../http/html.js";
import { page } from "../http/layout.js";
import { safeNext } from "../http/login.js";
import { beginSecondStep } from "../http/login-2fa.js";
import { startWebSession } from "../http/login-finish.js";
import { type HttpResponse, htmlResponse, redirect, withCookies } from "../http/response.js";
import type { RequestContext, Router } from "../http/router.js";
import type { Account } from "../store/types.js";
import type { OAuthConfig } from "./tokens.js";

export const OIDC_START_PATH = "/login/oidc";
export const OIDC_CALLBACK_PATH = "/login/oidc/callback";
const BIND_COOKIE = "__Host-yubin_oidc";

interface PendingFlow {
  /** "pages": the account and admin pages' session; "webmail": the webmail's token cookie. */
  target: "pages" | "webmail";
  verifier: string;
  nonce: string;
  next: string;
  redirectUri: string;
  expiresAt: number;
}

/** Whether the web login through the provider is configured (issuer and client id). */
export function oidcLoginEnabled(cfg: OAuthConfig): boolean {
  return cfg.issuer !== "" && cfg.clientId !== "";
}

export interface OidcLoginOptions {
  /** The webmail's end of a login (its token cookie), given by the composition root, which
   *  knows the webmail; without it a flow for the webmail is refused. */
  webmailLogin?: (account: Account, ip: string) => Promise<string[]>;
}

export function registerOidcLoginRoutes(router: Router, opts: OidcLoginOptions = {}): void {
  const flows = new Map<string, PendingFlow>(); // insertion order = age
  let provider: Promise<oidc.Configuration> | null = null;
  const configuration = (cfg: OAuthConfig): Promise<oidc.Configuration> => {
    provider ??= oidc
      .discovery(
        new URL(cfg.issuer),
        cfg.clientId,
        cfg.clientSecret,
        oidc.ClientSecretBasic(cfg.clientSecret),
        {
          timeout: Math.ceil(cfg.jwksTimeoutMs / 1000),
          // http only for a provider on a loopback address (checkOAuthConfig refuses it elsewhere).
          execute: new URL(cfg.issuer).protocol === "http:" ? [oidc.allowInsecureRequests] : [],
        },
      )
      .catch((e: unknown) => {
        provider = null; // tried again at the next login
        throw e;
      });
    return provider;
  };

  router.add({
    method: "GET",
    path: OIDC_START_PATH,
    access: "public",
    handler: async (rc) => {
      const cfg = rc.app.ctx.config.oauth;
      if (!oidcLoginEnabled(cfg)) return failure(rc, "Sign-in with a provider is not configured here.", 404);
      let config: oidc.Configuration;
      try {
        config = await configuration(cfg);
      } catch (e) {
        rc.app.ctx.log.warn("oidc discovery failed", { err: e });
        return failure(rc, "The sign-in provider cannot be reached. Try again later.", 503);
      }
      const now = Date.now();
      for (const [k, f] of flows) if (f.expiresAt <= now) flows.delete(k);
      while (flows.size >= cfg.webLoginPendingMax) {
        const oldest = flows.keys().next().value;
        if (oldest === undefined) break;
        flows.delete(oldest);
      }
      const state = oidc.randomState();
      const flow: PendingFlow = {
        target: rc.req.query.get("to") === "webmail" && opts.webmailLogin ? "webmail" : "pages",
        verifier: oidc.randomPKCECodeVerifier(),
        nonce: oidc.randomNonce(),
        next: safeNext(rc.req.query.get("next") ?? null),
        redirectUri: redirectUriFor(rc, cfg),
        expiresAt: now + cfg.webLoginTimeoutSec * 1000,
      };
      flows.set(state, flow);
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: flow.redirectUri,
        scope: cfg.scopes.join(" "),
        state,
        nonce: flow.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: "S256",
      });
      return withCookies(redirect(url.href), [
        `${BIND_COOKIE}=${state}; Path=/; Max-Age=${cfg.webLoginTimeoutSec}; HttpOnly; Secure; SameSite=Lax`,
      ]);
    },
  });

  router.add({
    method: "GET",
    path: OIDC_CALLBACK_PATH,
    access: "public",
    handler: async (rc) => {
      const { ctx } = rc.app;
      const cfg = ctx.config.oauth;
      if (!oidcLoginEnabled(cfg)) return failure(rc, "Sign-in with a provider is not configured here.", 404);
      const state = rc.req.query.get("state") ?? "";
      const flow = flows.get(state);
      // The state must be this browser's (login CSRF: someone else's code must not log us in).
      if (!flow || rc.req.cookies.get(BIND_COOKIE) !== state || flow.expiresAt <= Date.now()) {
        if (flow) flows.delete(state);
        return failure(rc, "This sign-in has expired or was not started here. Please start again.", 400);
      }
      flows.delete(state);
      const error = rc.req.query.get("error");
      if (error) {
        ctx.log.info("oidc login refused by the provider", { error, ip: rc.req.ip });
        return failure(rc, "The provider did not sign you in.", 401);
      }
      let claims: oidc.IDToken | undefined;
      try {
        const config = await configuration(cfg);
        const current = new URL(flow.redirectUri);
        current.search = new URLSearchParams([...rc.req.query]).toString();
        const tokens = await oidc.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: flow.verifier,
          expectedState: state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (e) {
        ctx.log.warn("oidc login failed", { err: e, ip: rc.req.ip });
        return failure(rc, "The sign-in could not be completed. Please start again.", 401);
      }
      const name = claims?.[cfg.usernameClaim];
      const address = typeof name === "string" ? parseAddress(name) : null;
      const account = address ? await findAccount(ctx.store.directory, address) : null;
      if (!account || account.disabled) {
        ctx.log.warn("oidc login: no usable account", { user: String(name), ip: rc.req.ip });
        return failure(rc, "Your provider account has no mailbox here.", 403);
      }
      ctx.log.info("oidc login", { user: account.address, ip: rc.req.ip, sub: claims?.sub });
      const device = parseDeviceToken(rc.req.cookies.get(DEVICE_COOKIE)) ?? newDeviceToken();
      const unbind = `${BIND_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;
      if (flow.target === "webmail" && opts.webmailLogin) {
        // The webmail's second step lives in its own page and JSON login; a provider login does
        // not reach it, so an account that has (or must have) 2FA uses the password login there.
        if ((await ctx.secondFactors.enabled(account.id)) || (await twoFactorRequired(ctx, account)))
          return failure(
            rc,
            "Your account has two-factor login: sign in to the webmail with your password.",
            403,
          );
        return withCookies(sameSiteHop(redirect("/")), [
          ...(await opts.webmailLogin(account, rc.req.ip)),
          unbind,
        ]);
      }
      // The same end as a password login: a second factor first where the account has one.
      const second = await beginSecondStep(rc, account, { next: flow.next, device });
      if (second) return withCookies(sameSiteHop(second), [unbind]);
      return withCookies(sameSiteHop(redirect(flow.next)), [
        ...(await startWebSession(rc, account, device)),
        unbind,
      ]);
    },
  });
}

/** oauth.redirectUri, or this server's callback on the host the page was loaded from (the
 *  provider accepts only registered URIs, so a forged Host header only breaks its own flow). */
function redirectUriFor(rc: RequestContext, cfg: OAuthConfig): string {
  if (cfg.redirectUri !== "") return cfg.redirectUri;
  const host = rc.req.headers.host ?? rc.app.ctx.config.server.hostname;
  return `https://${host}${OIDC_CALLBACK_PATH}`;
}

/** A redirect turned into a page that moves on by itself (see the invariants above). */
function sameSiteHop(res: HttpResponse): HttpResponse {
  const location = res.headers.Location;
  if (typeof location !== "string") return res;
  const body = html`<!doctype html><meta http-equiv="refresh" content="0;url=${location}">
<title>Signed in</title><p><a href="${location}">Continue</a></p>`;
  const hop = htmlResponse(body, 200);
  const cookies = res.headers["Set-Cookie"];
  return cookies ? { ...hop, headers: { ...hop.headers, "Set-Cookie": cookies } } : hop;
}

function failure(rc: RequestContext, message: string, status: number): HttpResponse {
  const body = html`<h1>Sign in</h1><p><a href="/login">Back to the login page</a></p>`;
  return htmlResponse(
    page({ title: "Sign in", body, error: message, session: rc.session, account: rc.account }),
    status,
  );
}
