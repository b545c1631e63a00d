// The SpamExpiryStore part of the store contract (run from contract-spam.ts, on every backend):
// a model over its cap is cut to it, the tokens of earliest keep day first (hapaxes before tokens
// trained often), the models' message totals stay, the token totals and the version follow, and
// sweeps running at once never cut below the cap.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type ContractHandle, rejectsWith, withStore } from "./contract-kit.js";
import type { SpamTraining, Store } from "./types.js";

const DAY = 86_400_000;
const D0 = Date.parse("2030-01-01T00:00:00Z");
const day = (n: number) => new Date(D0 + n * DAY);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The hashes among `universe` the model holds. */
async function held(store: Store, scope: number, universe: number[]): Promise<number[]> {
  return [...(await store.spam.tokenCounts(scope, universe)).keys()].sort((a, b) => a - b);
}

function corpus(key: string, as: "spam" | "ham", hashes: number[], at: Date): SpamTraining {
  return { accountId: 0, key, as, hashes, scopes: [0], at };
}

export function runSpamExpiryContract(open: () => Promise<ContractHandle>): void {
  describe("spam: token expiry", () => {
    test("a model over its cap is cut to it, earliest keep day first; totals and version follow", () =>
      withStore(open, async ({ store }) => {
        const sp = store.spam;
        const caps = (global: number) => ({ global, perUser: 1000 });
        // Hashes 3–10: hapaxes of day 0 (keep day 0); 1 and 2 trained 4 times that day (keep day
        // 0 + 60: two doublings); 11–20: hapaxes of day 40 (keep day 40).
        await sp.train(corpus("k1", "spam", range(1, 10), day(0)));
        for (const k of ["k3", "k4", "k5"]) await sp.train(corpus(k, "spam", [1, 2], day(0)));
        await sp.train(corpus("k2", "ham", range(11, 20), day(40)));
        assert.deepEqual(await sp.modelStats(), { models: 1, tokens: 20 });
        assert.equal(await sp.lastExpiry(), null);
        const v0 = await sp.modelVersion();

        const t1 = day(50);
        assert.equal(await sp.expireTokens(caps(20), 1000, t1), 0, "at the cap: nothing to cut");
        assert.equal(await sp.modelVersion(), v0, "no change, same version");
        assert.equal(await sp.expireTokens(caps(12), 3, t1), 3, "a batch stops at its limit");
        assert.equal(await sp.expireTokens(caps(12), 1000, t1), 5, "then the rest of the excess");
        assert.deepEqual(await held(store, 0, range(1, 20)), [1, 2, ...range(11, 20)], "day-0 hapaxes went");
        assert.deepEqual(await sp.modelStats(), { models: 1, tokens: 12 });
        assert.deepEqual(await sp.modelTotals(0), { spam: 4, ham: 1 }, "message totals stay");
        assert.notEqual(await sp.modelVersion(), v0, "expiry changes the models' version");
        assert.deepEqual(await sp.lastExpiry(), { at: t1, removed: 8 }, "one sweep's batches add up");

        const t2 = day(51);
        assert.equal(await sp.expireTokens(caps(5), 1000, t2), 7);
        const left = await held(store, 0, range(1, 20));
        assert.equal(left.length, 5);
        assert.deepEqual(left.slice(0, 2), [1, 2], "the twice-doubled tokens outlive day-40 hapaxes");
        assert.deepEqual((await sp.tokenCounts(0, [1])).get(1), { spam: 4, ham: 0 }, "survivors keep counts");
        assert.deepEqual(await sp.lastExpiry(), { at: t2, removed: 7 }, "a later sweep replaces the record");

        // A token that went is new again when trained; forgetting a message whose tokens went
        // counts nothing below 0 and keeps the token total equal to the rows held.
        await sp.train(corpus("k6", "spam", [3, 1], day(52)));
        assert.deepEqual(await sp.modelStats(), { models: 1, tokens: 6 });
        assert.deepEqual((await sp.tokenCounts(0, [3])).get(3), { spam: 1, ham: 0 });
        assert.equal(
          await sp.train({ ...corpus("k1", "spam", range(1, 10), day(53)), as: null }),
          "forgotten",
        );
        const rows = await held(store, 0, range(1, 20));
        assert.equal((await sp.modelStats()).tokens, rows.length);
        assert.deepEqual(await sp.modelTotals(0), { spam: 4, ham: 1 });
      }));

    test("each user's model has the per-user cap, the global model its own", () =>
      withStore(open, async ({ store }) => {
        const sp = store.spam;
        const a = await account(store, "a@example.com");
        const b = await account(store, "b@example.com");
        const user = (id: number, hashes: number[]): SpamTraining => ({
          accountId: id,
          key: "m",
          as: "spam",
          hashes,
          scopes: [0, id],
          at: day(0),
        });
        await sp.train(user(a.id, range(1, 10)));
        await sp.train(user(b.id, range(101, 104)));
        assert.equal(await sp.expireTokens({ global: 100, perUser: 6 }, 1000, day(1)), 4);
        assert.equal((await held(store, a.id, range(1, 10))).length, 6);
        assert.equal((await held(store, b.id, range(101, 104))).length, 4, "b is under the cap");
        assert.equal((await held(store, 0, [...range(1, 10), ...range(101, 104)])).length, 14);
        assert.equal(await sp.expireTokens({ global: 9, perUser: 6 }, 1000, day(1)), 5);
        assert.deepEqual(await sp.modelStats(), { models: 3, tokens: 9 + 6 + 4 });
      }));

    test("sweeps running at once never cut below the cap", () =>
      withStore(open, async ({ store }) => {
        const sp = store.spam;
        for (let i = 0; i < 5; i++)
          await sp.train(corpus(`k${i}`, "spam", range(i * 10 + 1, i * 10 + 10), day(i)));
        const caps = { global: 20, perUser: 1000 };
        const removed = await Promise.all(range(1, 6).map(() => sp.expireTokens(caps, 1000, day(9))));
        assert.equal(
          removed.reduce((x, y) => x + y, 0),
          30,
        );
        assert.deepEqual(await held(store, 0, range(1, 50)), range(31, 50), "the oldest days went");
        assert.deepEqual(await sp.modelStats(), { models: 1, tokens: 20 });
        assert.deepEqual(await sp.lastExpiry(), { at: day(9), removed: 30 });
      }));

    test("bad caps, limits, times are refused", () =>
      withStore(open, async ({ store }) => {
        const sp = store.spam;
        const caps = { global: 10, perUser: 10 };
        await rejectsWith(sp.expireTokens(caps, -1, day(0)), "invalid");
        await rejectsWith(sp.expireTokens({ ...caps, global: -1 }, 10, day(0)), "invalid");
        await rejectsWith(sp.expireTokens({ ...caps, perUser: 1.5 }, 10, day(0)), "invalid");
        await rejectsWith(sp.expireTokens(caps, 10, new Date(Number.NaN)), "invalid");
        await rejectsWith(sp.train(corpus("k", "spam", [1], new Date(Number.NaN))), "invalid");
        assert.equal(await sp.expireTokens(caps, 0, day(0)), 0);
      }));
  });
}
