// Device tokens for the web login (issue 15): a browser that logged in to an account gets a
// long-lived cookie holding a random token; the login throttle (throttle.ts) treats a later
// login showing that token as a known client, wherever the browser is now (a laptop that moved
// from the office to a café is still known). The token is registered per account in the
// CounterStore under its SHA-256, not signed with a server key: there is no key to share between
// nodes or to keep across restarts, and a forged or stolen-then-expired token names nothing.
// The token only spares the client the throttle; it never stands in for the password.
import { createHash, randomBytes } from "node:crypto";

export const DEVICE_COOKIE = "__Host-yubin_device";

// 24 random bytes in base64url: 32 characters.
const TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;

export function newDeviceToken(): string {
  return randomBytes(24).toString("base64url");
}

/** The token if it has the shape of one we issue, else undefined (junk cookies are ignored). */
export function parseDeviceToken(value: string | undefined): string | undefined {
  return value !== undefined && TOKEN_RE.test(value) ? value : undefined;
}

/** The counter key that marks `token` as a known device of `account` (a canonical key). */
export function deviceKey(token: string, account: string): string {
  const h = createHash("sha256").update(token).digest("base64url").slice(0, 32);
  return `login-known:device:${h}|${account.toLowerCase().slice(0, 320)}`;
}
