// The SendingStore part of the store contract (per-account sending limits, the last day's sends,
// the freeze and the queue entries it holds), run by runStoreContract (contract.ts) against every
// backend.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type ContractHandle, withStore } from "./contract-kit.js";
import { StoreError } from "./errors.js";
import type { SendingLimits } from "./types.js";

const HOUR = 3_600_000;
const limits: SendingLimits = {
  messagesPerHour: 3,
  messagesPerDay: 5,
  recipientsPerHour: 10,
  recipientsPerDay: 0,
};

export function runSendingContract(open: () => Promise<ContractHandle>): void {
  describe("sending: limits, counts and the freeze", () => {
    test("sends are counted per account over an hour and a day; refusals do not count as sent", () =>
      withStore(open, async (h) => {
        const a = await account(h.store, "alice@example.com");
        const b = await account(h.store, "bob@example.com");
        const t0 = Date.parse("2026-12-06T10:00:00Z");
        const send = (id: number, at: number, recipients = 1) =>
          h.store.sending.recordSend(id, { now: new Date(at), recipients, limits });
        for (let i = 0; i < 3; i++) assert.equal((await send(a.id, t0 + i)).allowed, true);
        const fourth = await send(a.id, t0 + 10);
        assert.deepEqual(fourth.over, { limit: "messagesPerHour", value: 3 });
        assert.equal(fourth.allowed, false);
        assert.equal(fourth.attemptedMessagesHour, 4);
        assert.equal((await send(b.id, t0 + 10)).allowed, true, "another account has its own count");
        // Recipients: 10 per hour; one message to 11 is over whatever the message count.
        assert.deepEqual((await send(b.id, t0 + 20, 10)).over, { limit: "recipientsPerHour", value: 10 });
        // The counts survive a reopen (a restart); an hour later the hourly window has moved on,
        // the daily one has not (3 sent of 5).
        const store = await h.reopen();
        const later = (at: number) =>
          store.sending.recordSend(a.id, { now: new Date(at), recipients: 1, limits });
        assert.equal((await later(t0 + 10 + 30_000)).allowed, false);
        assert.equal((await later(t0 + HOUR + 5)).allowed, true);
        assert.equal((await later(t0 + HOUR + 6)).allowed, true);
        assert.deepEqual((await later(t0 + HOUR + 7)).over, { limit: "messagesPerDay", value: 5 });
        // 0 is no limit.
        const open = { messagesPerHour: 0, messagesPerDay: 0, recipientsPerHour: 0, recipientsPerDay: 0 };
        assert.equal(
          (
            await store.sending.recordSend(a.id, {
              now: new Date(t0 + HOUR + 8),
              recipients: 99,
              limits: open,
            })
          ).allowed,
          true,
        );
        await assert.rejects(
          store.sending.recordSend(999_999, { now: new Date(t0), recipients: 1, limits }),
          (e: unknown) => e instanceof StoreError && e.code === "not-found",
        );
      }));

    test("overrides are kept per account; null puts one back to the config's", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "alice@example.com");
        assert.deepEqual((await store.sending.getSendingPolicy(a.id)).limits, {
          messagesPerHour: null,
          messagesPerDay: null,
          recipientsPerHour: null,
          recipientsPerDay: null,
        });
        await store.sending.setSendingLimits(a.id, { messagesPerHour: 50, recipientsPerDay: 0 });
        const p = await store.sending.setSendingLimits(a.id, { messagesPerHour: null, messagesPerDay: 7 });
        assert.deepEqual(p.limits, {
          messagesPerHour: null,
          messagesPerDay: 7,
          recipientsPerHour: null,
          recipientsPerDay: 0,
        });
        await assert.rejects(
          store.sending.setSendingLimits(a.id, { messagesPerHour: -1 }),
          (e: unknown) => e instanceof StoreError && e.code === "invalid",
        );
      }));

    test("a freeze holds the hour's unsent queue entries; unfreeze releases them and forgets the count", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "alice@example.com");
        const body = Buffer.from("Subject: x\r\n\r\nx\r\n");
        const entry = () =>
          store.queue.enqueue({
            body,
            mailFrom: a.address,
            recipients: [{ address: "x@far.test" }],
            accountId: a.id,
          });
        const queued = await entry();
        const deferred = await entry();
        await store.queue.updateQueued(deferred.id, { state: "deferred" });
        const failed = await entry();
        await store.queue.updateQueued(failed.id, { state: "failed" });
        const other = await store.queue.enqueue({
          body,
          mailFrom: "",
          recipients: [{ address: "y@far.test" }],
        });
        const now = new Date();
        for (let i = 0; i < 4; i++) await store.sending.recordSend(a.id, { now, recipients: 1, limits });
        const opts = { now, reason: "burst", holdSince: new Date(now.getTime() - HOUR) };
        assert.equal(await store.sending.freezeSending(a.id, opts), true);
        assert.equal(await store.sending.freezeSending(a.id, opts), false, "already frozen");
        const p = await store.sending.getSendingPolicy(a.id);
        assert.equal(p.frozenAt?.getTime(), now.getTime());
        assert.equal(p.frozenReason, "burst");
        assert.deepEqual([...(await store.sending.listFrozen()).keys()], [a.id]);
        const state = async (id: number) => (await store.queue.getQueued(id))?.state;
        assert.equal(await state(queued.id), "held");
        assert.equal(await state(deferred.id), "held");
        assert.equal(await state(failed.id), "failed");
        assert.equal(await state(other.id), "queued");
        // Held entries are never claimed for delivery.
        const claimed = await store.queue.claimQueued({
          now: new Date(now.getTime() + 10 * HOUR),
          leaseUntil: new Date(now.getTime() + 11 * HOUR),
          limit: 10,
        });
        assert.deepEqual(
          claimed.map((q) => q.id),
          [other.id],
        );
        assert.equal(await store.sending.unfreezeSending(a.id, now), 2);
        assert.equal((await store.sending.getSendingPolicy(a.id)).frozenAt, null);
        assert.equal((await store.sending.listFrozen()).size, 0);
        assert.equal(await state(queued.id), "queued");
        assert.equal(await state(deferred.id), "queued");
        // A fresh start: the refused attempts that froze it are forgotten.
        assert.equal((await store.sending.recordSend(a.id, { now, recipients: 1, limits })).allowed, true);
      }));
  });
}
