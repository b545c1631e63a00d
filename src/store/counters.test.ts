// The CounterStore contract (counters-contract.ts) on MemoryCounters, and its bound.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryCounters } from "./counters.js";
import { runCounterContract } from "./counters-contract.js";

runCounterContract("MemoryCounters", (now) => new MemoryCounters(now));

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
