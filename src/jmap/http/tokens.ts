// Bearer tokens (RFC 6750) issued at login for the webmail and API clients: random 256-bit
// strings kept in memory. A restart logs clients out; they log in again. Invariants:
//  - The map is keyed by the token's SHA-256, so a heap dump holds no usable token.
//  - A token ends ttlMs after login, idleMs after its last use, or when the account's stored
//    password hash changes (credential.ts): `account()` compares the stamp taken at login with
//    the account row it reads, so a reset made by the admin page or by `yubin user passwd` in
//    another process ends every older token at its next use.
//  - Bounded memory: expired tokens are swept when tokens are issued (the only way the map
//    grows), at most once per sweep interval, and beyond maxTokens the least recently used goes.
import { createHash, randomBytes } from "node:crypto";
import { credentialStamp } from "../../auth/credential.js";
import type { Account, DirectoryStore } from "../../store/types.js";

export interface TokenOptions {
  ttlMs: number;
  idleMs: number;
  maxTokens: number;
  now?: () => number;
}

interface TokenEntry {
  accountId: number;
  stamp: string;
  createdAt: number;
  lastUsedAt: number;
}

// Longest string looked up as a token (ours are 43 characters).
const MAX_TOKEN_LENGTH = 128;

const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

export class TokenStore {
  // Map keeps insertion order; a used token is re-inserted, so the first key is the least recent.
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly now: () => number;
  private lastSweep: number;

  constructor(private readonly opts: TokenOptions) {
    this.now = opts.now ?? Date.now;
    this.lastSweep = this.now();
  }

  issue(account: Pick<Account, "id" | "passwordHash">): string {
    const t = this.now();
    if (t - this.lastSweep >= Math.min(this.opts.idleMs, 60_000)) this.sweep();
    while (this.tokens.size >= this.opts.maxTokens) {
      const oldest = this.tokens.keys().next();
      if (oldest.done) break;
      this.tokens.delete(oldest.value);
    }
    const token = randomBytes(32).toString("base64url");
    this.tokens.set(hashToken(token), {
      accountId: account.id,
      stamp: credentialStamp(account.passwordHash),
      createdAt: t,
      lastUsedAt: t,
    });
    return token;
  }

  /** The live token's account id and credential stamp, its idle clock restarted; null if unknown
   *  or expired. Does not look at the account: use `account()` to authorize a request. */
  verify(token: string): { accountId: number; stamp: string } | null {
    if (!token || token.length > MAX_TOKEN_LENGTH) return null;
    const key = hashToken(token);
    const e = this.tokens.get(key);
    if (!e) return null;
    const t = this.now();
    if (this.expired(e, t)) {
      this.tokens.delete(key);
      return null;
    }
    e.lastUsedAt = t;
    this.tokens.delete(key);
    this.tokens.set(key, e);
    return { accountId: e.accountId, stamp: e.stamp };
  }

  /** The account a token acts for: live token, account present and enabled, and its password
   *  unchanged since the token was issued. A token that fails the last two is revoked. */
  async account(token: string, directory: DirectoryStore): Promise<Account | null> {
    const v = this.verify(token);
    if (!v) return null;
    const a = await directory.getAccount(v.accountId);
    if (!a || a.disabled || credentialStamp(a.passwordHash) !== v.stamp) {
      this.revoke(token);
      return null;
    }
    return a;
  }

  revoke(token: string): void {
    if (token.length <= MAX_TOKEN_LENGTH) this.tokens.delete(hashToken(token));
  }

  /** End every token of an account (password reset in this process: frees them at once). */
  revokeAccount(accountId: number): number {
    let n = 0;
    for (const [k, e] of this.tokens)
      if (e.accountId === accountId) {
        this.tokens.delete(k);
        n++;
      }
    return n;
  }

  /** Drop expired tokens; returns how many. */
  sweep(): number {
    const t = this.now();
    this.lastSweep = t;
    let n = 0;
    for (const [k, e] of this.tokens)
      if (this.expired(e, t)) {
        this.tokens.delete(k);
        n++;
      }
    return n;
  }

  size(): number {
    return this.tokens.size;
  }

  private expired(e: TokenEntry, t: number): boolean {
    return t - e.createdAt >= this.opts.ttlMs || t - e.lastUsedAt >= this.opts.idleMs;
  }
}
