// The SettingsStore part of the store contract (identities, vacation response, replied
// senders), run by runStoreContract (contract.ts) against every backend.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type ContractHandle, rejectsWith, withStore } from "./contract-kit.js";

const blank = { name: "", replyTo: null, bcc: null, textSignature: "", htmlSignature: "" };

export function runSettingsContract(open: () => Promise<ContractHandle>): void {
  describe("settings: identities and vacation response", () => {
    test("every account has a primary identity; create, update, remove; logged in the change log", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "Bob@Example.COM");
        const other = await account(store, "eve@example.com");
        const st = store.settings;
        const [primary, ...rest] = await st.listIdentities(a.id);
        assert.deepEqual(rest, []);
        assert.deepEqual(primary, {
          id: primary!.id,
          accountId: a.id,
          email: "Bob@example.com",
          ...blank,
          primary: true,
        });
        const s0 = (await store.mail.changeState(a.id)).identity;
        const sales = await st.createIdentity(a.id, {
          ...blank,
          email: "Sales@EXAMPLE.com",
          name: "Sales",
          replyTo: [{ name: null, email: "help@example.com" }],
        });
        assert.equal(sales.email, "Sales@example.com");
        assert.equal(sales.primary, false);
        assert.deepEqual(sales.replyTo, [{ name: null, email: "help@example.com" }]);
        const upd = await st.updateIdentity(a.id, sales.id, {
          name: "Sales team",
          textSignature: "-- \nSales",
        });
        assert.deepEqual(upd, { ...sales, name: "Sales team", textSignature: "-- \nSales" });
        assert.deepEqual(
          (await st.listIdentities(a.id)).map((i) => i.id),
          [primary!.id, sales.id],
        );
        const ch = await store.mail.objectChangesSince(a.id, "identity", s0, 10);
        assert.deepEqual(
          ch.changes.map((c) => [c.id, c.kind]),
          [[sales.id, "created"]],
          "created then updated since s0 reads as created",
        );
        const s1 = ch.seq;
        await st.updateIdentity(a.id, primary!.id, { htmlSignature: "<b>Bob</b>" });
        await st.removeIdentity(a.id, sales.id);
        const ch2 = await store.mail.objectChangesSince(a.id, "identity", s1, 10);
        assert.deepEqual(
          ch2.changes.map((c) => [c.id, c.kind]),
          [
            [primary!.id, "updated"],
            [sales.id, "destroyed"],
          ],
        );
        await rejectsWith(st.removeIdentity(a.id, primary!.id), "invalid");
        await rejectsWith(st.removeIdentity(a.id, sales.id), "not-found");
        await rejectsWith(st.updateIdentity(other.id, primary!.id, { name: "x" }), "not-found");
        await rejectsWith(st.createIdentity(a.id, { ...blank, email: "no-at-sign" }), "invalid");
        await rejectsWith(st.createIdentity(999999, { ...blank, email: "x@example.com" }), "not-found");
        assert.equal((await st.listIdentities(other.id)).length, 1, "other accounts apart");
        assert.equal((await store.mail.changeState(other.id)).identity > 0, true);
      }));

    test("vacation response: disabled by default, replaced whole, kept across reopen", () =>
      withStore(open, async (h) => {
        const a = await account(h.store, "bob@example.com");
        assert.deepEqual(await h.store.settings.getVacation(a.id), {
          isEnabled: false,
          fromDate: null,
          toDate: null,
          subject: null,
          textBody: null,
          htmlBody: null,
        });
        const s0 = (await h.store.mail.changeState(a.id)).vacationResponse;
        const v = {
          isEnabled: true,
          fromDate: new Date("2030-01-01T00:00:00Z"),
          toDate: null,
          subject: "Away",
          textBody: "Back in January.",
          htmlBody: null,
        };
        assert.deepEqual(await h.store.settings.setVacation(a.id, v), v);
        const s1 = (await h.store.mail.changeState(a.id)).vacationResponse;
        assert.ok(s1 > s0);
        const store = await h.reopen();
        assert.deepEqual(await store.settings.getVacation(a.id), v);
        await store.settings.setVacation(a.id, { ...v, isEnabled: false });
        assert.ok((await store.mail.changeState(a.id)).vacationResponse > s1);
        await rejectsWith(store.settings.setVacation(999999, v), "not-found");
      }));

    test("claimVacationReply: once per sender per interval, case-insensitive; reset by setVacation", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "bob@example.com");
        const b = await account(store, "carol@example.com");
        const st = store.settings;
        const day = 86_400_000;
        const t0 = new Date("2030-01-01T00:00:00Z");
        const at = (ms: number) => new Date(t0.getTime() + ms);
        assert.equal(await st.claimVacationReply(a.id, "Alice@Example.org", t0, 7 * day), true);
        assert.equal(await st.claimVacationReply(a.id, "alice@example.org", at(day), 7 * day), false);
        assert.equal(await st.claimVacationReply(b.id, "alice@example.org", at(day), 7 * day), true);
        assert.equal(await st.claimVacationReply(a.id, "dave@example.org", at(day), 7 * day), true);
        assert.equal(await st.claimVacationReply(a.id, "alice@example.org", at(7 * day - 1), 7 * day), false);
        assert.equal(await st.claimVacationReply(a.id, "alice@example.org", at(7 * day), 7 * day), true);
        assert.equal(await st.claimVacationReply(a.id, "alice@example.org", at(8 * day), 7 * day), false);
        await st.setVacation(a.id, { ...(await st.getVacation(a.id)), isEnabled: true });
        assert.equal(await st.claimVacationReply(a.id, "alice@example.org", at(8 * day), 7 * day), true);
        const concurrent = await Promise.all(
          [1, 2, 3].map(() => st.claimVacationReply(a.id, "zed@example.org", at(9 * day), 7 * day)),
        );
        assert.deepEqual(concurrent.sort(), [false, false, true]);
        await rejectsWith(st.claimVacationReply(a.id, "x@example.org", t0, -1), "invalid");
      }));

    test("removing an account removes its identities and vacation response", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "bob@example.com");
        await store.settings.createIdentity(a.id, { ...blank, email: "b2@example.com" });
        await store.settings.setVacation(a.id, {
          isEnabled: true,
          fromDate: null,
          toDate: null,
          subject: null,
          textBody: "x",
          htmlBody: null,
        });
        await store.directory.removeAccount(a.id);
        assert.deepEqual(await store.settings.listIdentities(a.id), []);
        assert.equal((await store.settings.getVacation(a.id)).isEnabled, false);
        const again = await account(store, "bob@example.com");
        assert.equal((await store.settings.listIdentities(again.id)).length, 1);
      }));
  });
}
