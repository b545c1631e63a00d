// Bearer tokens (RFC 6750) issued at login for the webmail and API clients: random 256-bit
// strings kept in memory with an expiry. A restart logs clients out; they log in again.
import { randomBytes } from "node:crypto";

export class TokenStore {
  private readonly tokens = new Map<string, { accountId: number; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(accountId: number): string {
    const t = randomBytes(32).toString("base64url");
    this.tokens.set(t, { accountId, expires: this.now() + this.ttlMs });
    return t;
  }

  verify(token: string): number | null {
    const e = this.tokens.get(token);
    if (!e) return null;
    if (e.expires <= this.now()) {
      this.tokens.delete(token);
      return null;
    }
    return e.accountId;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }
}
