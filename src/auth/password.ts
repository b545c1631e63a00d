// Password hashing and verification.
// New hashes: argon2id (RFC 9106) in PHC string form. Parameters follow the OWASP Password
// Storage Cheat Sheet's first argon2id option (m=19 MiB, t=2, p=1): about 30 ms per hash on one
// core (measured on the dev box), so a 2-core server still answers dozens of logins per second,
// while an offline attacker pays 19 MiB of memory per guess.
// Verified besides (passwords imported from Dovecot passwd-files or /etc/shadow):
//   {ARGON2ID} / {ARGON2I} $argon2…$     {BLF-CRYPT} $2y$ / $2a$ / $2b$     (bcrypt)
//   {SHA512-CRYPT} $6$…   {SHA256-CRYPT} $5$…   (glibc SHA-crypt, see sha512-crypt.ts)
// The `{SCHEME}` prefix is optional. Imported hashes are rehashed at the next successful login
// (needsRehash), so they disappear over time.

import { timingSafeEqual } from "node:crypto";
import argon2 from "argon2";
import bcrypt from "bcryptjs";
import { verifyShaCrypt } from "./sha512-crypt.js";

/** argon2id parameters for new hashes (memory in KiB). */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Longest password accepted, when setting one and when verifying (bytes of UTF-8). */
export const MAX_PASSWORD_BYTES = 1024;

/** Costs beyond which a stored hash is refused rather than computed: an imported entry with
 *  absurd parameters must not stall every login (bcrypt cost 31 takes hours; argon2 m=4 GiB
 *  would exhaust memory). Generous compared with any tool's defaults. */
export const VERIFY_LIMITS = {
  bcryptMaxCost: 15,
  argon2MaxMemoryKiB: 262_144,
  argon2MaxTime: 16,
  argon2MaxLanes: 16,
} as const;

export async function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, { type: argon2.argon2id, ...ARGON2_PARAMS });
}

type Scheme = "argon2" | "bcrypt" | "sha-crypt";

/** Strip an optional Dovecot `{SCHEME}` prefix and say which verifier handles the rest. */
function classify(stored: string): { scheme: Scheme; hash: string } | null {
  let hash = stored.trim();
  let declared: string | null = null;
  const m = /^\{([A-Za-z0-9.-]+)\}/.exec(hash);
  if (m?.[1] !== undefined) {
    declared = m[1].toUpperCase();
    hash = hash.slice(m[0].length);
  }
  let scheme: Scheme | null = null;
  if (/^\$argon2i?d?\$/.test(hash)) scheme = "argon2";
  else if (/^\$2[aby]\$\d\d\$/.test(hash)) scheme = "bcrypt";
  else if (/^\$[56]\$/.test(hash)) scheme = "sha-crypt";
  if (!scheme) return null;
  // A declared scheme must agree with the hash's own marker, so a mislabeled entry fails closed.
  if (declared !== null) {
    const ok: Record<Scheme, string[]> = {
      argon2: [
        hash.startsWith("$argon2id$") ? "ARGON2ID" : hash.startsWith("$argon2i$") ? "ARGON2I" : "ARGON2D",
      ],
      bcrypt: ["BLF-CRYPT"],
      "sha-crypt": [hash.startsWith("$6$") ? "SHA512-CRYPT" : "SHA256-CRYPT"],
    };
    if (!ok[scheme].includes(declared)) return null;
  }
  return { scheme, hash };
}

/** True if `stored` is in a scheme verifyPassword understands (an import keeps such hashes as
 *  they are; any other cannot be checked at login). */
export function isVerifiableHash(stored: string): boolean {
  return classify(stored) !== null;
}

/** True if `plain` matches `stored`. Unknown or malformed hashes never match (and never throw). */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  // SHA-crypt costs O(length²) (it hashes the password length times itself): bound it for all.
  if (Buffer.byteLength(plain, "utf8") > MAX_PASSWORD_BYTES) return false;
  const c = classify(stored);
  if (!c) return false;
  try {
    switch (c.scheme) {
      case "argon2":
        if (!argon2WithinLimits(c.hash)) return false;
        // argon2's own verify compares in constant time.
        return await argon2.verify(c.hash, plain);
      case "bcrypt": {
        if (Number(c.hash.slice(4, 6)) > VERIFY_LIMITS.bcryptMaxCost) return false;
        // Recompute with the stored salt and compare ourselves in constant time.
        const again = await bcrypt.hash(plain, c.hash.slice(0, 29));
        return constantTimeEqual(again.slice(4), c.hash.slice(4)); // $2a$/$2b$/$2y$ differ only by name
      }
      case "sha-crypt":
        return verifyShaCrypt(plain, c.hash);
    }
  } catch {
    return false; // malformed parameters inside a recognised scheme
  }
}

function argon2Params(hash: string): Map<string, number> | null {
  const m = /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?([a-z]=\d+(?:,[a-z]=\d+)*)\$/.exec(hash);
  if (!m?.[1]) return null;
  return new Map(m[1].split(",").map((kv) => [kv.slice(0, 1), Number(kv.slice(2))] as const));
}

function argon2WithinLimits(hash: string): boolean {
  const p = argon2Params(hash);
  return (
    p !== null &&
    (p.get("m") ?? Infinity) <= VERIFY_LIMITS.argon2MaxMemoryKiB &&
    (p.get("t") ?? Infinity) <= VERIFY_LIMITS.argon2MaxTime &&
    (p.get("p") ?? Infinity) <= VERIFY_LIMITS.argon2MaxLanes
  );
}

/** True unless `stored` is one of our argon2id hashes with at least our current parameters. */
export function needsRehash(stored: string): boolean {
  // PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash (the npm module writes m,p,t order).
  if (!/^\$argon2id\$v=19\$[a-z=0-9,]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.test(stored)) return true;
  const p = argon2Params(stored);
  return (
    p === null || (p.get("m") ?? 0) < ARGON2_PARAMS.memoryCost || (p.get("t") ?? 0) < ARGON2_PARAMS.timeCost
  );
}

// Most common passwords of at least 8 characters in public breach corpora; shorter ones are
// already refused for their length. Compared case-insensitively.
const common = new Set([
  "password",
  "password1",
  "password123",
  "passw0rd",
  "p@ssw0rd",
  "12345678",
  "123456789",
  "1234567890",
  "87654321",
  "11111111",
  "00000000",
  "qwertyuiop",
  "qwerty123",
  "1q2w3e4r",
  "1qaz2wsx",
  "iloveyou",
  "sunshine",
  "princess",
  "football",
  "baseball",
  "welcome1",
  "letmein1",
  "trustno1",
  "superman",
  "starwars",
  "whatever",
  "changeme",
  "administrator",
  "qwertyui",
  "asdfghjk",
  "zaq12wsx",
  "abcd1234",
  "abcdefgh",
  "mailserver",
  "yubin123",
]);

/** Why `plain` is too weak to be set as a password, or null if it is acceptable. */
export function passwordStrengthError(plain: string): string | null {
  if (plain.length === 0) return "the password is empty";
  const chars = [...plain];
  if (chars.length < 8) return "the password is shorter than 8 characters";
  if (Buffer.byteLength(plain, "utf8") > MAX_PASSWORD_BYTES)
    return `the password is longer than ${MAX_PASSWORD_BYTES} bytes`;
  if (chars.every((ch) => ch === chars[0])) return "the password repeats a single character";
  if (common.has(plain.toLowerCase())) return "the password is one of the most common passwords";
  if (isRun(chars)) return "the password is a simple sequence of characters";
  return null;
}

// "abcdefgh", "98765432": every character one code point above (or below) the previous one.
function isRun(chars: string[]): boolean {
  const codes = chars.map((c) => c.codePointAt(0) ?? 0);
  const step = (codes[1] ?? 0) - (codes[0] ?? 0);
  if (step !== 1 && step !== -1) return false;
  return codes.every((c, i) => i === 0 || c - (codes[i - 1] ?? 0) === step);
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
