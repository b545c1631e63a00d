// POP-before-SMTP (legacy; off unless auth.popBeforeSmtp): an IP that logged in over POP3 or
// IMAP may relay without SMTP AUTH for a few minutes. Kept in memory per node, bounded: when
// full, expired entries go first, then the oldest.

const DEFAULT_MAX_ENTRIES = 10_000;

export class PopBeforeSmtpMemory {
  private readonly expiry = new Map<string, number>();
  private readonly maxEntries: number;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    opts: { maxEntries?: number } = {},
  ) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_ENTRIES);
  }

  note(ip: string): void {
    const key = normalizeIp(ip);
    const t = this.now();
    this.expiry.delete(key); // re-insert so Map order stays oldest-first
    if (this.expiry.size >= this.maxEntries) this.evict(t);
    this.expiry.set(key, t + this.ttlMs);
  }

  allowed(ip: string): boolean {
    const key = normalizeIp(ip);
    const until = this.expiry.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.expiry.delete(key);
    return false;
  }

  get size(): number {
    return this.expiry.size;
  }

  private evict(t: number): void {
    for (const [k, until] of this.expiry) if (until <= t) this.expiry.delete(k);
    while (this.expiry.size >= this.maxEntries) {
      const oldest = this.expiry.keys().next();
      if (oldest.done) break;
      this.expiry.delete(oldest.value);
    }
  }
}

/** "::ffff:192.0.2.1" (IPv4 on a dual-stack socket) and "192.0.2.1" are the same client. */
function normalizeIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return (m?.[1] ?? ip).toLowerCase();
}
