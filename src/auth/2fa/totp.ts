// TOTP (RFC 6238) with the parameters every authenticator app understands: HMAC-SHA-1, 6 digits,
// 30-second steps (RFC 6238 §4, §5.2), a 160-bit secret (RFC 4226 §4 recommends at least 160).
// A code is accepted for the current step and one step either side (§5.2: allow for clock drift
// and typing time); the caller records the step so that each code is used once.
import { Secret, TOTP } from "otpauth";

const PERIOD_SEC = 30;
const DIGITS = 6;
/** Steps either side of now accepted (RFC 6238 §5.2). */
const WINDOW = 1;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = "", issuer = ""): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: "SHA1",
    digits: DIGITS,
    period: PERIOD_SEC,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The otpauth:// URI an authenticator app scans (Key Uri Format). */
export function totpUri(o: { secret: string; account: string; issuer: string }): string {
  return totp(o.secret, o.account, o.issuer).toString();
}

/** The time step `code` belongs to (within ±WINDOW of now), or null. Only 6 ASCII digits are
 *  looked at: spaces a user typed ("123 456") are dropped first. */
export function totpStep(secret: string, code: string, now: number): number | null {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(secret).validate({ token, timestamp: now, window: WINDOW });
  return delta === null ? null : TOTP.counter({ period: PERIOD_SEC, timestamp: now }) + delta;
}

/** The code for `now` (tests, and nothing else: the server never shows a code). */
export function totpCode(secret: string, now: number): string {
  return totp(secret).generate({ timestamp: now });
}
