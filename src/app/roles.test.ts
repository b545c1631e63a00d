// [server] roles with real processes on one data directory: a node with roles = ["imap"] does not
// listen on its SMTP port and never claims the queue (the message waits, untouched); a node with
// roles = ["delivery"] beside it delivers it. `yubin status` names the roles.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { defaultConfig } from "../config/load.js";
import { silentLogger } from "../log/logger.js";
import { startSink } from "../outbound/test-sink.js";
import { LocalNotifier } from "../store/notifier.js";
import { testStorage } from "../testing/backend.js";
import { startDnsServer } from "../testing/dns-server.js";
import { freePort } from "../testing/net.js";
import { type ServerProcess, startServerProcess } from "../testing/process.js";
import { openStore } from "./stores.js";

const bin = resolve(import.meta.dirname, "../../bin/yubin.js");

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function connectError(port: number): Promise<string | null> {
  return new Promise((done) => {
    const sock = connect(port, "127.0.0.1");
    sock.once("connect", () => {
      sock.destroy();
      done(null);
    });
    sock.once("error", (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

test("roles: an imap-only node opens no SMTP port and claims no queue entry; a delivery node does", {
  timeout: 120_000,
}, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-roles-"));
  const dns = await startDnsServer([
    { name: "far.test", type: "MX", exchange: "mx.far.test", priority: 10 },
    { name: "mx.far.test", type: "A", value: "127.0.0.1" },
  ]);
  const sink = await startSink();
  const procs: ServerProcess[] = [];
  // Both nodes on the store YUBIN_TEST_BACKEND names (one data directory, or one schema).
  const backend = await testStorage();
  try {
    const config = defaultConfig();
    config.server.dataDir = dataDir;
    Object.assign(config.storage, backend.storage);
    const store = await openStore(config, new LocalNotifier(), silentLogger);
    const queued = await store.queue.enqueue({
      body: Buffer.from("Subject: for the delivery node\r\n\r\nhello\r\n"),
      mailFrom: "someone@here.test",
      recipients: [{ address: "x@far.test" }],
    });
    try {
      const outbound = { enabled: true, port: sink.port, pollIntervalMs: 50, retryBaseMs: 100 };
      const dnsConfig = { servers: dns.servers, timeoutMs: 10_000, tries: 2 };
      const smtpPort = await freePort();
      const imapPort = await freePort(); // fixed: `yubin status` probes the configured ports
      const imapOnly = await startServerProcess({
        dataDir,
        keepData: true,
        listeners: [
          { protocol: "smtp", tls: "none", port: smtpPort },
          { protocol: "imap", tls: "none", port: imapPort },
        ],
        config: { server: { roles: ["imap"] }, outbound, dns: dnsConfig, storage: backend.storage },
      });
      procs.push(imapOnly);
      assert.deepEqual([...imapOnly.ports.keys()], ["imap/none"]);
      assert.equal(await connectError(smtpPort), "ECONNREFUSED");
      assert.equal(await connectError(imapOnly.ports.get("imap/none")!), null);
      assert.match(imapOnly.output(), /"msg":"roles"[^\n]*"roles":\["imap"\]/);

      // Twenty of its queue polls: the entry is still waiting, never leased nor tried.
      await new Promise((r) => setTimeout(r, 1000));
      const waiting = await store.queue.getQueued(queued.id);
      assert.equal(waiting?.state, "queued");
      assert.equal(waiting?.attempts, 0);
      assert.equal(sink.transactions.length, 0);

      const status = await new Promise<string>((done) =>
        execFile(process.execPath, [bin, "--config", imapOnly.configPath, "status"], (_e, stdout) =>
          done(stdout),
        ),
      );
      assert.match(status, /^roles +imap$/m);
      assert.match(status, /^ {2}smtp +127\.0\.0\.1:\d+ +none +off \(not this node's role\)$/m);
      assert.match(status, /^ {2}imap +127\.0\.0\.1:\d+ +none +up$/m);

      // A delivery node on the same data directory takes it.
      const delivery = await startServerProcess({
        dataDir,
        keepData: true,
        listeners: [],
        config: { server: { roles: ["delivery"] }, outbound, dns: dnsConfig, storage: backend.storage },
      });
      procs.push(delivery);
      await waitFor("the delivery node's delivery", () => sink.transactions.length === 1);
      assert.match(sink.transactions[0]!.data.toString(), /Subject: for the delivery node/);
    } finally {
      await store.close();
    }
  } finally {
    for (const p of procs) await p.kill("SIGTERM");
    await sink.stop();
    await dns.stop();
    await rm(dataDir, { recursive: true, force: true });
    await backend.drop();
  }
});
