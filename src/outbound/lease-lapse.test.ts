// A queue entry's lease that lapses while this process still delivers it (its renewals refused:
// a store too busy or away, or a starved event loop) hands the entry back to this process's next
// claim. The runner must not work it a second time: the remote server would get it twice. (Seen
// in CI: a node at load 40 sent one of 100 messages twice, multi-node.test.ts.)
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { defaultConfig } from "../config/load.js";
import { createCachedDnsResolver } from "../dns/resolver.js";
import { silentLogger } from "../log/logger.js";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import type { Store } from "../store/types.js";
import { startDnsServer } from "../testing/dns-server.js";
import { createQueueRunner } from "./runner.js";
import { sleep, waitFor } from "./test-helpers.js";
import { type SinkScript, startSink } from "./test-sink.js";

/** `store` whose queue refuses every lease renewal (as a store too busy to answer). */
function refusingRenewals(store: Store): { store: Store; refused: () => number } {
  let refused = 0;
  const queue = new Proxy(store.queue, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (key === "renewLease") {
        return () => {
          refused++;
          return Promise.reject(new Error("store busy"));
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const wrapped = new Proxy(store, {
    get(target, key) {
      if (key === "queue") return queue;
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: wrapped, refused: () => refused };
}

/** A runner on its own SQLite store (seen through `wrap`), delivering to a scripted sink for
 *  far.test with 50 ms polls, and one message queued for x@far.test. */
async function setup(
  t: TestContext,
  o: {
    data: SinkScript["data"];
    outbound: Record<string, number>;
    wrap: (s: Store) => Store;
    mailFrom: string;
  },
) {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-lease-lapse-"));
  const dns = await startDnsServer([
    { name: "far.test", type: "MX", exchange: "mx.far.test", priority: 10 },
    { name: "mx.far.test", type: "A", value: "127.0.0.1" },
  ]);
  const sink = await startSink({ data: o.data });
  const real = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), fullTextIndexer: false });
  t.after(async () => {
    await real.close();
    await sink.stop();
    await dns.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  const config = defaultConfig();
  Object.assign(config.outbound, { enabled: true, port: sink.port, pollIntervalMs: 50, ...o.outbound });
  Object.assign(config.dns, { servers: dns.servers, timeoutMs: 10_000, tries: 2 });
  const runner = createQueueRunner({
    store: o.wrap(real),
    config,
    log: silentLogger,
    resolver: createCachedDnsResolver(config.dns),
    postOffice: { postSystem: async () => null },
  });
  await real.queue.enqueue({
    body: Buffer.from("Subject: once\r\n\r\nonly once\r\n"),
    mailFrom: o.mailFrom,
    recipients: [{ address: "x@far.test" }],
  });
  return { sink, real, runner };
}

test("a lease lapsed mid-delivery: the same runner does not send the entry again", async (t) => {
  // The first DATA is answered only after ten leases' time: the lease lapses meanwhile.
  let refused = () => 0;
  const { sink, real, runner } = await setup(t, {
    data: (n) => (n === 1 ? sleep(3000).then(() => "250 2.0.0 late") : "250 2.0.0 ok"),
    outbound: { leaseMs: 300, retryBaseMs: 100 },
    mailFrom: "someone@here.test",
    wrap: (s) => {
      const r = refusingRenewals(s);
      refused = r.refused;
      return r.store;
    },
  });
  runner.start();
  try {
    await waitFor(
      "the delivery",
      async () => sink.transactions.length >= 1 && (await real.queue.listQueue()).length === 0,
    );
    // Polls every 50 ms went on all along: another claim had every chance to send it again.
    await sleep(500);
  } finally {
    await runner.stop(5000);
  }
  assert.ok(refused() > 0, "renewals were refused: the lease lapsed");
  assert.deepEqual(
    sink.transactions.map((x) => x.reply),
    ["250 2.0.0 late"],
  );
});

test("a deferral claimed before the attempt's end was seen: the claim is undone, the retry comes when due", async (t) => {
  // The order a loaded store can produce: the attempt's deferral (due in 100 ms) is written, and
  // a claim of it completes before the runner sees the write's end. Held here for certain: the
  // deferral's write returns only once a claim returned the entry.
  let deferred = false;
  let reclaimed = false;
  let onReclaim = () => {};
  const queueOf = (real: Store) =>
    new Proxy(real.queue, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (key === "updateLeased")
          return async (id: number, lease: number, patch: { attempts?: number }) => {
            const out = await target.updateLeased(id, lease, patch);
            if (patch.attempts === undefined || deferred) return out;
            deferred = true;
            await new Promise<void>((r) => {
              onReclaim = r;
              setTimeout(r, 10_000).unref();
            });
            return out;
          };
        if (key === "claimQueued")
          return async (o: Parameters<typeof target.claimQueued>[0]) => {
            const got = await target.claimQueued(o);
            if (deferred && got.length > 0 && !reclaimed) {
              reclaimed = true;
              setImmediate(onReclaim); // after the runner saw this claim's answer
            }
            return got;
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const { sink, runner } = await setup(t, {
    data: (n) => (n === 1 ? "451 4.3.0 later" : "250 2.0.0 ok"),
    // A lease far longer than the wait below: a claim left in place would hold the retry that long.
    outbound: { leaseMs: 120_000, retryBaseMs: 100 },
    mailFrom: "",
    wrap: (real) => {
      const queue = queueOf(real);
      return new Proxy(real, { get: (target, key) => (key === "queue" ? queue : Reflect.get(target, key)) });
    },
  });
  runner.start();
  try {
    // The retry is due 100 ms after the first attempt; 30 s is a bound for a stuck test.
    await waitFor("the retry", () => sink.transactions.length >= 2, 30_000);
  } finally {
    await runner.stop(10_000);
  }
  assert.ok(reclaimed, "the deferral was claimed before its write's end was seen");
  assert.deepEqual(
    sink.transactions.map((x) => x.reply),
    ["451 4.3.0 later", "250 2.0.0 ok"],
  );
});
