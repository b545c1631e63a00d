// /metrics, /healthz and /readyz end to end (issue 21): a real server, real clients (swaks on port
// 25, imapflow), the exposition parsed by a Prometheus text-format parser. The counters move as
// the events happen: a message accepted and filed, a recipient refused, a remote delivery
// deferred, a failed IMAP login.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { send } from "../http/test-client.js";
import { waitFor } from "../outbound/test-helpers.js";
import { type Sink, startSink } from "../outbound/test-sink.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { freePort, onFreePort } from "../testing/net.js";
import { commandSkip } from "../testing/requires.js";
import { Scrape } from "./test-scrape.js";

const run = promisify(execFile);
const TOKEN = "metrics-token-0123456789";

describe("/metrics, /healthz, /readyz", { skip: commandSkip("swaks") }, () => {
  let dns: DnsServer;
  let sink: Sink;
  let ts: TestServer;
  let metricsPort: number;

  before(async () => {
    dns = await startDnsServer([
      { name: "sink.test", type: "MX", exchange: "mx.sink.test", priority: 10 },
      { name: "mx.sink.test", type: "A", value: "127.0.0.1" },
    ]);
    // Every remote recipient is deferred: the delivery counter's "deferred" must move.
    sink = await startSink({ rcpt: () => "451 4.3.0 try again later" });
    // The metrics listener takes a fixed port; a port taken meanwhile by another test file is
    // retried with another (onFreePort).
    ({ port: metricsPort, value: ts } = await onFreePort((port) =>
      startTestServer({
        config: {
          metrics: { token: TOKEN, listen: `127.0.0.1:${port}` },
          outbound: {
            enabled: true,
            port: sink.port,
            pollIntervalMs: 50,
            // One attempt in this test's time: the retry is a minute away.
            retryBaseMs: 60_000,
            connectTimeoutMs: 2000,
            greetingTimeoutMs: 2000,
            socketTimeoutMs: 5000,
          },
          dns: { servers: dns.servers, timeoutMs: 10_000, tries: 2 },
        },
      }),
    ));
    await ts.store.directory.addAlias("away@example.test", ["far@sink.test"]);
  });
  after(async () => {
    await ts?.stop();
    await sink?.stop();
    await dns?.stop();
  });

  const scrapeHttps = (headers: Record<string, string> = {}) =>
    send({ port: ts.ports.https!, path: "/metrics", ca: ts.certPem, host: "localhost", headers });
  const scrape = async () => {
    const r = await send({ port: metricsPort, path: "/metrics" });
    assert.equal(r.status, 200, r.body);
    return new Scrape(r.body);
  };

  async function swaks(to: string): Promise<string> {
    const args = ["--server", `127.0.0.1:${ts.ports.smtp}`, "--helo", "mx.remote.test"];
    args.push("--from", "dave@remote.test", "--to", to, "--body", "hello", "--timeout", "20");
    // swaks exits non-zero when the server refuses; the transcript is what counts.
    const r = await run("swaks", args, { timeout: 30_000 }).catch((e: { stdout?: string }) => ({
      stdout: e.stdout ?? "",
    }));
    return r.stdout;
  }

  test("the web listeners serve /metrics only with the bearer token; the metrics listener without", async () => {
    assert.equal((await scrapeHttps()).status, 401);
    const wrong = await scrapeHttps({ Authorization: "Bearer not-the-token" });
    assert.equal(wrong.status, 401);
    assert.match(String(wrong.headers["www-authenticate"]), /^Bearer /);
    const ok = await scrapeHttps({ Authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    const s = new Scrape(ok.body);
    for (const name of [
      "yubin_connections_total",
      "yubin_store_commit_seconds",
      "yubin_queue_messages",
      "yubin_queue_oldest_age_seconds",
      "yubin_certificate_expiry_timestamp_seconds",
      "yubin_event_loop_lag_seconds",
      "yubin_uncaught_errors_total",
      "process_resident_memory_bytes",
    ])
      assert.ok(s.families.has(name), `${name} in the scrape`);
    // The certificate the listeners serve: the harness's self-signed one, five years.
    assert.ok(s.value("yubin_certificate_expiry_timestamp_seconds") > Date.now() / 1000 + 365 * 86400);
    // Plain HTTP: /metrics is redirected to HTTPS (its token must not travel in clear).
    const plain = await send({ port: ts.ports.http!, path: "/metrics", host: "localhost" });
    assert.ok(plain.status >= 300 && plain.status < 400, String(plain.status));
  });

  test("/healthz and /readyz on both", async () => {
    for (const path of ["/healthz", "/readyz"]) {
      const a = await send({ port: metricsPort, path });
      assert.equal(a.status, 200, `${path}: ${a.body}`);
      const b = await send({ port: ts.ports.http!, path, host: "localhost" });
      assert.equal(b.status, 200, `${path} on http: ${b.body}`);
    }
    assert.equal((await send({ port: metricsPort, path: "/admin" })).status, 404);
  });

  test("swaks delivers over port 25: accepted, connections, RCPT and DATA, a local delivery", async () => {
    const before = await scrape();
    const transcript = await swaks("alice@example.test");
    assert.match(transcript, /<- {2}250 .*queued/i);
    const after = await scrape();
    const d = (name: string, labels: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    assert.equal(d("yubin_messages_accepted_total", { door: "inbound" }), 1);
    assert.equal(d("yubin_connections_total", { protocol: "smtp" }), 1);
    assert.equal(d("yubin_commands_total", { protocol: "smtp", command: "RCPT" }), 1);
    assert.equal(d("yubin_commands_total", { protocol: "smtp", command: "DATA" }), 1);
    assert.equal(d("yubin_deliveries_total", { result: "delivered", destination: "local" }), 1);
    assert.ok(d("yubin_store_commit_seconds", {}) >= 1, "a group commit was timed");
  });

  test("an unknown recipient is a rejection by policy; an unknown verb is UNKNOWN", async () => {
    const before = await scrape();
    assert.match(await swaks("nobody@example.test"), /<\*\* 550 /);
    const after = await scrape();
    assert.equal(
      after.value("yubin_messages_rejected_total", { door: "inbound", reason: "policy" }) -
        before.value("yubin_messages_rejected_total", { door: "inbound", reason: "policy" }),
      1,
    );
  });

  test("a remote delivery deferred by the far server moves deliveries{deferred,remote}", async () => {
    const base = (await scrape()).value("yubin_deliveries_total", {
      result: "deferred",
      destination: "remote",
    });
    assert.match(await swaks("away@example.test"), /<- {2}250 /);
    await waitFor(
      "a deferred remote delivery",
      async () =>
        (await scrape()).value("yubin_deliveries_total", { result: "deferred", destination: "remote" }) ===
        base + 1,
      15_000,
    );
    const s = await scrape();
    assert.equal(s.value("yubin_queue_messages"), 1);
    assert.ok(s.value("yubin_queue_oldest_age_seconds") >= 0);
  });

  test("a failed IMAP login moves logins{imap,failed}", async () => {
    const before = (await scrape()).value("yubin_logins_total", { protocol: "imap", result: "failed" });
    const client = new ImapFlow({
      host: "127.0.0.1",
      port: ts.ports.imaps!,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: "alice@example.test", pass: "wrong password" },
      logger: false,
    });
    await assert.rejects(client.connect());
    client.close();
    const after = await scrape();
    assert.equal(after.value("yubin_logins_total", { protocol: "imap", result: "failed" }), before + 1);
  });
});

describe("[metrics] without a token, and off", () => {
  test("no token: 404 on the web listeners; enabled = false: 404 everywhere, /healthz still 200", async () => {
    const port = await freePort();
    const ts = await startTestServer({
      config: { metrics: { enabled: false, listen: `127.0.0.1:${port}` } },
    });
    try {
      const web = await send({ port: ts.ports.https!, path: "/metrics", ca: ts.certPem, host: "localhost" });
      assert.equal(web.status, 404);
      assert.equal((await send({ port, path: "/metrics" })).status, 404);
      assert.equal((await send({ port, path: "/healthz" })).status, 200);
      assert.equal(ts.ctx.monitoring.prometheus, null, "no observer built when off");
    } finally {
      await ts.stop();
    }
  });
});
