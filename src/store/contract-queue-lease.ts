// The queue's lease tokens (issue 17: several delivery engines on one queue deliver each message
// exactly once), run by runStoreContract (contract.ts) against every backend. Each claim gives
// the entry a new token; renewals, updates and removals under a token another claim replaced are
// refused and change nothing, so an engine whose lease lapsed cannot overwrite the new owner's
// state. Time is given to each call, so nothing here waits.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type OpenStore, withStore } from "./contract-kit.js";
import type { Store } from "./types.js";

const t0 = Date.parse("2030-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0 + ms);

async function enqueue(store: Store) {
  return store.queue.enqueue({
    body: Buffer.from("Subject: lease\r\n\r\nfenced\r\n"),
    mailFrom: "a@example.com",
    recipients: [{ address: "x@r.test" }],
  });
}

export function runQueueLeaseContract(open: OpenStore): void {
  describe("queue lease tokens", () => {
    test("each claim gives a new token; a renewal under it extends the lease, under an older one it is refused", () =>
      withStore(open, async ({ store }) => {
        const q = store.queue;
        const e = await enqueue(store);
        const [first] = await q.claimQueued({ now: at(0), leaseUntil: at(1000), limit: 1 });
        assert.equal(first?.id, e.id);
        assert.ok(await q.renewLease(e.id, first.lease, at(2000)), "the holder renews");
        assert.equal((await q.getQueued(e.id))?.nextAttemptAt.getTime(), t0 + 2000);
        assert.deepEqual(
          await q.claimQueued({ now: at(1500), leaseUntil: at(3000), limit: 1 }),
          [],
          "a renewed lease is not claimed",
        );
        // The lease lapses: another engine claims the entry, with the next token.
        const [second] = await q.claimQueued({ now: at(2000), leaseUntil: at(4000), limit: 1 });
        assert.equal(second?.id, e.id);
        assert.equal(second.lease, first.lease + 1);
        assert.equal(await q.renewLease(e.id, first.lease, at(9000)), false, "the old holder lost it");
        const now = await q.getQueued(e.id);
        assert.equal(now?.nextAttemptAt.getTime(), t0 + 4000, "the refused renewal wrote nothing");
        assert.equal(now?.state, "sending");
        assert.ok(await q.renewLease(e.id, second.lease, at(5000)));
        assert.equal(await q.renewLease(e.id + 1000, second.lease, at(5000)), false, "no such entry");
      }));

    test("an update or removal under a replaced token is refused and changes nothing; the holder's goes through", () =>
      withStore(open, async ({ store }) => {
        const q = store.queue;
        const e = await enqueue(store);
        const [old] = await q.claimQueued({ now: at(0), leaseUntil: at(1000), limit: 1 });
        const [cur] = await q.claimQueued({ now: at(1000), leaseUntil: at(60_000), limit: 1 });
        assert.ok(old && cur && cur.lease > old.lease);
        // The new holder records its attempt: deferred after a 451.
        const mine = await q.updateLeased(e.id, cur.lease, {
          state: "deferred",
          attempts: 1,
          lastError: "451 later",
          nextAttemptAt: at(120_000),
        });
        assert.equal(mine?.state, "deferred");
        const before = await q.getQueued(e.id);
        // The old holder's late write: its attempt "delivered" the message.
        const late = await q.updateLeased(e.id, old.lease, {
          state: "deferred",
          attempts: 1,
          lastError: null,
          nextAttemptAt: at(1),
          recipients: e.recipients.map((r) => ({ ...r, state: "delivered" as const })),
        });
        assert.equal(late, null, "refused");
        assert.equal(await q.removeLeased(e.id, old.lease), false, "refused");
        assert.deepEqual(await q.getQueued(e.id), before, "the holder's state stands");
        // A claim after the holder's deferral is due gives the next token again.
        const [next] = await q.claimQueued({ now: at(120_000), leaseUntil: at(130_000), limit: 1 });
        assert.equal(next?.lease, cur.lease + 1);
        assert.equal(await q.updateLeased(e.id, cur.lease, { attempts: 5 }), null);
        assert.equal(await q.removeLeased(e.id, next.lease), true, "the holder removes it");
        assert.equal(await q.getQueued(e.id), null);
        assert.equal(await q.removeLeased(e.id, next.lease), false, "gone");
        assert.equal(await q.updateLeased(e.id, next.lease, { attempts: 2 }), null, "gone");
        assert.equal(await q.renewLease(e.id, next.lease, at(140_000)), false, "gone");
      }));

    test("an administrator's update (retry now) keeps the token: it fences no one", () =>
      withStore(open, async ({ store }) => {
        const q = store.queue;
        const e = await enqueue(store);
        const [c] = await q.claimQueued({ now: at(0), leaseUntil: at(1000), limit: 1 });
        await q.updateQueued(e.id, { lastError: "noted" });
        assert.ok(c && (await q.renewLease(e.id, c.lease, at(2000))));
      }));
  });
}
