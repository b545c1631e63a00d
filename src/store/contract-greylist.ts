// The GreylistStore part of the store contract (RFC 6647 greylisting), run by runStoreContract
// (contract.ts) against every backend. Time is given to each call, so nothing here waits.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ContractHandle, withStore } from "./contract-kit.js";
import { StoreError } from "./errors.js";
import type { GreylistPolicy, GreylistTriplet } from "./types.js";

const HOUR = 3600;
const policy: GreylistPolicy = {
  delaySec: 300,
  retryWindowSec: 24 * HOUR,
  passedTtlSec: 36 * 24 * HOUR,
  autoAllowAfter: 3,
};
const t0 = Date.parse("2030-01-01T00:00:00Z");
/** t0 plus s seconds. */
const at = (s: number) => new Date(t0 + s * 1000);
const triplet = (recipient = "bob@example.com", network = "192.0.2.0/24"): GreylistTriplet => ({
  network,
  sender: "alice@example.org",
  recipient,
});
const defer = (retryAfterSec: number) => ({ verdict: "defer", retryAfterSec });
const passed = { verdict: "pass", by: "triplet" };

export function runGreylistContract(open: () => Promise<ContractHandle>): void {
  describe("greylist", () => {
    test("first seen defers; an early retry defers for what is left; after the delay it passes and is remembered", () =>
      withStore(open, async (h) => {
        const g = h.store.greylist;
        assert.deepEqual(await g.check(triplet(), at(0), policy), defer(300));
        assert.deepEqual(await g.check(triplet(), at(100), policy), defer(200), "clock not restarted");
        assert.deepEqual(await g.check(triplet(), at(299.5), policy), defer(1), "rounded up");
        assert.deepEqual(await g.check(triplet(), at(300), policy), passed);
        assert.deepEqual(await g.check(triplet(), at(301), policy), passed);
        const again = await h.reopen();
        assert.deepEqual(await again.greylist.check(triplet(), at(30 * 24 * HOUR), policy), passed);
        assert.deepEqual(
          await again.greylist.check(triplet("carol@example.com"), at(400), policy),
          defer(300),
          "another recipient is another triplet",
        );
        assert.deepEqual(
          await again.greylist.check({ ...triplet(), sender: "" }, at(400), policy),
          defer(300),
          "the null sender is its own value",
        );
      }));

    test("a retry past the retry window starts over; a passed triplet is forgotten after its TTL", () =>
      withStore(open, async ({ store }) => {
        const g = store.greylist;
        assert.deepEqual(await g.check(triplet(), at(0), policy), defer(300));
        assert.deepEqual(await g.check(triplet(), at(24 * HOUR), policy), defer(300), "window over");
        assert.deepEqual(await g.check(triplet(), at(24 * HOUR + 299), policy), defer(1));
        assert.deepEqual(await g.check(triplet(), at(24 * HOUR + 300), policy), passed);
        // Passes refresh the TTL (to within the hour): 30 days later it is still known...
        const day30 = 24 * HOUR + 300 + 30 * 24 * HOUR;
        assert.deepEqual(await g.check(triplet(), at(day30), policy), passed);
        // ...and 36 days after that last pass it is not.
        assert.deepEqual(await g.check(triplet(), at(day30 + policy.passedTtlSec), policy), defer(300));
      }));

    test("a network is auto-allowed after autoAllowAfter triplets passed; 0 turns it off", () =>
      withStore(open, async ({ store }) => {
        const g = store.greylist;
        const rcpts = ["a@example.com", "b@example.com", "c@example.com"];
        for (const r of rcpts) assert.deepEqual(await g.check(triplet(r), at(0), policy), defer(300));
        // Passing the same triplet again does not count twice.
        assert.deepEqual(await g.check(triplet(rcpts[0]), at(300), policy), passed);
        assert.deepEqual(await g.check(triplet(rcpts[0]), at(301), policy), passed);
        assert.deepEqual(await g.check(triplet(rcpts[1]), at(302), policy), passed);
        assert.deepEqual(await g.check(triplet("new@example.com"), at(303), policy), defer(300));
        assert.deepEqual(await g.check(triplet(rcpts[2]), at(304), policy), passed);
        assert.deepEqual(await g.check(triplet("new2@example.com"), at(305), policy), {
          verdict: "pass",
          by: "network",
        });
        assert.deepEqual(
          await g.check(triplet("new2@example.com"), at(305), { ...policy, autoAllowAfter: 0 }),
          defer(300),
        );
        assert.deepEqual(
          await g.check(triplet("new2@example.com", "198.51.100.0/24"), at(306), policy),
          defer(300),
          "other networks are not allowed",
        );
        assert.deepEqual(
          await g.check(triplet("new3@example.com"), at(304 + policy.passedTtlSec), policy),
          defer(300),
          "the allowance expires with its TTL",
        );
      }));

    test("sweep removes expired entries only, at most limit at a time", () =>
      withStore(open, async ({ store }) => {
        const g = store.greylist;
        for (let i = 0; i < 5; i++) await g.check(triplet(`u${i}@example.com`), at(0), policy);
        await g.check(triplet("late@example.com"), at(HOUR), policy);
        assert.equal(await g.sweep(at(24 * HOUR - 1), 100), 0, "nothing expired yet");
        assert.equal(await g.sweep(at(24 * HOUR), 3), 3);
        assert.equal(await g.sweep(at(24 * HOUR), 100), 2);
        assert.equal(await g.sweep(at(24 * HOUR), 100), 0);
        // The one seen an hour later is still there: its clock did not restart.
        assert.deepEqual(await g.check(triplet("late@example.com"), at(24 * HOUR), policy), passed);
        await assert.rejects(g.sweep(at(0), -1), (e: unknown) => e instanceof StoreError);
        await assert.rejects(
          g.check(triplet(), new Date(Number.NaN), policy),
          (e: unknown) => e instanceof StoreError && e.code === "invalid",
        );
      }));

    test("concurrent first attempts: one triplet, all deferred by the full delay", () =>
      withStore(open, async ({ store }) => {
        const all = await Promise.all([1, 2, 3].map(() => store.greylist.check(triplet(), at(0), policy)));
        assert.deepEqual(all, [defer(300), defer(300), defer(300)]);
        assert.deepEqual(await store.greylist.check(triplet(), at(300), policy), passed);
      }));
  });
}
