// App passwords (issue 15): per-device passwords an account holder makes for one program (a
// phone's mail app, a backup script), each limited to some protocols, shown once, revocable
// without touching the account password. Invariants:
//  - The secret is 16 letters a–z from the CSPRNG (26^16 ≈ 2^75), shown as four groups of four.
//    A login accepts it with or without the spaces or dashes, in any case.
//  - Only a keyed hash is stored: HMAC-SHA-256 under a 256-bit server key kept in the data
//    directory (app-passwords.key, 0600), not in the database. A slow hash (argon2id, scrypt)
//    protects guessable human passwords; a 75-bit random secret cannot be guessed offline even
//    with the key (2^75 HMACs), and a slow hash would cost every IMAP/POP3 login of a phone tens
//    of milliseconds of CPU. The key makes a stolen database alone useless even for that.
//  - An app password opens only the protocols in its scopes; it never opens the webmail or admin
//    web login (protocol "http"), which stay with the account password.
//  - Hashes are compared in constant time, over the account's few candidates.
import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { loadKeyFile } from "../server/key-file.js";
import type { AppPassword, AppPasswordScope, AppPasswordStore } from "../store/types.js";
import type { LoginAttempt } from "./types.js";

/** File in the data directory holding the HMAC key (32 random bytes, base64). */
export const APP_PASSWORD_KEY_FILE = "app-passwords.key";
/** Letters in a secret; 16 from 26 ≈ 75 bits. */
const SECRET_LETTERS = 16;
/** Last use is written when the IP changes or this long after the previous write, not at every
 *  login: a phone polling every minute must not cost a durable write each time. */
const TOUCH_INTERVAL_MS = 60_000;
const HASH_PREFIX = "hmac-sha256:";
// The key (server/key-file.ts) has 256 bits, the length of HMAC-SHA-256's output (RFC 2104 §3
// discourages shorter keys).

/** Which scope each login protocol needs; "http" (webmail and admin login) has none. */
const SCOPE_OF: Record<LoginAttempt["protocol"], AppPasswordScope | null> = {
  imap: "imap",
  pop3: "pop3",
  smtp: "smtp",
  jmap: "jmap",
  managesieve: "managesieve",
  http: null,
};

/** A fresh secret as shown to the user: "abcd efgh ijkl mnop". */
export function generateSecret(): string {
  let s = "";
  for (let i = 0; i < SECRET_LETTERS; i++) {
    if (i > 0 && i % 4 === 0) s += " ";
    s += String.fromCharCode(0x61 + randomInt(26));
  }
  return s;
}

/** The secret in its hashed form (16 lower-case letters) if `password` can be one, else null.
 *  Spaces and dashes are dropped, so it may be typed as shown; one pass over at most 64 chars. */
export function normalizeSecret(password: string): string | null {
  if (password.length < SECRET_LETTERS || password.length > 64) return null;
  let out = "";
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    if (c === 0x20 || c === 0x2d) continue; // space, "-"
    const lower = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
    if (lower < 0x61 || lower > 0x7a) return null;
    out += String.fromCharCode(lower);
  }
  return out.length === SECRET_LETTERS ? out : null;
}

/** The data directory's key (server/key-file.ts: made on first use, never replaced). */
function loadKey(dataDir: string): Promise<Buffer> {
  return loadKeyFile(dataDir, APP_PASSWORD_KEY_FILE);
}

export interface AppPasswordsOptions {
  store: AppPasswordStore;
  /** The data directory holding the key file. */
  dataDir: string;
  /** auth.appPasswordsMax: most app passwords per account. */
  maxPerAccount: number;
  now?: () => number;
}

export interface CreatedAppPassword {
  appPassword: AppPassword;
  /** The secret as shown to the user, once: it is not stored anywhere. */
  secret: string;
}

/** Making and checking app passwords; listing and revoking are the store's own calls. */
export class AppPasswords {
  private key: Promise<Buffer> | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: AppPasswordsOptions) {
    this.now = opts.now ?? Date.now;
  }

  private async hash(normalized: string): Promise<string> {
    // A failed read is tried again at the next use rather than remembered.
    this.key ??= loadKey(this.opts.dataDir).catch((e: unknown) => {
      this.key = null;
      throw e;
    });
    const mac = createHmac("sha256", await this.key)
      .update(normalized)
      .digest("base64url");
    return HASH_PREFIX + mac;
  }

  /** Makes one; StoreError as AppPasswordStore.create says. */
  async create(
    accountId: number,
    p: { name: string; scopes: AppPasswordScope[] },
  ): Promise<CreatedAppPassword> {
    const secret = generateSecret();
    const normalized = normalizeSecret(secret);
    if (normalized === null) throw new Error("generated app password is malformed");
    const appPassword = await this.opts.store.create({
      accountId,
      name: p.name,
      scopes: p.scopes,
      hash: await this.hash(normalized),
      createdAt: new Date(this.now()),
      maxPerAccount: this.opts.maxPerAccount,
    });
    return { appPassword, secret };
  }

  /**
   * The account's app password that `password` is, if it is one whose scopes allow `protocol`;
   * its last use is recorded. Null otherwise (the caller then checks the account password), and
   * at once, without a store read, for a password that cannot be an app password.
   */
  async check(a: { accountId: number; password: string; protocol: LoginAttempt["protocol"]; ip: string }) {
    const scope = SCOPE_OF[a.protocol];
    const normalized = scope === null ? null : normalizeSecret(a.password);
    if (scope === null || normalized === null) return null;
    const candidates = await this.opts.store.candidates(a.accountId);
    if (candidates.length === 0) return null;
    const want = Buffer.from(await this.hash(normalized));
    let found: (typeof candidates)[number] | null = null;
    for (const c of candidates) {
      const have = Buffer.from(c.hash);
      if (have.length === want.length && timingSafeEqual(have, want)) found = c;
    }
    if (!found?.scopes.includes(scope)) return null;
    const { hash: _hash, ...appPassword } = found;
    const t = this.now();
    const last = found.lastUsedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
    if (found.lastUsedIp !== a.ip || t - last >= TOUCH_INTERVAL_MS) {
      const at = new Date(t);
      await this.opts.store.touch(a.accountId, found.id, { at, ip: a.ip });
      appPassword.lastUsedAt = at;
      appPassword.lastUsedIp = a.ip;
    }
    return appPassword satisfies AppPassword;
  }
}
