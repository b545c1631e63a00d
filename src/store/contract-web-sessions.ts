// The WebSessionStore part of the store contract (issue 15: web sessions and JMAP tokens that
// survive a restart, and the feed of login changes), run by runStoreContract (contract.ts)
// against every backend. The store keeps hashes, never tokens; it judges expiry by the times it
// is given, bounds sessions per account and in all, and reports changes that end logins.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type ContractHandle, rejectsWith, withStore } from "./contract-kit.js";
import type { Store, WebSession } from "./types.js";

const t0 = new Date("2030-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const HOUR = 3_600_000;
const lots = { maxPerAccount: 100, maxTotal: 1000 };

const spec = (accountId: number, over: Partial<WebSession> = {}): WebSession => ({
  kind: "web",
  tokenHash: "hash-1",
  accountId,
  credentialStamp: "stamp",
  ip: "192.0.2.1",
  createdAt: t0,
  lastSeenAt: t0,
  expiresAt: at(12 * HOUR),
  idleMs: HOUR,
  ...over,
});

/** The ids the store reports after `act`: its own writes come right after their commit, but
 *  the test waits up to 2 s for the first (a loaded machine), then 50 ms for any more; when none
 *  is expected, 200 ms. */
async function changesAfter(store: Store, act: () => Promise<unknown>, expect = true): Promise<number[]> {
  const seen: number[] = [];
  const off = store.webSessions.onLoginChange((id) => seen.push(id));
  try {
    await act();
    for (let waited = 0; expect && seen.length === 0 && waited < 2000; waited += 10)
      await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, expect ? 50 : 200));
  } finally {
    off();
  }
  return seen;
}

export function runWebSessionContract(open: () => Promise<ContractHandle>): void {
  describe("web sessions", () => {
    test("kept across a reopen, found by kind and hash only, removed one by one", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        await h.store.webSessions.create(spec(bob.id), lots);
        await h.store.webSessions.create(spec(bob.id, { kind: "jmap" }), lots);
        await rejectsWith(h.store.webSessions.create(spec(bob.id), lots), "exists");
        await rejectsWith(h.store.webSessions.create(spec(99_999, { tokenHash: "x" }), lots), "not-found");
        const again = await h.reopen();
        assert.deepEqual(await again.webSessions.get("web", "hash-1", at(1000)), spec(bob.id));
        assert.equal(await again.webSessions.get("web", "hash-2", at(1000)), null);
        assert.equal(await again.webSessions.count("jmap"), 1);
        assert.equal(await again.webSessions.remove("web", "hash-1"), true);
        assert.equal(await again.webSessions.remove("web", "hash-1"), false);
        assert.equal(await again.webSessions.get("web", "hash-1", at(1000)), null);
        assert.ok(await again.webSessions.get("jmap", "hash-1", at(1000)), "the other kind stays");
      }));

    test("idle and absolute expiry; touch moves the idle clock, never back", () =>
      withStore(open, async ({ store }) => {
        const bob = await account(store, "bob@example.com");
        const w = store.webSessions;
        await w.create(spec(bob.id, { tokenHash: "a" }), lots);
        await w.create(spec(bob.id, { tokenHash: "b" }), lots);
        await w.touch("web", "a", at(HOUR - 1));
        await w.touch("web", "a", at(10)); // an older use recorded late changes nothing
        assert.deepEqual((await w.get("web", "a", at(HOUR)))?.lastSeenAt, at(HOUR - 1));
        assert.equal(await w.get("web", "b", at(HOUR)), null, "idle an hour");
        assert.equal(await w.count("web"), 1, "an expired session found is removed");
        for (let i = 2; i <= 12; i++) await w.touch("web", "a", at(i * HOUR - 1));
        assert.equal(await w.get("web", "a", at(12 * HOUR)), null, "past its maximum age, however used");
      }));

    test("bounded per account and in all: the least recently seen go", () =>
      withStore(open, async ({ store }) => {
        const bob = await account(store, "bob@example.com");
        const ann = await account(store, "ann@example.com");
        const w = store.webSessions;
        const limits = { maxPerAccount: 3, maxTotal: 5 };
        for (let i = 0; i < 3; i++)
          await w.create(spec(bob.id, { tokenHash: `b${i}`, lastSeenAt: at(i), createdAt: at(i) }), limits);
        await w.touch("web", "b0", at(100)); // b1 is now the least recently seen
        await w.create(spec(bob.id, { tokenHash: "b3", lastSeenAt: at(200), createdAt: at(200) }), limits);
        assert.equal(await w.get("web", "b1", at(300)), null);
        for (const x of ["b0", "b2", "b3"]) assert.ok(await w.get("web", x, at(300)), x);
        for (let i = 0; i < 3; i++)
          await w.create(
            spec(ann.id, { tokenHash: `a${i}`, lastSeenAt: at(400 + i), createdAt: at(400) }),
            limits,
          );
        assert.equal(await w.count("web"), 5);
        assert.equal(await w.get("web", "b2", at(500)), null, "the oldest of all went");
        await w.create(spec(ann.id, { kind: "jmap", tokenHash: "j" }), limits);
        assert.equal(await w.count("web"), 5, "each kind has its own bound");
      }));

    test("an account's sessions end together, one kept on request, and go with the account", () =>
      withStore(open, async ({ store }) => {
        const bob = await account(store, "bob@example.com");
        const ann = await account(store, "ann@example.com");
        const w = store.webSessions;
        for (const tokenHash of ["x", "y", "z"]) await w.create(spec(bob.id, { tokenHash }), lots);
        await w.create(spec(bob.id, { kind: "jmap", tokenHash: "j" }), lots);
        await w.create(spec(ann.id, { tokenHash: "ann" }), lots);
        assert.equal(await w.removeAccount(bob.id, { kind: "web", except: "x" }), 2);
        assert.ok(await w.get("web", "x", at(1)));
        assert.ok(await w.get("jmap", "j", at(1)));
        assert.equal(await w.removeAccount(bob.id), 2);
        await store.directory.removeAccount(ann.id);
        assert.equal(await w.count("web"), 0);
      }));

    test("sweep removes what has expired, within its limit", () =>
      withStore(open, async ({ store }) => {
        const bob = await account(store, "bob@example.com");
        const w = store.webSessions;
        for (let i = 0; i < 5; i++) await w.create(spec(bob.id, { tokenHash: `s${i}` }), lots);
        await w.create(
          spec(bob.id, { tokenHash: "live", expiresAt: at(100 * HOUR), idleMs: 10 * HOUR }),
          lots,
        );
        assert.equal(await w.sweep(at(2 * HOUR), 3), 3);
        assert.equal(await w.sweep(at(2 * HOUR), 100), 2);
        assert.equal(await w.count("web"), 1);
      }));

    test("login changes: password, disable, deletion, a revoked app password, a second factor turned on", () =>
      withStore(open, async ({ store }) => {
        const bob = await account(store, "bob@example.com");
        const d = store.directory;
        assert.deepEqual(await changesAfter(store, () => d.updateAccount(bob.id, { passwordHash: "h2" })), [
          bob.id,
        ]);
        assert.deepEqual(await changesAfter(store, () => d.updateAccount(bob.id, { disabled: true })), [
          bob.id,
        ]);
        assert.deepEqual(
          await changesAfter(store, () => d.updateAccount(bob.id, { quotaBytes: 5 }), false),
          [],
          "a quota change ends nothing",
        );
        const app = await store.appPasswords.create({
          accountId: bob.id,
          name: "Phone",
          scopes: ["imap"],
          hash: "h",
          createdAt: t0,
          maxPerAccount: 5,
        });
        assert.deepEqual(await changesAfter(store, () => store.appPasswords.revoke(bob.id, app.id)), [
          bob.id,
        ]);
        await store.secondFactors.beginTotp(bob.id, { sealedSecret: "s", at: t0 });
        assert.deepEqual(await changesAfter(store, () => store.secondFactors.confirmTotp(bob.id, 1)), [
          bob.id,
        ]);
        assert.deepEqual(await changesAfter(store, () => d.removeAccount(bob.id)), [bob.id]);
      }));

    test("after a reopen the feed reports new changes, not those made before", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        await h.store.directory.updateAccount(bob.id, { passwordHash: "h2" });
        const s2 = await h.reopen();
        const seen = await changesAfter(s2, () => s2.directory.updateAccount(bob.id, { disabled: true }));
        assert.deepEqual(seen, [bob.id]);
      }));
  });
}
