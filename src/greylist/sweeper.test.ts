// The quiet-time sweep of expired greylist entries, on the real SQLite store: batch after batch
// until one comes back short, never more than maxBatches in one tick.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createLogger } from "../log/logger.js";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import type { GreylistPolicy } from "../store/types.js";
import { sweepExpired } from "./sweeper.js";

const log = createLogger({ format: "json", level: "error", write: () => {} });
const policy: GreylistPolicy = {
  delaySec: 300,
  retryWindowSec: 3600,
  passedTtlSec: 86400,
  autoAllowAfter: 0,
};
const t0 = Date.parse("2030-01-01T00:00:00Z");

async function withGreylist(
  n: number,
  fn: (s: Awaited<ReturnType<typeof openSqliteStore>>) => Promise<void>,
) {
  const dir = await mkdtemp(join(tmpdir(), "yubin-greysweep-"));
  const store = await openSqliteStore({ dataDir: dir, notifier: new LocalNotifier() });
  try {
    const first = new Date(t0);
    for (let i = 0; i < n; i++)
      await store.greylist.check(
        { network: "192.0.2.0/24", sender: `s${i}@example.org`, recipient: "b@example.com" },
        first,
        policy,
      );
    await fn(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test("sweepExpired removes everything expired in bounded batches and stops at a short batch", () =>
  withGreylist(12, async (store) => {
    const later = new Date(t0 + 2 * 3600_000); // past the retry window: all 12 expired
    assert.equal(await sweepExpired({ store: store.greylist, log, batch: 5 }, later), 12);
    assert.equal(await sweepExpired({ store: store.greylist, log, batch: 5 }, later), 0);
  }));

test("sweepExpired stops after maxBatches even when more remain (one tick never holds the writer long)", () =>
  withGreylist(40, async (store) => {
    const later = new Date(t0 + 2 * 3600_000);
    assert.equal(await sweepExpired({ store: store.greylist, log, batch: 10, maxBatches: 3 }, later), 30);
    assert.equal(await sweepExpired({ store: store.greylist, log, batch: 10, maxBatches: 3 }, later), 10);
  }));

test("nothing unexpired is removed", () =>
  withGreylist(3, async (store) => {
    assert.equal(await sweepExpired({ store: store.greylist, log }, new Date(t0 + 60_000)), 0);
  }));
