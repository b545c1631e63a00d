// The CounterStore contract, run against every implementation with a test clock: MemoryCounters
// (counters.test.ts) and RedisCounters (src/cluster/redis-counters.test.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CounterStore } from "./counters.js";

/** `make` gives a fresh, empty store reading time from `now`; `skip` a reason to skip them all. */
export function runCounterContract(
  name: string,
  make: (now: () => number) => CounterStore,
  opts: { skip?: string | false } = {},
): void {
  describe(`CounterStore contract: ${name}`, { skip: opts.skip }, () => {
    const setup = () => {
      let t = 1_000_000;
      const clock = { now: () => t, advance: (ms: number) => (t += ms) };
      return { clock, c: make(clock.now) };
    };

    test("incr counts within a window; a new window starts after it ends", async () => {
      const { c, clock } = setup();
      assert.equal(await c.incr("k", 1000), 1);
      clock.advance(500);
      assert.equal(await c.incr("k", 1000), 2); // the window is not extended
      assert.deepEqual(await c.peek("k"), { key: "k", count: 2, expiresAt: 1_001_000 });
      clock.advance(500);
      assert.equal(await c.get("k"), 0);
      assert.equal(await c.peek("k"), null);
      assert.equal(await c.incr("k", 1000), 1);
    });

    test("reset forgets a key; set stores a count with a ttl that a later set renews", async () => {
      const { c, clock } = setup();
      await c.incr("k", 1000);
      await c.reset("k");
      assert.equal(await c.get("k"), 0);
      await c.set("known", 1, 1000);
      clock.advance(900);
      await c.set("known", 1, 1000);
      clock.advance(900);
      assert.equal(await c.get("known"), 1);
      clock.advance(100);
      assert.equal(await c.get("known"), 0);
    });

    test("list gives live entries under a prefix, at most limit", async () => {
      const { c, clock } = setup();
      await c.incr("a:1", 1000);
      await c.incr("a:2", 2000);
      await c.incr("a:2", 2000);
      await c.incr("b:1", 1000);
      clock.advance(1000); // a:1 and b:1 have ended
      assert.deepEqual(await c.list("a:", 10), [{ key: "a:2", count: 2, expiresAt: 1_002_000 }]);
      await c.incr("a:3", 1000);
      assert.equal((await c.list("a:", 1)).length, 1);
      assert.equal((await c.list("a:", 10)).length, 2);
      assert.deepEqual(await c.list("zzz", 10), []);
    });
  });
}
