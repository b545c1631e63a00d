// Counters with a time window, for rate limits and login throttling (src/auth/throttle.ts).
// In memory for one node (MemoryCounters). A shared implementation lets several nodes see the
// same counts; each method names the Redis commands that would implement it:
//   incr  -> INCR key; PEXPIRE key windowMs NX (in one MULTI)   get   -> GET key
//   reset -> DEL key                                            peek  -> GET key + PTTL key
//   set   -> SET key count PX ttlMs                             list  -> SCAN MATCH prefix* + GET/PTTL

export interface CounterEntry {
  key: string;
  count: number;
  /** Epoch ms at which the entry ends (its window, or the ttl given to set). */
  expiresAt: number;
}

export interface CounterStore {
  /** Add 1 to `key` and return the count within the current window (a new window starts at the
   *  first increment after the previous one ended). */
  incr(key: string, windowMs: number): Promise<number>;
  get(key: string): Promise<number>;
  reset(key: string): Promise<void>;
  /** The count and when it ends, or null when there is none. */
  peek(key: string): Promise<CounterEntry | null>;
  /** Store `count` under `key` until ttlMs from now (a later set renews the expiry). */
  set(key: string, count: number, ttlMs: number): Promise<void>;
  /** Live entries whose key starts with `prefix`, at most `limit`, in no set order. */
  list(prefix: string, limit: number): Promise<CounterEntry[]>;
}

interface Entry {
  count: number;
  expiresAt: number;
}

export class MemoryCounters implements CounterStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(
    private readonly now: () => number = Date.now,
    opts: { maxEntries?: number } = {},
  ) {
    this.maxEntries = opts.maxEntries ?? 100_000;
  }

  async incr(key: string, windowMs: number): Promise<number> {
    const t = this.now();
    let e = this.entries.get(key);
    if (!e || e.expiresAt <= t) {
      if (this.entries.size >= this.maxEntries) this.sweep(t);
      e = { count: 0, expiresAt: t + windowMs };
      this.entries.set(key, e);
    }
    e.count++;
    return e.count;
  }

  async get(key: string): Promise<number> {
    const e = this.entries.get(key);
    return e && e.expiresAt > this.now() ? e.count : 0;
  }

  async reset(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async peek(key: string): Promise<CounterEntry | null> {
    const e = this.entries.get(key);
    return e && e.expiresAt > this.now() ? { key, count: e.count, expiresAt: e.expiresAt } : null;
  }

  async set(key: string, count: number, ttlMs: number): Promise<void> {
    const t = this.now();
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) this.sweep(t);
    this.entries.set(key, { count, expiresAt: t + ttlMs });
  }

  async list(prefix: string, limit: number): Promise<CounterEntry[]> {
    const t = this.now();
    const out: CounterEntry[] = [];
    for (const [key, e] of this.entries) {
      if (out.length >= limit) break;
      if (e.expiresAt > t && key.startsWith(prefix))
        out.push({ key, count: e.count, expiresAt: e.expiresAt });
    }
    return out;
  }

  // Bounded memory under an attack from many addresses: drop expired entries, then those that
  // end soonest. Short-window failure counts go first; long-lived entries (a login throttle's
  // known clients, 30 days) are the last to go, so a flood of new keys cannot make a known client
  // a stranger again.
  private sweep(t: number): void {
    for (const [k, e] of this.entries) if (e.expiresAt <= t) this.entries.delete(k);
    const excess = this.entries.size - Math.floor(this.maxEntries * 0.9);
    if (excess <= 0) return;
    const byEnd = [...this.entries].sort((a, b) => a[1].expiresAt - b[1].expiresAt);
    for (let i = 0; i < excess; i++) {
      const k = byEnd[i]?.[0];
      if (k !== undefined) this.entries.delete(k);
    }
  }
}
