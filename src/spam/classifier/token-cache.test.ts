import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { LocalNotifier } from "../../store/notifier.js";
import { openSqliteStore } from "../../store/sqlite/index.js";
import type { SpamTraining } from "../../store/types.js";
import { classify } from "./classify.js";
import { MemorySpamModel } from "./memory-model.js";
import { TokenCache } from "./token-cache.js";

/** The in-memory model, counting the hashes looked up. */
class CountingModel extends MemorySpamModel {
  asked = 0;
  override tokenCounts(scope: number, hashes: readonly number[]) {
    this.asked += hashes.length;
    return super.tokenCounts(scope, hashes);
  }
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

function training(key: string, as: SpamTraining["as"], hashes: number[]): SpamTraining {
  return { accountId: 0, key, as, hashes, scopes: [0] };
}

/** 20 spam messages with tokens 1–50 and 20 ham with 51–100: a model ready to classify. */
async function trainReady(store: Pick<MemorySpamModel, "train">): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await store.train(training(`s${i}`, "spam", range(1, 50)));
    await store.train(training(`h${i}`, "ham", range(51, 50)));
  }
}

describe("TokenCache", () => {
  it("answers a message's tokens seen before from memory, known and unknown alike, as the store would", async () => {
    const store = new CountingModel();
    await trainReady(store);
    const cache = new TokenCache(store, { maxEntries: 1000 });
    const hashes = [...range(1, 10), ...range(1000, 10)];
    await cache.sync();
    const first = await cache.tokenCounts(0, hashes);
    assert.equal(store.asked, 20);
    assert.deepEqual(first, await store.tokenCounts(0, hashes));
    assert.equal(first.size, 10, "unknown tokens are absent, as from the store");
    const want = await store.tokenCounts(0, [...hashes, 60]);
    store.asked = 0;
    await cache.sync();
    assert.deepEqual(await cache.tokenCounts(0, [...hashes, 60]), want);
    assert.equal(store.asked, 1, "only the new token asked");
    assert.deepEqual(await cache.modelTotals(0), { spam: 20, ham: 20 });
  });

  it("holds at most maxEntries, and still answers correctly past it", async () => {
    const store = new CountingModel();
    await trainReady(store);
    const cache = new TokenCache(store, { maxEntries: 100 });
    await cache.sync();
    for (let i = 0; i < 50; i++) {
      const hashes = range(i * 37, 40);
      assert.deepEqual(await cache.tokenCounts(0, hashes), await store.tokenCounts(0, hashes));
      assert.ok(cache.size <= 100, `size ${cache.size}`);
    }
    assert.ok(cache.size >= 50, "it does keep entries");
  });

  it("a training by another handle on the same database is seen by the next message (sqlite)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "yubin-token-cache-"));
    // The server's store and a second one on the same data directory, as `yubin spam train`
    // opens it: another connection, whose writes this process learns of only from the database.
    const server = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
    const cli = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
    try {
      await trainReady(cli.spam);
      const cache = new TokenCache(server.spam, { maxEntries: 10_000 });
      const probe = [...range(1, 5), ...range(51, 10), 7777];
      const score = async () => {
        await cache.sync();
        return (await classify(cache, { accountId: null }, { hashes: probe, headerCount: 0 })).probability;
      };
      const before = await score();
      assert.equal(await score(), before, "cached: the same answer");
      const v = await server.spam.modelVersion();
      // The probe's spam tokens trained as ham many times: the probe now looks like ham.
      for (let i = 0; i < 30; i++) await cli.spam.train(training(`cli${i}`, "ham", probe));
      assert.ok((await server.spam.modelVersion()) > v, "the other handle's training bumped the version");
      const after = await score();
      const fresh = (await classify(server.spam, { accountId: null }, { hashes: probe, headerCount: 0 }))
        .probability;
      assert.equal(after, fresh, "no stale counts");
      assert.ok(after < before, `${after} < ${before}`);
    } finally {
      await cli.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("prefs: read once, then from memory; a change by another handle shows at the next sync (sqlite)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "yubin-token-cache-"));
    const server = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
    const cli = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
    try {
      await server.directory.addDomain("example.com");
      const a = await server.directory.createAccount({ address: "a@example.com", passwordHash: "x" });
      let reads = 0;
      const counted = {
        ...server.spam,
        getSpamPrefs: (id: number) => {
          reads++;
          return server.spam.getSpamPrefs(id);
        },
      };
      const cache = new TokenCache(counted, { maxEntries: 1000 });
      await cache.sync();
      assert.equal((await cache.spamPrefs(a.id)).junkScore, null);
      await cache.sync();
      assert.equal((await cache.spamPrefs(a.id)).junkScore, null);
      assert.equal(reads, 1, "the second message's prefs came from memory");
      await cli.spam.setSpamPrefs(a.id, { junkScore: 3, block: ["@spam.example"] });
      await cache.sync();
      assert.deepEqual(await cache.spamPrefs(a.id), await server.spam.getSpamPrefs(a.id));
      assert.equal((await cache.spamPrefs(a.id)).junkScore, 3, "the other handle's change is seen");
      await assert.rejects(
        cache.spamPrefs(a.id + 99),
        /no account/,
        "an unknown account is the store's error",
      );
      await cli.directory.removeAccount(a.id);
      await cache.sync();
      await assert.rejects(cache.spamPrefs(a.id), /no account/, "a removed account's prefs are gone");
    } finally {
      await cli.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("maxEntries 0 keeps nothing: every read goes to the store", async () => {
    const store = new CountingModel();
    await trainReady(store);
    const cache = new TokenCache(store, { maxEntries: 0 });
    for (let i = 0; i < 2; i++) {
      await cache.sync();
      await cache.tokenCounts(0, range(1, 10));
    }
    assert.equal(store.asked, 20);
    assert.equal(cache.size, 0);
  });
});
