// The CounterStore contract, run against MemoryCounters; a shared implementation (Redis) would
// run the same suite with its own clock source.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CounterStore, MemoryCounters } from "./counters.js";

function counterContract(name: string, make: (now: () => number) => CounterStore): void {
  describe(`CounterStore contract: ${name}`, () => {
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

counterContract("MemoryCounters", (now) => new MemoryCounters(now));

describe("MemoryCounters", () => {
  test("bounded: when full, the entries that end soonest go first (long-lived ones stay)", async () => {
    const t = 1_000_000;
    const c = new MemoryCounters(() => t, { maxEntries: 100 });
    await c.set("known", 1, 30 * 86_400_000);
    for (let i = 0; i < 500; i++) await c.incr(`fail:${i}`, 60_000 + i);
    assert.equal(await c.get("known"), 1, "the long-lived entry survived the flood");
    const live = await c.list("fail:", 1000);
    assert.ok(live.length <= 100, `${live.length} entries kept`);
    assert.equal(await c.get("fail:499"), 1, "the newest is kept");
  });
});
