// The stored counters' observer (recorder.ts) on a real SQLite store: events land in the hour of
// the clock, a flush is one store call for all of them, a failed write loses nothing, the counts
// survive a restart, and the queue gauge and the prune run from sample().
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { silentLogger } from "../log/logger.js";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite/index.js";
import type { StatsEntry, StatsStore } from "../store/types.js";
import { StatsRecorder, type StatsRecorderOptions } from "./recorder.js";
import { HOUR_MS } from "./series.js";

const T0 = Date.UTC(2026, 11, 7, 10, 59, 59, 500); // half a second before 11:00 UTC
const H10 = Math.floor(T0 / HOUR_MS);

async function withStore(fn: (store: SqliteStore, reopen: () => Promise<SqliteStore>) => Promise<void>) {
  const dataDir = mkdtempSync(join(tmpdir(), "yubin-stats-"));
  let store = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
  try {
    await fn(store, async () => {
      await store.close();
      store = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
      return store;
    });
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function recorder(stats: StatsStore, clock: { t: number }, extra: Partial<StatsRecorderOptions> = {}) {
  return new StatsRecorder({
    store: stats,
    log: silentLogger,
    flushSec: 60,
    queueSampleSec: 300,
    hourlyRetentionDays: 32,
    dailyRetentionDays: 400,
    queueSize: async () => 0,
    now: () => clock.t,
    ...extra,
  });
}

describe("stats recorder", () => {
  test("events land in the hour of the clock, and survive a restart", () =>
    withStore(async (store, reopen) => {
      const clock = { t: T0 };
      const r = recorder(store.statistics, clock);
      r.messageAccepted("inbound");
      r.messageAccepted("inbound");
      r.messageAccepted("submission");
      r.messageAccepted("jmap");
      r.messageAccepted("system"); // the server's own DSNs are neither in nor submitted
      r.login("imap", "failed");
      r.login("imap", "ok");
      r.messageRejected("inbound", "dnsbl");
      clock.t += 1000; // now 11:00:00.500
      r.messageAccepted("inbound");
      r.login("smtp", "throttled");
      r.delivery("deferred", "remote");
      r.delivery("bounced", "remote");
      r.delivery("delivered", "remote");
      r.delivery("delivered", "local");
      r.spamVerdict("junk");
      r.spamVerdict("ham");
      r.virusFound();
      r.messageRejected("inbound", "virus");
      r.command("smtp", "RCPT");
      r.connection("smtp");
      r.storeCommit(0.001, 0.001);
      assert.deepEqual(
        await store.statistics.series(["msg.in"], 0, H10 + 10),
        [],
        "nothing written before a flush",
      );
      assert.equal(r.unwritten().length, 13);
      await r.stop();
      assert.deepEqual(r.unwritten(), []);
      const again = await reopen();
      const got = await again.statistics.series(
        [
          "msg.in",
          "msg.submitted",
          "login.failed",
          "login.throttled",
          "rejected.dnsbl",
          "rejected.virus",
          "delivery.deferred",
          "delivery.bounced",
          "delivery.remote.delivered",
          "delivery.local.delivered",
          "spam.junk",
          "virus",
        ],
        H10,
        H10 + 2,
      );
      assert.deepEqual(
        got.map((p) => `${p.name}@${p.at - H10}=${p.n}`),
        [
          "msg.in@0=2",
          "msg.in@1=1",
          "msg.submitted@0=2",
          "login.failed@0=1",
          "login.throttled@1=1",
          "rejected.dnsbl@0=1",
          "rejected.virus@1=1",
          "delivery.deferred@1=1",
          "delivery.bounced@1=1",
          "delivery.remote.delivered@1=1",
          "delivery.local.delivered@1=1",
          "spam.junk@1=1",
          "virus@1=1",
        ],
      );
    }));

  test("one store call per flush, whatever the number of events; a failed write is kept", () =>
    withStore(async (store) => {
      const calls: StatsEntry[][] = [];
      let fail = true;
      const flaky: StatsStore = {
        ...store.statistics,
        add: async (entries) => {
          calls.push([...entries]);
          if (fail) throw new Error("disk full");
          await store.statistics.add(entries);
        },
      };
      const clock = { t: T0 };
      const r = recorder(flaky, clock);
      for (let i = 0; i < 10_000; i++) r.login("imap", "failed");
      await r.flush();
      assert.equal(calls.length, 1);
      assert.deepEqual(calls[0], [{ name: "login.failed", hour: H10, n: 10_000 }]);
      // Kept, and added to by what comes meanwhile.
      r.login("imap", "failed");
      fail = false;
      await r.flush();
      assert.equal(calls.length, 2);
      assert.deepEqual(calls[1], [{ name: "login.failed", hour: H10, n: 10_001 }]);
      await r.flush(); // nothing new: no call
      assert.equal(calls.length, 2);
      assert.deepEqual(await store.statistics.series(["login.failed"], H10, H10 + 1), [
        { name: "login.failed", at: H10, n: 10_001 },
      ]);
    }));

  test("sample() stores the queue size as the hour's largest and prunes beyond retention", () =>
    withStore(async (store) => {
      const clock = { t: T0 };
      let size = 7;
      const r = recorder(store.statistics, clock, { queueSize: async () => size, hourlyRetentionDays: 2 });
      await store.statistics.add([{ name: "msg.in", hour: H10 - 72, n: 1 }]);
      await r.sample();
      size = 3;
      await r.sample();
      assert.deepEqual(await store.statistics.series(["queue.size"], H10, H10 + 1), [
        { name: "queue.size", at: H10, n: 7 },
      ]);
      assert.deepEqual(
        await store.statistics.series(["msg.in"], 0, H10 + 1),
        [],
        "older than 2 days: pruned",
      );
      assert.equal((await store.statistics.daily(["msg.in"], 0, H10)).length, 1, "the day is kept for 400");
    }));
});
