// Checking an OAuth 2.0 access token from the configured OpenID Connect provider: a JWT (RFC 9068)
// signed with one of the provider's keys (JWKS), from its issuer, for our audience, within its
// lifetime (exp/nbf/iat, RFC 7519 §4.1, with config.clockSkewSec of slack). Opaque tokens (which
// would need the provider's introspection endpoint, RFC 7662) are not accepted.
// Invariants:
//  - Only RS256 and ES256: never "none", never an HMAC algorithm (whose "key" would be public).
//  - The keys are fetched with a timeout and cached (jwksCacheSec); a token signed with a key id
//    not in the cache refetches them, at most every jwksCooldownSec (jose's createRemoteJWKSet),
//    so made-up key ids cannot turn logins into a flood of requests to the provider.
//  - A provider that cannot be reached is a temporary failure, not the client's fault.
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { BearerVerifier } from "../auth/types.js";
import type { Config } from "../config/schema.js";
import { discover } from "./discovery.js";

export type OAuthConfig = Config["oauth"];

const ALGORITHMS = ["RS256", "ES256"];

export type TokenVerdict = Awaited<ReturnType<BearerVerifier["verify"]>>;

/** The verifier for config.oauth, or null when OAuth is off (issuer empty). */
export function createTokenVerifier(cfg: OAuthConfig): TokenVerifier | null {
  return cfg.issuer === "" ? null : new TokenVerifier(cfg);
}

export class TokenVerifier implements BearerVerifier {
  private keys: Promise<JWTVerifyGetKey> | null = null;
  private keysFailedAt = 0;

  constructor(private readonly cfg: OAuthConfig) {
    checkOAuthConfig(cfg);
  }

  async verify(token: string): Promise<TokenVerdict> {
    if (token.length > this.cfg.maxTokenBytes)
      return { ok: false, reason: "token too long", temporary: false };
    // A JWS compact serialization: three base64url parts (RFC 7515 §7.1).
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return { ok: false, reason: "not a JWT", temporary: false };
    let getKey: JWTVerifyGetKey;
    try {
      getKey = await this.jwks();
    } catch (e) {
      return { ok: false, reason: `provider keys unavailable: ${errorText(e)}`, temporary: true };
    }
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: this.cfg.issuer,
        audience: this.cfg.audience,
        algorithms: ALGORITHMS,
        clockTolerance: this.cfg.clockSkewSec,
        requiredClaims: ["exp"],
      });
      const claim = payload[this.cfg.usernameClaim];
      if (typeof claim !== "string" || claim === "")
        return { ok: false, reason: `token has no ${this.cfg.usernameClaim} claim`, temporary: false };
      return { ok: true, username: claim };
    } catch (e) {
      return classify(e);
    }
  }

  /** The key set, made once (after discovery when no jwksUri is configured). A failed discovery is
   *  retried at the next login, but not before jwksCooldownSec has passed. */
  private jwks(): Promise<JWTVerifyGetKey> {
    if (this.keys) return this.keys;
    if (Date.now() - this.keysFailedAt < this.cfg.jwksCooldownSec * 1000)
      return Promise.reject(new Error("discovery failed recently"));
    const made = (async () => {
      const uri =
        this.cfg.jwksUri !== ""
          ? this.cfg.jwksUri
          : (await discover(this.cfg.issuer, this.cfg.jwksTimeoutMs)).jwks_uri;
      return createRemoteJWKSet(new URL(uri), {
        timeoutDuration: this.cfg.jwksTimeoutMs,
        cooldownDuration: this.cfg.jwksCooldownSec * 1000,
        cacheMaxAge: this.cfg.jwksCacheSec * 1000,
      });
    })();
    this.keys = made;
    made.catch(() => {
      this.keys = null;
      this.keysFailedAt = Date.now();
    });
    return made;
  }
}

/** The checks the config loader cannot make on one key alone; throws naming the key. */
export function checkOAuthConfig(cfg: OAuthConfig): void {
  if (cfg.issuer === "") return;
  let u: URL;
  try {
    u = new URL(cfg.issuer);
  } catch {
    throw new Error("oauth.issuer must be a URL");
  }
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback))
    throw new Error("oauth.issuer must be an https URL (http only on a loopback address)");
  if (cfg.audience === "") throw new Error("oauth.audience must be set when oauth.issuer is");
  for (const key of ["jwksUri", "redirectUri"] as const) {
    if (cfg[key] === "") continue;
    try {
      new URL(cfg[key]);
    } catch {
      throw new Error(`oauth.${key} must be a URL`);
    }
  }
}

function classify(e: unknown): TokenVerdict {
  if (e instanceof errors.JWTExpired) return { ok: false, reason: "token expired", temporary: false };
  if (e instanceof errors.JWTClaimValidationFailed)
    return { ok: false, reason: `claim ${e.claim} invalid: ${e.reason}`, temporary: false };
  if (e instanceof errors.JWKSTimeout)
    return { ok: false, reason: "provider keys timed out", temporary: true };
  // jose's generic error is what a failed JWKS response raises (not 200, not JSON).
  if (e instanceof errors.JOSEError && e.code !== "ERR_JOSE_GENERIC")
    return { ok: false, reason: e.code, temporary: false };
  // Anything else came from fetching the keys (network, HTTP status, bad JSON).
  return { ok: false, reason: `provider keys unavailable: ${errorText(e)}`, temporary: true };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
