// The token expiry job on the real SQLite store: batch after batch until the models are at their
// caps, never more than maxBatches in one tick, recorded as one expiry; a cap of 0 is no limit.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { silentLogger } from "../../log/logger.js";
import { LocalNotifier } from "../../store/notifier.js";
import { openSqliteStore } from "../../store/sqlite/index.js";
import type { Store } from "../../store/types.js";
import { expireTokens, startTokenExpiry, tokenCaps } from "./expiry.js";

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** A store whose global model has 100 tokens and one user's model 40 (also in the global). */
async function withModels(fn: (store: Store, user: number) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-spam-expiry-"));
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), log: silentLogger });
  try {
    await store.directory.addDomain("example.test");
    const a = await store.directory.createAccount({ address: "a@example.test", passwordHash: "x" });
    const at = new Date("2030-01-01T00:00:00Z");
    await store.spam.train({ accountId: 0, key: "c", as: "ham", hashes: range(1, 60), scopes: [0], at });
    await store.spam.train({
      accountId: a.id,
      key: "u",
      as: "spam",
      hashes: range(1001, 40),
      scopes: [0, a.id],
      at,
    });
    await fn(store, a.id);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

test("one sweep cuts every model to its cap in batches, recorded as one expiry", () =>
  withModels(async (store, user) => {
    assert.deepEqual(await store.spam.modelStats(), { models: 2, tokens: 140 });
    const now = new Date("2030-02-01T00:00:00Z");
    const opts = {
      store: store.spam,
      log: silentLogger,
      maxTokensGlobal: 70,
      maxTokensPerUser: 25,
      batch: 7,
    };
    // 30 over in the global model, 15 in the user's: 45 rows, 7 batches (the last one short).
    assert.equal(await expireTokens(opts, now), 45);
    assert.deepEqual(await store.spam.modelStats(), { models: 2, tokens: 70 + 25 });
    assert.equal((await store.spam.tokenCounts(user, range(1001, 40))).size, 25);
    assert.deepEqual(await store.spam.lastExpiry(), { at: now, removed: 45 });
    assert.equal(await expireTokens(opts, now), 0, "at the caps: nothing more");
  }));

test("a tick stops after maxBatches; the next one goes on", () =>
  withModels(async (store) => {
    const opts = { store: store.spam, log: silentLogger, maxTokensGlobal: 70, maxTokensPerUser: 0 };
    assert.equal(await expireTokens({ ...opts, batch: 4, maxBatches: 3 }), 12);
    assert.equal(await expireTokens({ ...opts, batch: 4, maxBatches: 100 }), 18);
    assert.deepEqual(await store.spam.modelStats(), { models: 2, tokens: 70 + 40 }, "per-user 0: no limit");
  }));

test("caps of 0 are no limit; both 0 starts no sweep", () => {
  assert.equal(tokenCaps({ maxTokensGlobal: 0, maxTokensPerUser: 0 }), null);
  assert.deepEqual(tokenCaps({ maxTokensGlobal: 5, maxTokensPerUser: 0 }), {
    global: 5,
    perUser: 1_000_000_000,
  });
  let asked = 0;
  const store = {
    expireTokens: async () => {
      asked++;
      return 0;
    },
    lastExpiry: async () => null,
  };
  const stop = startTokenExpiry({
    store,
    log: silentLogger,
    maxTokensGlobal: 0,
    maxTokensPerUser: 0,
    intervalMs: 1,
  });
  stop();
  return expireTokens({ store, log: silentLogger, maxTokensGlobal: 0, maxTokensPerUser: 0 }).then((n) => {
    assert.equal(n, 0);
    assert.equal(asked, 0, "the store is never asked");
  });
});
