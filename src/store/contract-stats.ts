// The admin charts' counters in the store contract, run by runStoreContract (contract.ts) against
// every backend: counts add up per (name, hour) and per UTC day, gauges keep their largest sample,
// reads are bounded by half-open ranges, prune removes by age, and everything survives a reopen.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type OpenStore, rejectsWith, withStore } from "./contract-kit.js";

/** Hour 0 of UTC day 20000 (2024-10-04), a fixed point far from the epoch. */
const H = 20000 * 24;

export function runStatsContract(open: OpenStore): void {
  describe("stats", () => {
    test("add sums per hour and per UTC day; series and daily read half-open ranges", () =>
      withStore(open, async ({ store }) => {
        const st = store.statistics;
        await st.add([
          { name: "msg.in", hour: H, n: 2 },
          { name: "msg.in", hour: H + 1, n: 3 },
          { name: "msg.in", hour: H + 23, n: 1 },
          { name: "msg.in", hour: H + 24, n: 7 },
          { name: "login.failed", hour: H, n: 5 },
        ]);
        await st.add([{ name: "msg.in", hour: H, n: 4 }]);
        assert.deepEqual(await st.series(["msg.in"], H, H + 2), [
          { name: "msg.in", at: H, n: 6 },
          { name: "msg.in", at: H + 1, n: 3 },
        ]);
        assert.deepEqual(await st.series(["msg.in", "login.failed", "nothing"], H + 1, H + 25), [
          { name: "msg.in", at: H + 1, n: 3 },
          { name: "msg.in", at: H + 23, n: 1 },
          { name: "msg.in", at: H + 24, n: 7 },
        ]);
        assert.deepEqual(await st.daily(["msg.in", "login.failed"], 20000, 20002), [
          { name: "msg.in", at: 20000, n: 10 },
          { name: "msg.in", at: 20001, n: 7 },
          { name: "login.failed", at: 20000, n: 5 },
        ]);
        assert.deepEqual(await st.daily(["msg.in"], 20001, 20001), []);
      }));

    test("a gauge keeps the largest sample of its hour and of its day", () =>
      withStore(open, async ({ store }) => {
        const st = store.statistics;
        await st.gauge("queue.size", H + 5, 40);
        await st.gauge("queue.size", H + 5, 12);
        await st.gauge("queue.size", H + 6, 90);
        await st.gauge("queue.size", H + 7, 0);
        assert.deepEqual(await st.series(["queue.size"], H, H + 24), [
          { name: "queue.size", at: H + 5, n: 40 },
          { name: "queue.size", at: H + 6, n: 90 },
          { name: "queue.size", at: H + 7, n: 0 },
        ]);
        assert.deepEqual(await st.daily(["queue.size"], 0, 1_000_000), [
          { name: "queue.size", at: 20000, n: 90 },
        ]);
      }));

    test("bad names and numbers are refused and change nothing; zero counts write nothing", () =>
      withStore(open, async ({ store }) => {
        const st = store.statistics;
        await rejectsWith(st.add([{ name: "", hour: H, n: 1 }]), "invalid");
        await rejectsWith(st.add([{ name: "x".repeat(65), hour: H, n: 1 }]), "invalid");
        await rejectsWith(
          st.add([
            { name: "ok", hour: H, n: 1 },
            { name: "ok", hour: H, n: -1 },
          ]),
          "invalid",
        );
        await rejectsWith(st.add([{ name: "ok", hour: 1.5, n: 1 }]), "invalid");
        await rejectsWith(st.gauge("ok", -1, 1), "invalid");
        await rejectsWith(st.series([""], 0, 1), "invalid");
        await st.add([{ name: "ok", hour: H, n: 0 }]);
        await st.add([]);
        assert.deepEqual(await st.series(["ok"], 0, H * 2), []);
      }));

    test("prune removes hours and days older than the limits; counts survive a reopen", () =>
      withStore(open, async ({ store, reopen }) => {
        const st = store.statistics;
        await st.add([
          { name: "msg.in", hour: H - 48, n: 1 },
          { name: "msg.in", hour: H - 1, n: 2 },
          { name: "msg.in", hour: H, n: 3 },
        ]);
        // Hours before H go (two rows); days before H/24 - 1 go (day 19998).
        assert.equal(await st.prune({ hourlyBefore: H, dailyBefore: 20000 - 1 }), 3);
        const again = await reopen();
        assert.deepEqual(await again.statistics.series(["msg.in"], 0, H * 2), [
          { name: "msg.in", at: H, n: 3 },
        ]);
        assert.deepEqual(await again.statistics.daily(["msg.in"], 0, 30000), [
          { name: "msg.in", at: 19999, n: 2 },
          { name: "msg.in", at: 20000, n: 3 },
        ]);
      }));
  });
}
