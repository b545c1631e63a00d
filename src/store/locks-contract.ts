// The LockService contract, run against every implementation: MemoryLocks (locks.test.ts),
// RedisLocks (src/cluster/redis-locks.test.ts), the workers' IPC locks (src/workers/). `open`
// gives two services that stand for two nodes (or workers) sharing one lock space; for an
// in-process implementation both may be the same object.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LockService } from "./locks.js";

export interface LockPair {
  a: LockService;
  b: LockService;
  close(): Promise<void>;
}

export function runLockContract(name: string, open: () => Promise<LockPair>): void {
  describe(`LockService contract: ${name}`, () => {
    const withPair = (fn: (p: LockPair) => Promise<void>) => async () => {
      const p = await open();
      try {
        await fn(p);
      } finally {
        await p.close();
      }
    };

    test(
      "a held lock is refused to every other holder until released",
      withPair(async ({ a, b }) => {
        const h = await a.acquire("pop3:maildrop:1");
        assert.ok(h, "the first acquire gets the lock");
        assert.equal(h.held, true);
        assert.equal(await b.acquire("pop3:maildrop:1"), null, "the other node is refused");
        assert.equal(await a.acquire("pop3:maildrop:1"), null, "the same node is refused too");
        await h.release();
        assert.equal(h.held, false);
        const again = await b.acquire("pop3:maildrop:1");
        assert.ok(again, "free once released");
        await again.release();
      }),
    );

    test(
      "locks of different names are independent",
      withPair(async ({ a, b }) => {
        const h1 = await a.acquire("pop3:maildrop:1");
        const h2 = await b.acquire("pop3:maildrop:2");
        assert.ok(h1 && h2);
        await h1.release();
        await h2.release();
      }),
    );

    test(
      "release is idempotent: a second release does not free a lock someone else took since",
      withPair(async ({ a, b }) => {
        const h = await a.acquire("k");
        assert.ok(h);
        await h.release();
        const other = await b.acquire("k");
        assert.ok(other);
        await h.release(); // the stale handle again
        assert.equal(await a.acquire("k"), null, "the other holder still has it");
        assert.equal(other.held, true);
        await other.release();
      }),
    );

    test(
      "many concurrent acquires of one name: exactly one wins",
      withPair(async ({ a, b }) => {
        const tries = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).acquire("race")),
        );
        const won = tries.filter((h) => h !== null);
        assert.equal(won.length, 1);
        await won[0]?.release();
      }),
    );
  });
}
