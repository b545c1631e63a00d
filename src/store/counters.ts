// Counters with a time window, for rate limits and login throttling.
// In memory for one node; a Redis implementation (planned) would share them between nodes.

export interface CounterStore {
  /** Add 1 to `key` and return the count within the current window. */
  incr(key: string, windowMs: number): Promise<number>;
  get(key: string): Promise<number>;
  reset(key: string): Promise<void>;
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

  // Bounded memory under an attack from many addresses: drop expired entries, then the oldest.
  private sweep(t: number): void {
    for (const [k, e] of this.entries) if (e.expiresAt <= t) this.entries.delete(k);
    const excess = this.entries.size - Math.floor(this.maxEntries * 0.9);
    if (excess > 0) {
      let n = 0;
      for (const k of this.entries.keys()) {
        if (n++ >= excess) break;
        this.entries.delete(k);
      }
    }
  }
}
