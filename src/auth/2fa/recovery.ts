// Recovery codes: ten one-time codes shown once when two-factor login is set up (or regenerated),
// for a lost phone or passkey. Each is 10 characters of an unambiguous base32 alphabet (no 0/O,
// 1/I/L), 50 bits from the CSPRNG, shown as "xxxxx-xxxxx"; typed in any case, with or without the
// dash or spaces. Stored as keyed hashes (key.ts), each usable once (the store marks it).
import { randomInt } from "node:crypto";

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // 31 letters and digits, none look alike
const LENGTH = 10;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let s = "";
    for (let i = 0; i < LENGTH; i++) s += ALPHABET[randomInt(ALPHABET.length)];
    return `${s.slice(0, 5)}-${s.slice(5)}`;
  });
}

/** The code in its hashed form (10 characters, lower case, no separators), or null if `input`
 *  cannot be one. One pass over at most 32 characters. */
export function normalizeRecoveryCode(input: string): string | null {
  if (input.length > 32) return null;
  let out = "";
  for (const ch of input.toLowerCase()) {
    if (ch === "-" || ch === " ") continue;
    if (!ALPHABET.includes(ch)) return null;
    out += ch;
  }
  return out.length === LENGTH ? out : null;
}
