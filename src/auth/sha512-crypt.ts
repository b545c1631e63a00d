// SHA-crypt ($6$ SHA-512, $5$ SHA-256): the glibc crypt(3) schemes that Dovecot calls
// SHA512-CRYPT / SHA256-CRYPT and most Linux /etc/shadow files use. Written from Ulrich
// Drepper's public specification "Unix crypt using SHA-256 and SHA-512" (2007/2008).
// We only *verify* these (imported passwords); new passwords are hashed with argon2id and
// these are rehashed at the next successful login (see password.ts, needsRehash).

import { createHash, timingSafeEqual } from "node:crypto";

type Algo = "sha512" | "sha256";

const ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000; // spec: smaller values are raised to this
const ROUNDS_MAX = 999_999_999; // spec: larger values are lowered to this
const SALT_MAX = 16; // spec: only the first 16 salt characters are used

/** Largest round count we are willing to compute when verifying (a stored hash with more would
 *  block the event loop for seconds per login; glibc's default is 5000, Dovecot's too). */
export const SHA_CRYPT_MAX_VERIFY_ROUNDS = 2_000_000;

const alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// The spec's final step emits the digest bytes in this permuted order, 3 bytes -> 4 characters
// (least significant 6 bits first); the leftover byte(s) at the end give 2 or 3 characters.
const order512: ReadonlyArray<readonly number[]> = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
  [63], // 2 characters
];

const order256: ReadonlyArray<readonly number[]> = [
  [0, 10, 20],
  [21, 1, 11],
  [12, 22, 2],
  [3, 13, 23],
  [24, 4, 14],
  [15, 25, 5],
  [6, 16, 26],
  [27, 7, 17],
  [18, 28, 8],
  [9, 19, 29],
  [-1, 31, 30], // -1 = a zero byte; 3 characters
];

export interface ShaCryptParts {
  algo: Algo;
  rounds: number; // after clamping to [1000, 999999999]
  roundsExplicit: boolean; // "rounds=N$" present: it is echoed in the output
  salt: string; // at most 16 characters
  hash: string | null; // the encoded digest, when parsing a stored hash
}

/** Split `$6$[rounds=N$]salt[$hash]` (or `$5$…`). Returns null when it is not SHA-crypt. */
export function parseShaCrypt(s: string): ShaCryptParts | null {
  let algo: Algo;
  if (s.startsWith("$6$")) algo = "sha512";
  else if (s.startsWith("$5$")) algo = "sha256";
  else return null;
  let rest = s.slice(3);
  let rounds = ROUNDS_DEFAULT;
  let roundsExplicit = false;
  const m = /^rounds=(\d{1,10})\$/.exec(rest);
  if (m?.[1] !== undefined) {
    rounds = Math.min(Math.max(Number(m[1]), ROUNDS_MIN), ROUNDS_MAX);
    roundsExplicit = true;
    rest = rest.slice(m[0].length);
  }
  const dollar = rest.indexOf("$");
  const rawSalt = dollar < 0 ? rest : rest.slice(0, dollar);
  const hash = dollar < 0 ? null : rest.slice(dollar + 1);
  return { algo, rounds, roundsExplicit, salt: rawSalt.slice(0, SALT_MAX), hash };
}

/** crypt(3) for $5$/$6$ settings: returns the full `$6$[rounds=N$]salt$digest` string. */
export function shaCrypt(password: string | Buffer, setting: string): string {
  const p = parseShaCrypt(setting);
  if (!p) throw new Error("not a SHA-crypt setting ($5$ or $6$)");
  const key = typeof password === "string" ? Buffer.from(password, "utf8") : password;
  const digest = shaCryptDigest(p.algo, key, Buffer.from(p.salt, "utf8"), p.rounds);
  const id = p.algo === "sha512" ? "$6$" : "$5$";
  return `${id}${p.roundsExplicit ? `rounds=${p.rounds}$` : ""}${p.salt}$${encode(p.algo, digest)}`;
}

/** Constant-time check of a password against a stored `$6$…` / `$5$…` hash. */
export function verifyShaCrypt(password: string, stored: string): boolean {
  const p = parseShaCrypt(stored);
  if (!p || p.hash === null || p.rounds > SHA_CRYPT_MAX_VERIFY_ROUNDS) return false;
  const expectedLen = p.algo === "sha512" ? 86 : 43;
  if (p.hash.length !== expectedLen) return false;
  const digest = shaCryptDigest(p.algo, Buffer.from(password, "utf8"), Buffer.from(p.salt, "utf8"), p.rounds);
  const got = Buffer.from(encode(p.algo, digest), "ascii");
  const want = Buffer.from(p.hash, "utf8");
  return got.length === want.length && timingSafeEqual(got, want);
}

// The algorithm, step numbers as in the specification.
function shaCryptDigest(algo: Algo, key: Buffer, salt: Buffer, rounds: number): Buffer {
  const size = algo === "sha512" ? 64 : 32;
  const h = () => createHash(algo);

  // Steps 4-8: digest B = H(key salt key).
  const b = h().update(key).update(salt).update(key).digest();

  // Steps 1-3, 9-12: digest A = H(key salt B-repeated-to-len(key) bitwise-key-length-mix).
  const a = h().update(key).update(salt);
  let n = key.length;
  for (; n > size; n -= size) a.update(b);
  a.update(b.subarray(0, n));
  for (let len = key.length; len > 0; len >>= 1) a.update(len & 1 ? b : key);
  const digestA = a.digest();

  // Steps 13-16: P sequence from DP = H(key repeated len(key) times).
  const dp = h();
  for (let i = 0; i < key.length; i++) dp.update(key);
  const p = repeatTo(dp.digest(), key.length);

  // Steps 17-20: S sequence from DS = H(salt repeated 16 + A[0] times).
  const ds = h();
  const times = 16 + (digestA[0] ?? 0);
  for (let i = 0; i < times; i++) ds.update(salt);
  const s = repeatTo(ds.digest(), salt.length);

  // Step 21: the rounds.
  let c = digestA;
  for (let i = 0; i < rounds; i++) {
    const x = h();
    x.update(i & 1 ? p : c);
    if (i % 3 !== 0) x.update(s);
    if (i % 7 !== 0) x.update(p);
    x.update(i & 1 ? c : p);
    c = x.digest();
  }
  return c;
}

function repeatTo(block: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let off = 0; off < len; off += block.length)
    block.copy(out, off, 0, Math.min(block.length, len - off));
  return out;
}

// Step 22: the crypt base-64 variant, in the permuted byte order above.
function encode(algo: Algo, d: Buffer): string {
  let out = "";
  for (const group of algo === "sha512" ? order512 : order256) {
    const bytes = group.map((i) => (i < 0 ? 0 : (d[i] ?? 0)));
    let w = 0;
    for (const byte of bytes) w = (w << 8) | byte;
    // 1 byte -> 2 characters, 3 bytes -> 4 characters.
    const chars = bytes.length === 1 ? 2 : 4;
    const count = group[0] === -1 ? 3 : chars;
    for (let k = 0; k < count; k++) {
      out += alphabet[w & 0x3f];
      w >>>= 6;
    }
  }
  return out;
}
