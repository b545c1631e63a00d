// The duplicate memory's sweeper against the real SQLite store: expired records go, in batches,
// live ones stay (a vacation reply remembered for 7 days is not forgotten after one).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { silentLogger } from "../log/logger.js";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import { sweepExpiredDuplicates } from "./sieve-sweeper.js";

test("expired duplicate records are swept in batches; live ones stay", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-dup-sweep-"));
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), log: silentLogger });
  try {
    await store.directory.addDomain("example.test");
    const a = await store.directory.createAccount({ address: "a@example.test", passwordHash: "x" });
    const t0 = new Date("2030-01-01T00:00:00Z");
    for (let i = 0; i < 7; i++)
      assert.equal(await store.sieve.duplicate(a.id, `short-${i}`, t0, 3600, false), false);
    assert.equal(await store.sieve.duplicate(a.id, "long", t0, 7 * 86400, false), false);
    const later = new Date(t0.getTime() + 86400_000);
    const removed = await sweepExpiredDuplicates({ store: store.sieve, log: silentLogger, batch: 3 }, later);
    assert.equal(removed, 7);
    assert.equal(
      await store.sieve.duplicate(a.id, "long", later, 7 * 86400, false),
      true,
      "still remembered",
    );
    assert.equal(await store.sieve.duplicate(a.id, "short-0", later, 3600, false), false, "forgotten");
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
