// The half-logged-in state between the password and the second step (or, when 2FA is required
// and not set up yet, the enrolment): a signed cookie, so it is bound to the browser, needs no
// server memory and works on any node sharing the data directory's key (key.ts). It carries the
// account, the stamp of the password hash it was opened with (a password change meanwhile voids
// it), its purpose, its expiry (auth.twoFactorPendingSec), the page to go to afterwards, and the
// WebAuthn challenge of the page last shown. It grants nothing by itself: the session is made only
// after the second step, and every code tried against it is throttled like a password.
import type { SecondFactorKey } from "./key.js";

export const PENDING_COOKIE = "__Host-yubin_2fa";
/** The passkey registration challenge of the settings page (purpose "register"). */
export const REGISTER_COOKIE = "__Host-yubin_2fa_reg";
/** Longest cookie value read (the payload is ~300 bytes; a longer one is not ours). */
const MAX_COOKIE = 4096;

export interface PendingLogin {
  accountId: number;
  /** credentialStamp() of the password hash the password step checked. */
  stamp: string;
  /** "verify": the account has 2FA; "enroll": it must set it up first (auth.require2fa);
   *  "register": not a login but a logged-in user adding a passkey (REGISTER_COOKIE, the
   *  challenge of the settings page), never accepted by the login's second step. */
  purpose: "verify" | "enroll" | "register";
  /** Milliseconds since the epoch. */
  expiresAt: number;
  next: string;
  /** base64url WebAuthn challenge of the last page shown, if any. */
  challenge?: string;
  /** TOTP secret being enrolled (purpose "enroll"), sealed (key.ts). */
  sealedSecret?: string;
}

export function encodePending(key: SecondFactorKey, p: PendingLogin): string {
  const payload = Buffer.from(JSON.stringify(p)).toString("base64url");
  return `${payload}.${key.sign(payload)}`;
}

/** The pending login in `value` if it is ours, intact and not expired, else null. */
export function decodePending(
  key: SecondFactorKey,
  value: string | undefined,
  now: number,
): PendingLogin | null {
  if (!value || value.length > MAX_COOKIE) return null;
  const dot = value.indexOf(".");
  if (dot <= 0) return null;
  const payload = value.slice(0, dot);
  if (!key.verify(payload, value.slice(dot + 1))) return null;
  let p: unknown;
  try {
    p = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const o = p as Partial<PendingLogin>;
  if (
    typeof o !== "object" ||
    o === null ||
    typeof o.accountId !== "number" ||
    typeof o.stamp !== "string" ||
    (o.purpose !== "verify" && o.purpose !== "enroll" && o.purpose !== "register") ||
    typeof o.expiresAt !== "number" ||
    typeof o.next !== "string" ||
    o.expiresAt <= now
  )
    return null;
  return o as PendingLogin;
}
