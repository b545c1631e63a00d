// CSRF protection of the webmail's state-changing requests (everything but GET/HEAD).
//  - Logged in: the X-Yubin-CSRF header must carry HMAC(key, session token). The page gets it
//    from /webmail/session (JSON, readable only by same-origin script); a cross-site page can
//    neither read it nor add a custom header without a CORS preflight we never answer.
//  - Login (no session yet): the body must be JSON (a cross-site form cannot send
//    application/json without a preflight).
//  - Both: an Origin header, when sent, must be this server's own origin.
// The token is derived, not stored: nothing to keep per session. Bearer tokens survive a restart
// and are shared by every process on the store (jmap/http/tokens.ts), so the derivation must be
// the same in all of them: the HMAC key is a fixed label, not a random per-process key. That is
// enough: the session token is 256 random bits the page never sees (HttpOnly cookie), so its MAC
// cannot be guessed, and the MAC does not give the token back.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { TLSSocket } from "node:tls";

export const CSRF_HEADER = "x-yubin-csrf";

export class CsrfGuard {
  private readonly key: Buffer;

  constructor(key: Buffer = Buffer.from("yubin-webmail-csrf")) {
    this.key = key;
  }

  tokenFor(sessionToken: string): string {
    return createHmac("sha256", this.key).update(sessionToken).digest("base64url");
  }

  /** True when the request carries the token for this session. */
  verify(req: IncomingMessage, sessionToken: string): boolean {
    const got = req.headers[CSRF_HEADER];
    if (typeof got !== "string") return false;
    const a = Buffer.from(got);
    const b = Buffer.from(this.tokenFor(sessionToken));
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** The origin this request was addressed to, as a browser would write it in Origin. */
export function ownOrigin(req: IncomingMessage): string {
  const scheme = req.socket instanceof TLSSocket ? "https" : "http";
  return `${scheme}://${req.headers.host ?? ""}`.toLowerCase();
}

/** False when the request says it comes from another origin (RFC 6454 7). */
export function sameOriginOrNone(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin.toLowerCase() === ownOrigin(req);
}

export const isSafeMethod = (m: string | undefined) => m === "GET" || m === "HEAD";
