// The AppPasswordStore part of the store contract (issue 15: per-device passwords), run by
// runStoreContract (contract.ts) against every backend. The store keeps what the auth layer gives
// it (a keyed hash, never the secret) and checks names, scopes and the per-account bound.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type ContractHandle, rejectsWith, withStore } from "./contract-kit.js";
import type { NewAppPassword } from "./types.js";

const t0 = new Date("2030-01-01T00:00:00Z");
const spec = (accountId: number, over: Partial<NewAppPassword> = {}): NewAppPassword => ({
  accountId,
  name: "Phone",
  scopes: ["imap", "smtp"],
  hash: "h1",
  createdAt: t0,
  maxPerAccount: 10,
  ...over,
});

export function runAppPasswordContract(open: () => Promise<ContractHandle>): void {
  describe("app passwords", () => {
    test("created, listed oldest first, kept across a reopen; candidates carry the hash, lists do not", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const a = await h.store.appPasswords.create(spec(bob.id, { name: "  Phone  " }));
        assert.deepEqual(a, {
          id: a.id,
          accountId: bob.id,
          name: "Phone",
          scopes: ["imap", "smtp"],
          createdAt: t0,
          lastUsedAt: null,
          lastUsedIp: null,
        });
        const b = await h.store.appPasswords.create(
          spec(bob.id, { name: "Laptop", scopes: ["managesieve", "jmap", "imap", "jmap"], hash: "h2" }),
        );
        assert.deepEqual(b.scopes, ["imap", "jmap", "managesieve"], "known order, each once");
        const again = await h.reopen();
        const list = await again.appPasswords.list(bob.id);
        assert.deepEqual(
          list.map((p) => [p.id, p.name]),
          [
            [a.id, "Phone"],
            [b.id, "Laptop"],
          ],
        );
        assert.ok(
          list.every((p) => !("hash" in p)),
          "a listing never holds the hash",
        );
        const c = await again.appPasswords.candidates(bob.id);
        assert.deepEqual(
          c.map((p) => p.hash),
          ["h1", "h2"],
        );
        assert.deepEqual(await again.appPasswords.get(bob.id, b.id), b);
      }));

    test("one account's app passwords are not another's", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const eve = await account(h.store, "eve@example.com");
        const a = await h.store.appPasswords.create(spec(bob.id));
        assert.deepEqual(await h.store.appPasswords.list(eve.id), []);
        assert.deepEqual(await h.store.appPasswords.candidates(eve.id), []);
        assert.equal(await h.store.appPasswords.get(eve.id, a.id), null);
        assert.equal(await h.store.appPasswords.revoke(eve.id, a.id), false);
        await h.store.appPasswords.touch(eve.id, a.id, { at: t0, ip: "192.0.2.9" });
        assert.equal((await h.store.appPasswords.get(bob.id, a.id))?.lastUsedAt, null);
      }));

    test("touch records the last use; revoke removes it for good", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const a = await h.store.appPasswords.create(spec(bob.id));
        const later = new Date(t0.getTime() + 60_000);
        await h.store.appPasswords.touch(bob.id, a.id, { at: later, ip: "2001:db8::1" });
        const got = await h.store.appPasswords.get(bob.id, a.id);
        assert.deepEqual([got?.lastUsedAt, got?.lastUsedIp], [later, "2001:db8::1"]);
        assert.equal(await h.store.appPasswords.revoke(bob.id, a.id), true);
        assert.equal(await h.store.appPasswords.revoke(bob.id, a.id), false);
        assert.equal(await h.store.appPasswords.get(bob.id, a.id), null);
        assert.deepEqual(await h.store.appPasswords.candidates(bob.id), []);
        await h.store.appPasswords.touch(bob.id, a.id, { at: later, ip: "192.0.2.1" });
        assert.deepEqual(await h.store.appPasswords.list(bob.id), [], "a touch does not bring it back");
      }));

    test("bad names and scopes are refused; the per-account bound holds; unknown accounts are not-found", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const ap = h.store.appPasswords;
        await rejectsWith(ap.create(spec(bob.id, { name: "   " })), "invalid");
        await rejectsWith(ap.create(spec(bob.id, { name: "x".repeat(65) })), "invalid");
        await rejectsWith(ap.create(spec(bob.id, { name: "a\nb" })), "invalid");
        await rejectsWith(ap.create(spec(bob.id, { scopes: [] })), "invalid");
        await rejectsWith(ap.create(spec(bob.id, { scopes: ["imap", "ftp" as "imap"] })), "invalid");
        await rejectsWith(ap.create(spec(bob.id, { createdAt: new Date(Number.NaN) })), "invalid");
        await rejectsWith(ap.create(spec(9999)), "not-found");
        assert.equal((await ap.create(spec(bob.id, { name: "x".repeat(64) }))).name.length, 64);
        await ap.create(spec(bob.id, { maxPerAccount: 2 }));
        await rejectsWith(ap.create(spec(bob.id, { maxPerAccount: 2 })), "quota");
        assert.equal((await ap.list(bob.id)).length, 2);
      }));

    test("deleting the account deletes its app passwords", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const a = await h.store.appPasswords.create(spec(bob.id));
        await h.store.directory.removeAccount(bob.id);
        const again = await account(h.store, "bob@example.com");
        assert.deepEqual(await h.store.appPasswords.list(bob.id), []);
        assert.deepEqual(await h.store.appPasswords.list(again.id), []);
        assert.equal(await h.store.appPasswords.get(bob.id, a.id), null);
      }));
  });
}
