// The queue survives kill -9 of the sender in the middle of a delivery: after a restart on the
// same data directory the lease runs out and the message is delivered (at-least-once).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStore } from "../app/stores.js";
import { defaultConfig } from "../config/load.js";
import { silentLogger } from "../log/logger.js";
import { LocalNotifier } from "../store/notifier.js";
import { testStorage } from "../testing/backend.js";
import { startDnsServer } from "../testing/dns-server.js";
import { startServerProcess } from "../testing/process.js";
import { startSink } from "./test-sink.js";

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("kill -9 while the remote server holds the DATA reply: delivered after restart", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-outbound-crash-"));
  const dns = await startDnsServer([
    { name: "far.test", type: "MX", exchange: "mx.far.test", priority: 10 },
    { name: "mx.far.test", type: "A", value: "127.0.0.1" },
  ]);
  let release: ((reply: string) => void) | null = null;
  let dataSeen = 0;
  const sink = await startSink({
    data: (n) => {
      dataSeen = n;
      // The first delivery never gets its reply: the sender is killed while waiting.
      return n === 1 ? new Promise<string>((r) => (release = r)) : "250 2.0.0 queued";
    },
  });
  let child: Awaited<ReturnType<typeof startServerProcess>> | null = null;
  // On the store YUBIN_TEST_BACKEND names: its queue leases must outlive the kill there too.
  const backend = await testStorage();
  try {
    // Queue one message on disk before the server ever runs.
    const config = defaultConfig();
    config.server.dataDir = dataDir;
    Object.assign(config.storage, backend.storage);
    const store = await openStore(config, new LocalNotifier(), silentLogger);
    await store.queue.enqueue({
      body: Buffer.from("Subject: survive\r\n\r\nstill here\r\n"),
      mailFrom: "someone@here.test",
      recipients: [{ address: "x@far.test" }],
    });
    await store.close();

    const procConfig = {
      outbound: { enabled: true, port: sink.port, pollIntervalMs: 50, leaseMs: 1000, retryBaseMs: 100 },
      dns: { servers: dns.servers, timeoutMs: 10_000, tries: 2 },
      storage: backend.storage,
    };
    child = await startServerProcess({ dataDir, keepData: true, config: procConfig });
    await waitFor("first DATA", () => dataSeen === 1);
    await child.kill("SIGKILL");
    child = null;
    assert.equal(sink.transactions.length, 0, "no reply was given before the kill");

    child = await startServerProcess({ dataDir, keepData: true, config: procConfig });
    await waitFor("delivery after restart", () => sink.transactions.length === 1);
    assert.match(sink.transactions[0]!.data.toString(), /Subject: survive\r\n\r\nstill here\r\n$/);
    await child.stop();
    child = null;

    const after = await openStore(config, new LocalNotifier(), silentLogger);
    try {
      assert.deepEqual(await after.queue.listQueue(), [], "the entry is gone once delivered");
    } finally {
      await after.close();
    }
  } finally {
    (release as ((reply: string) => void) | null)?.("421 4.3.0 gone");
    if (child) await child.kill("SIGKILL");
    await sink.stop();
    await dns.stop();
    await rm(dataDir, { recursive: true, force: true });
    await backend.drop();
  }
});
