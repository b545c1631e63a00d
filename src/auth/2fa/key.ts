// The server key of two-factor login: 32 random bytes in the data directory (second-factor.key,
// 0600), never in the database, from which three subkeys are derived (HMAC-SHA-256 with a label):
//  - "seal": AES-256-GCM for TOTP secrets at rest. A TOTP secret must be readable to check a
//    code, so it cannot be hashed; sealed, a stolen database (or backup) alone gives no codes.
//  - "recovery": HMAC of recovery codes. They are random (50 bits, recovery.ts), so a fast keyed
//    hash is enough, as for app passwords (app-passwords.ts): no slow hash needed.
//  - "pending": HMAC signing the half-logged-in cookie (pending.ts), so it is stateless and any
//    node sharing the data directory can finish the login.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { loadKeyFile } from "../../server/key-file.js";

export const SECOND_FACTOR_KEY_FILE = "second-factor.key";
const SEALED_PREFIX = "v1.";

export class SecondFactorKey {
  private readonly sealKey: Buffer;
  private readonly recoveryKey: Buffer;
  private readonly pendingKey: Buffer;

  constructor(master: Buffer) {
    if (master.length !== 32) throw new Error("second-factor key must be 32 bytes");
    const sub = (label: string) => createHmac("sha256", master).update(label).digest();
    this.sealKey = sub("seal");
    this.recoveryKey = sub("recovery");
    this.pendingKey = sub("pending");
  }

  /** AES-256-GCM: "v1." + base64url(iv ‖ tag ‖ ciphertext). */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.sealKey, iv);
    const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString("base64url");
  }

  /** The plaintext, or null for anything not sealed by this key (tampered, other key). */
  open(sealed: string): string | null {
    if (!sealed.startsWith(SEALED_PREFIX)) return null;
    const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), "base64url");
    if (raw.length < 29) return null;
    try {
      const d = createDecipheriv("aes-256-gcm", this.sealKey, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
    } catch {
      return null;
    }
  }

  recoveryHash(code: string): string {
    return `hmac-sha256:${createHmac("sha256", this.recoveryKey).update(code).digest("base64url")}`;
  }

  sign(payload: string): string {
    return createHmac("sha256", this.pendingKey).update(payload).digest("base64url");
  }

  verify(payload: string, mac: string): boolean {
    const want = Buffer.from(this.sign(payload));
    const got = Buffer.from(mac);
    return want.length === got.length && timingSafeEqual(want, got);
  }
}

/** The data directory's key (server/key-file.ts: made on first use, never replaced). */
export async function loadSecondFactorKey(dataDir: string): Promise<SecondFactorKey> {
  return new SecondFactorKey(await loadKeyFile(dataDir, SECOND_FACTOR_KEY_FILE));
}
