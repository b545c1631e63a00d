// Calls of one process that touch the same keys run one after another, in call order; calls on
// disjoint keys run concurrently. The SQLite store commits in submission order (one writer), and
// callers rely on it: 50 deliveries made at once to one account get UIDs in the order they were
// made. On PostgreSQL the pool would run them on 20 connections in any order; chaining calls per
// account restores the order at no cost in throughput, since writers of one account queue on its
// row lock anyway (mail-file.ts). Across nodes, order is commit order, the only one there is.
export class KeyedSerial {
  private readonly tails = new Map<number, Promise<void>>();

  /** `fn` once every earlier call sharing a key with `keys` has settled. */
  run<T>(keys: readonly number[], fn: () => Promise<T>): Promise<T> {
    const distinct = [...new Set(keys)];
    const before = distinct.map((k) => this.tails.get(k)).filter((p): p is Promise<void> => p !== undefined);
    const result = before.length === 0 ? fn() : Promise.all(before).then(fn);
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    for (const k of distinct) this.tails.set(k, done);
    // The map holds only keys with a call in flight.
    void done.then(() => {
      for (const k of distinct) if (this.tails.get(k) === done) this.tails.delete(k);
    });
    return result;
  }

  /** Keys with a call in flight (tests). */
  get size(): number {
    return this.tails.size;
  }
}
