// The SieveStore part of the store contract (issue 19: users' Sieve scripts and the duplicate
// test's memory), run by runStoreContract (contract.ts) against every backend. ManageSieve
// (RFC 5804), JMAP Sieve (RFC 9661), the webmail and the CLI all write through it, so the rules
// those protocols share live here: exact names, one active script, the active one not deletable.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type ContractHandle, rejectsWith, withStore } from "./contract-kit.js";

const roomy = { maxScripts: 10, maxTotalBytes: 100_000 };
const t0 = new Date("2030-01-01T00:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

export function runSieveContract(open: () => Promise<ContractHandle>): void {
  describe("sieve scripts", () => {
    test("put stores byte-exact text, lists by name, survives a reopen; replace keeps id and active", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const text = 'require "fileinto";\r\nif header :contains "subject" "ü" { fileinto "Ünï"; }\n';
        const b = await h.store.sieve.put(bob.id, "b rules", text, roomy);
        assert.deepEqual([b.accountId, b.name, b.content, b.active], [bob.id, "b rules", text, false]);
        assert.ok(b.updatedAt instanceof Date);
        const a = await h.store.sieve.put(bob.id, "Älpha", "keep;", roomy);
        const A = await h.store.sieve.put(bob.id, "A", "keep;", roomy);
        assert.notEqual(a.id, b.id);
        const again = await h.reopen();
        assert.deepEqual(
          (await again.sieve.list(bob.id)).map((s) => s.name),
          ["A", "b rules", "Älpha"],
          "by name, compared exactly",
        );
        assert.deepEqual(await again.sieve.get(bob.id, "b rules"), b);
        assert.deepEqual(await again.sieve.getById(bob.id, A.id), A);
        assert.equal(await again.sieve.get(bob.id, "B RULES"), null, "names compare exactly");
        await again.sieve.setActive(bob.id, "b rules");
        const b2 = await again.sieve.put(bob.id, "b rules", "discard;", roomy);
        assert.deepEqual([b2.id, b2.active, b2.content], [b.id, true, "discard;"]);
        await rejectsWith(again.sieve.put(bob.id, "b rules", "stop;", roomy, { createOnly: true }), "exists");
        assert.equal(
          (await again.sieve.get(bob.id, "b rules"))?.content,
          "discard;",
          "createOnly replaces nothing",
        );
        assert.equal(
          (await again.sieve.put(bob.id, "new", "stop;", roomy, { createOnly: true })).name,
          "new",
        );
        assert.equal((await again.sieve.active(bob.id))?.content, "discard;");
      }));

    test("names: 1 to 128 characters, no control characters; unknown account refused", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const s = h.store.sieve;
        for (const bad of [
          "",
          "a\nb",
          "tab\there",
          "del\u007f",
          "c1\u0085",
          "ls\u2028",
          "x".repeat(129),
          "\ud800",
        ])
          await rejectsWith(s.put(bob.id, bad, "keep;", roomy), "invalid");
        const long = "😀".repeat(128);
        assert.equal(
          (await s.put(bob.id, long, "keep;", roomy)).name,
          long,
          "128 characters, not code units",
        );
        assert.equal((await s.put(bob.id, " spaced ", "keep;", roomy)).name, " spaced ", "kept as given");
        await rejectsWith(s.put(bob.id + 1000, "x", "keep;", roomy), "not-found");
        assert.deepEqual(await s.list(bob.id + 1000), []);
      }));

    test("quota: number of scripts and their bytes together; replacing counts the new size", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const s = h.store.sieve;
        const lim = { maxScripts: 2, maxTotalBytes: 20 };
        await s.put(bob.id, "one", "a".repeat(10), lim);
        await s.put(bob.id, "two", "é".repeat(5), lim); // 10 bytes in UTF-8
        await rejectsWith(s.put(bob.id, "three", "k", lim), "quota");
        await s.put(bob.id, "two", "b".repeat(10), lim);
        await rejectsWith(s.put(bob.id, "two", "b".repeat(11), lim), "quota");
        assert.equal((await s.get(bob.id, "two"))?.content, "b".repeat(10), "a refused put changes nothing");
        await s.remove(bob.id, "two");
        await s.put(bob.id, "three", "c".repeat(10), lim);
      }));

    test("rename: keeps id, content and active; collisions are 'exists', unknown 'not-found'", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const s = h.store.sieve;
        const a = await s.put(bob.id, "a", "keep;", roomy);
        await s.put(bob.id, "b", "discard;", roomy);
        await s.setActive(bob.id, "a");
        await rejectsWith(s.rename(bob.id, "a", "b"), "exists");
        await rejectsWith(s.rename(bob.id, "nope", "c"), "not-found");
        await rejectsWith(s.rename(bob.id, "a", ""), "invalid");
        const c = await s.rename(bob.id, "a", "c");
        assert.deepEqual([c.id, c.name, c.content, c.active], [a.id, "c", "keep;", true]);
        assert.equal(await s.get(bob.id, "a"), null);
        assert.equal((await s.rename(bob.id, "c", "c")).id, a.id, "to its own name: a no-op");
      }));

    test("one active at most; the active cannot be removed ('readonly'); null deactivates", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const s = h.store.sieve;
        await s.put(bob.id, "a", "keep;", roomy);
        await s.put(bob.id, "b", "keep;", roomy);
        assert.equal(await s.active(bob.id), null);
        await s.setActive(bob.id, "a");
        await s.setActive(bob.id, "b");
        assert.deepEqual(
          (await s.list(bob.id)).map((x) => [x.name, x.active]),
          [
            ["a", false],
            ["b", true],
          ],
        );
        await rejectsWith(s.setActive(bob.id, "zz"), "not-found");
        assert.equal((await s.active(bob.id))?.name, "b", "a failed activation changes nothing");
        await rejectsWith(s.remove(bob.id, "b"), "readonly");
        await rejectsWith(s.remove(bob.id, "zz"), "not-found");
        await s.remove(bob.id, "a");
        await s.setActive(bob.id, null);
        assert.equal(await s.active(bob.id), null);
        const b = await s.get(bob.id, "b");
        await s.remove(bob.id, "b");
        assert.deepEqual(await s.list(bob.id), []);
        const c = await s.put(bob.id, "b", "keep;", roomy);
        assert.ok(b && c.id > b.id, "ids are never reused (JMAP ids name one object for good)");
      }));

    test("state grows with every put, rename, remove and activation, and is the change log's", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const s = h.store.sieve;
        let last = await s.state(bob.id);
        const grows = async (what: string) => {
          const now = await s.state(bob.id);
          assert.ok(now > last, `${what}: ${now} > ${last}`);
          last = now;
        };
        const a = await s.put(bob.id, "a", "keep;", roomy);
        await grows("create");
        await s.put(bob.id, "a", "discard;", roomy);
        await grows("replace");
        await s.rename(bob.id, "a", "b");
        await grows("rename");
        await s.setActive(bob.id, "b");
        await grows("activate");
        await s.setActive(bob.id, null);
        await grows("deactivate");
        const mid = last;
        await s.remove(bob.id, "b");
        await grows("remove");
        const ch = await h.store.mail.objectChangesSince(bob.id, "sieveScript", mid, 10);
        assert.deepEqual(
          ch.changes.map((c) => [c.id, c.kind]),
          [[a.id, "destroyed"]],
        );
        assert.equal(ch.seq, last);
        assert.equal((await h.store.mail.changeState(bob.id)).sieveScript, last);
      }));

    test("one account's scripts are not another's; account deletion removes them", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const eve = await account(h.store, "eve@example.com");
        const b = await h.store.sieve.put(bob.id, "rules", "keep;", roomy);
        await h.store.sieve.setActive(bob.id, "rules");
        await h.store.sieve.put(eve.id, "rules", "discard;", roomy);
        await h.store.sieve.setActive(eve.id, "rules");
        assert.equal(await h.store.sieve.getById(eve.id, b.id), null);
        assert.equal((await h.store.sieve.active(eve.id))?.content, "discard;");
        await h.store.sieve.duplicate(bob.id, "k", t0, 60, false);
        await h.store.directory.removeAccount(bob.id);
        assert.deepEqual(await h.store.sieve.list(bob.id), []);
        assert.equal(await h.store.sieve.getById(bob.id, b.id), null);
        const again = await account(h.store, "bob@example.com");
        assert.equal(await h.store.sieve.duplicate(again.id, "k", t0, 60, false), false);
        assert.equal((await h.store.sieve.active(eve.id))?.name, "rules");
      }));
  });

  describe("sieve duplicate memory (RFC 7352)", () => {
    test("unseen records, seen within the period is true, expiry ends it", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const d = (key: string, t: number, secs: number, last = false) =>
          h.store.sieve.duplicate(bob.id, key, at(t), secs, last);
        assert.equal(await d("m1", 0, 60), false, "first sighting");
        assert.equal(await d("m1", 30, 60), true);
        assert.equal(await d("m1", 59, 60), true);
        // Without :last the first sighting's period stands: seen at 0, so gone at 60.
        assert.equal(await d("m1", 60, 60), false, "period over");
        assert.equal(await d("m1", 61, 60), true, "recorded again at 60");
        assert.equal(await d("m2", 61, 60), false, "keys are separate");
        const eve = await account(h.store, "eve@example.com");
        assert.equal(await h.store.sieve.duplicate(eve.id, "m1", at(61), 60, false), false, "per account");
      }));

    test("seenDuplicate answers as duplicate would and records nothing", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const seen = (key: string, t: number, secs: number) =>
          h.store.sieve.seenDuplicate(bob.id, key, at(t), secs);
        assert.equal(await seen("m1", 0, 60), false);
        assert.equal(await seen("m1", 1, 60), false, "asking did not record it");
        assert.equal(await h.store.sieve.duplicate(bob.id, "m1", at(10), 60, false), false, "still unseen");
        assert.equal(await seen("m1", 20, 60), true);
        assert.equal(await seen("m1", 69, 60), true);
        assert.equal(await seen("m1", 70, 60), false, "period over");
        assert.equal(await seen("m1", 20, 5), false, "the asker's period counts");
        const eve = await account(h.store, "eve@example.com");
        assert.equal(await h.store.sieve.seenDuplicate(eve.id, "m1", at(20), 60), false, "per account");
        const again = await h.reopen();
        assert.equal(await again.sieve.seenDuplicate(bob.id, "m1", at(30), 60), true, "durable");
      }));

    test(":last moves the period on with each sighting", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const d = (t: number, last: boolean) => h.store.sieve.duplicate(bob.id, "k", at(t), 60, last);
        assert.equal(await d(0, true), false);
        assert.equal(await d(50, true), true);
        assert.equal(await d(100, true), true, "50 s after the last sighting");
        assert.equal(await d(150, false), true);
        assert.equal(await d(170, false), false, "70 s after the last recorded sighting");
      }));

    test("sweep removes expired records only, at most `limit`, durably", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        for (let i = 0; i < 5; i++) await h.store.sieve.duplicate(bob.id, `old${i}`, t0, 10, false);
        await h.store.sieve.duplicate(bob.id, "new", t0, 1000, false);
        assert.equal(await h.store.sieve.sweepDuplicates(at(10), 3), 3);
        assert.equal(await h.store.sieve.sweepDuplicates(at(10), 100), 2);
        assert.equal(await h.store.sieve.sweepDuplicates(at(10), 100), 0);
        const again = await h.reopen();
        // A swept key was past its period anyway; the unexpired one is still remembered.
        assert.equal(await again.sieve.duplicate(bob.id, "new", at(20), 1000, false), true);
        assert.equal(await again.sieve.duplicate(bob.id, "old0", at(5), 10, false), false, "swept");
      }));

    test("recording keys forgets expired ones as it goes: the memory stays bounded without a sweep", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        for (let i = 0; i < 6; i++) await h.store.sieve.duplicate(bob.id, `old${i}`, t0, 10, false);
        for (let i = 0; i < 3; i++) await h.store.sieve.duplicate(bob.id, `new${i}`, at(100), 10, false);
        assert.equal(await h.store.sieve.sweepDuplicates(at(100), 100), 0, "nothing expired left");
        assert.equal(
          await h.store.sieve.duplicate(bob.id, "new0", at(101), 10, false),
          true,
          "live keys kept",
        );
      }));
  });
}
