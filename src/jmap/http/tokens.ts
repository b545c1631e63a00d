// Bearer tokens (RFC 6750) issued at login for the webmail and API clients: random 256-bit
// strings, kept in the store (WebSessionStore, kind "jmap") so they survive a restart and are
// shared by every process on the store. Invariants:
//  - The store keeps the token's SHA-256, never the token: a copy of the database opens nothing.
//  - A token ends ttlMs after login, idleMs after its last use, or when the account's stored
//    password hash changes (credential.ts): `account()` compares the stamp taken at login with
//    the account row it reads, so a reset made by the admin page or by `yubin user passwd` in
//    another process ends every older token at its next use.
//  - The last use is written at most every touchEvery(idleMs) (a minute at most), not per request.
//  - Bounded: at most maxPerAccount per account and maxTokens in all (the least recently used go),
//    expired ones swept by the store as tokens are issued (the only way the table grows).

import { randomBytes } from "node:crypto";
import { credentialStamp } from "../../auth/credential.js";
import { hashToken, touchEvery } from "../../http/session.js";
import type { Account, DirectoryStore, WebSessionStore } from "../../store/types.js";

export interface TokenOptions {
  ttlMs: number;
  idleMs: number;
  maxTokens: number;
  maxPerAccount: number;
  now?: () => number;
}

// Longest string looked up as a token (ours are 43 characters).
const MAX_TOKEN_LENGTH = 128;

export class TokenStore {
  private readonly now: () => number;

  constructor(
    private readonly store: WebSessionStore,
    private readonly opts: TokenOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async issue(account: Pick<Account, "id" | "passwordHash">, ip = ""): Promise<string> {
    const t = this.now();
    const token = randomBytes(32).toString("base64url");
    await this.store.create(
      {
        kind: "jmap",
        tokenHash: hashToken(token),
        accountId: account.id,
        credentialStamp: credentialStamp(account.passwordHash),
        ip,
        createdAt: new Date(t),
        lastSeenAt: new Date(t),
        expiresAt: new Date(t + this.opts.ttlMs),
        idleMs: this.opts.idleMs,
      },
      { maxPerAccount: this.opts.maxPerAccount, maxTotal: this.opts.maxTokens },
    );
    return token;
  }

  /** The live token's account id and credential stamp, its use recorded; null if unknown or
   *  expired. Does not look at the account: use `account()` to authorize a request. */
  async verify(token: string): Promise<{ accountId: number; stamp: string } | null> {
    if (!token || token.length > MAX_TOKEN_LENGTH) return null;
    const key = hashToken(token);
    const t = this.now();
    const e = await this.store.get("jmap", key, new Date(t));
    if (!e) return null;
    if (t - e.lastSeenAt.getTime() >= touchEvery(this.opts.idleMs))
      await this.store.touch("jmap", key, new Date(t));
    return { accountId: e.accountId, stamp: e.credentialStamp };
  }

  /** The account a token acts for: live token, account present and enabled, and its password
   *  unchanged since the token was issued. A token that fails the last two is revoked. */
  async account(token: string, directory: DirectoryStore): Promise<Account | null> {
    const v = await this.verify(token);
    if (!v) return null;
    const a = await directory.getAccount(v.accountId);
    if (!a || a.disabled || credentialStamp(a.passwordHash) !== v.stamp) {
      await this.revoke(token);
      return null;
    }
    return a;
  }

  async revoke(token: string): Promise<void> {
    if (token && token.length <= MAX_TOKEN_LENGTH) await this.store.remove("jmap", hashToken(token));
  }

  /** End every token of an account. */
  revokeAccount(accountId: number): Promise<number> {
    return this.store.removeAccount(accountId, { kind: "jmap" });
  }

  size(): Promise<number> {
    return this.store.count("jmap");
  }
}
