// Domain administrators in the store contract, run by runStoreContract (contract.ts) against every
// backend: the domains an account administers are a set, replaced whole, of domains that exist;
// they go with the account and with the domain, and listDomainAdmins answers the reverse.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type OpenStore, rejectsWith, withStore } from "./contract-kit.js";

export function runAdminDomainContract(open: OpenStore): void {
  describe("admin domains", () => {
    test("set, list (sorted, deduplicated, case-folded), replace and clear", () =>
      withStore(open, async ({ store }) => {
        const d = store.directory;
        const dana = await account(store, "dana@a.example");
        await d.addDomain("b.example");
        await d.addDomain("c.example");
        assert.deepEqual(await d.listAdminDomains(dana.id), []);
        await d.setAdminDomains(dana.id, ["c.example", "B.Example", "b.example"]);
        assert.deepEqual(await d.listAdminDomains(dana.id), ["b.example", "c.example"]);
        assert.deepEqual(
          (await d.listDomainAdmins("b.example")).map((a) => a.address),
          ["dana@a.example"],
        );
        assert.deepEqual(await d.listDomainAdmins("a.example"), []);
        await d.setAdminDomains(dana.id, ["a.example"]);
        assert.deepEqual(await d.listAdminDomains(dana.id), ["a.example"]);
        assert.deepEqual(await d.listDomainAdmins("b.example"), []);
        await d.setAdminDomains(dana.id, []);
        assert.deepEqual(await d.listAdminDomains(dana.id), []);
        // The global flag is apart: a global admin with no rows stays a global admin.
        assert.equal((await d.getAccount(dana.id))?.isAdmin, false);
      }));

    test("an unknown domain or account is refused and changes nothing", () =>
      withStore(open, async ({ store }) => {
        const d = store.directory;
        const dana = await account(store, "dana@a.example");
        await d.setAdminDomains(dana.id, ["a.example"]);
        await rejectsWith(d.setAdminDomains(dana.id, ["a.example", "nowhere.example"]), "not-found");
        assert.deepEqual(await d.listAdminDomains(dana.id), ["a.example"]);
        await rejectsWith(d.setAdminDomains(dana.id + 1000, ["a.example"]), "not-found");
      }));

    test("rows go with the account and with the domain; other accounts are untouched", () =>
      withStore(open, async ({ store, reopen }) => {
        const d = store.directory;
        const dana = await account(store, "dana@a.example");
        const eve = await account(store, "eve@a.example");
        await d.addDomain("b.example");
        await d.setAdminDomains(dana.id, ["a.example", "b.example"]);
        await d.setAdminDomains(eve.id, ["a.example", "b.example"]);
        await d.removeDomain("b.example");
        assert.deepEqual(await d.listAdminDomains(dana.id), ["a.example"]);
        assert.equal((await d.listDomainAdmins("a.example")).length, 2);
        await d.removeAccount(eve.id);
        assert.deepEqual(
          (await d.listDomainAdmins("a.example")).map((a) => a.id),
          [dana.id],
        );
        const again = await reopen();
        assert.deepEqual(await again.directory.listAdminDomains(dana.id), ["a.example"]);
      }));
  });
}
