// Subscriptions of the store contract (RFC 9051 6.3.7), run by runStoreContract (contract.ts)
// against every backend: a subscription is to a name, so deleting a subscribed mailbox leaves its
// name subscribed (dangling) until it is unsubscribed or a mailbox takes that name again.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type OpenStore, withStore } from "./contract-kit.js";

export function runSubscriptionContract(open: OpenStore): void {
  describe("subscriptions", () => {
    test("createMailbox subscribes unless told not to, parents alike", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const m = store.mail;
        assert.equal((await m.createMailbox(a.id, "Yes")).subscribed, true);
        const kid = await m.createMailbox(a.id, "No/Kid", { subscribed: false });
        assert.equal(kid.subscribed, false);
        assert.equal((await m.getMailbox(a.id, "No"))?.subscribed, false);
      }));

    test("a deleted subscribed mailbox leaves its name subscribed until unsubscribed", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const b = await account(store, "other@example.com");
        const m = store.mail;
        const gone = await m.createMailbox(a.id, "Gone");
        const quiet = await m.createMailbox(a.id, "Quiet", { subscribed: false });
        await m.deleteMailbox(gone.id);
        await m.deleteMailbox(quiet.id);
        assert.deepEqual(await m.listDanglingSubscriptions(a.id), ["Gone"]);
        assert.deepEqual(await m.listDanglingSubscriptions(b.id), []);
        assert.equal(await m.unsubscribeDangling(b.id, "Gone"), false);
        assert.equal(await m.unsubscribeDangling(a.id, "Quiet"), false);
        assert.equal(await m.unsubscribeDangling(a.id, "Gone"), true);
        assert.deepEqual(await m.listDanglingSubscriptions(a.id), []);
        assert.equal(await m.unsubscribeDangling(a.id, "bad\r\nname"), false);
      }));

    test("a mailbox created or renamed to a dangling name takes its subscription", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const m = store.mail;
        for (const n of ["One", "Two"]) await m.deleteMailbox((await m.createMailbox(a.id, n)).id);
        assert.deepEqual(await m.listDanglingSubscriptions(a.id), ["One", "Two"]);
        const one = await m.createMailbox(a.id, "One", { subscribed: false });
        assert.equal(one.subscribed, true);
        const other = await m.createMailbox(a.id, "Other", { subscribed: false });
        const two = await m.renameMailbox(other.id, "Two");
        assert.equal(two.subscribed, true);
        assert.deepEqual(await m.listDanglingSubscriptions(a.id), []);
      }));
  });
}
