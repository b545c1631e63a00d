// CSRF protection for state-changing requests (every POST). Two layers:
//  1. A synchronizer token: each logged-in session has a random token that every form carries
//     in a hidden `_csrf` field; the login form (no session yet) uses a double-submit token, a
//     random value both in a __Host- cookie and in the form.
//  2. Origin check: a browser sends Origin on a cross-site POST; if present it must be our own
//     origin (scheme, host and port of this request).
// SameSite=Strict cookies already stop most cross-site requests; the token does not rely on it.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { HttpRequest } from "./request.js";
import { HttpError } from "./response.js";

export const CSRF_FIELD = "_csrf";
export const LOGIN_CSRF_COOKIE = "__Host-yubin_login";

export function newCsrfToken(): string {
  return randomBytes(32).toString("base64url");
}

export function tokensEqual(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Throws 403 unless the request's Origin (when sent) is this server's. */
export function checkOrigin(req: HttpRequest): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const own = `${req.secure ? "https" : "http"}://${req.headers.host ?? ""}`.toLowerCase();
  if (origin.toLowerCase() !== own) throw new HttpError(403, "Cross-origin request refused.");
}

/** Throws 403 unless the form carries the expected token. */
export function checkCsrf(req: HttpRequest, expected: string): void {
  checkOrigin(req);
  if (!tokensEqual(req.form().get(CSRF_FIELD), expected))
    throw new HttpError(403, "Missing or invalid form token. Reload the page and try again.");
}
