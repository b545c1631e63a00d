// A short-lived memory of logins already verified, so a mail client that reconnects every few
// minutes (POP3 polling, IMAP per-folder connections) does not pay a 30 ms argon2id check each
// time — the same trade Dovecot's auth_cache makes. What is kept is an HMAC under a random
// per-process key of (account id, stored hash, password): the password itself is never kept, the
// entry is useless outside this process, and a password change (new stored hash) misses the cache.
// Failures are never cached, so throttling and guessing costs are unchanged.
import { createHmac, randomBytes } from "node:crypto";

export class VerifiedLoginCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, number>(); // digest -> expiry (ms)

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  has(accountId: number, storedHash: string, password: string): boolean {
    if (this.ttlMs <= 0) return false;
    const d = this.digest(accountId, storedHash, password);
    const exp = this.entries.get(d);
    if (exp === undefined) return false;
    if (exp <= this.now()) {
      this.entries.delete(d);
      return false;
    }
    return true;
  }

  add(accountId: number, storedHash: string, password: string): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      // Oldest first: Map keeps insertion order.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const d = this.digest(accountId, storedHash, password);
    this.entries.delete(d);
    this.entries.set(d, this.now() + this.ttlMs);
  }

  private digest(accountId: number, storedHash: string, password: string): string {
    return createHmac("sha256", this.key)
      .update(`${accountId}\0${storedHash}\0`)
      .update(password, "utf8")
      .digest("base64");
  }
}
