// The admin start page: the process's health counters (server/health.ts), the status cards, and
// the charts of the stored counters (src/stats/), which move with the metric events, count this
// process's unwritten events at once, and survive a restart. A domain administrator sees none of
// the server-wide parts. (The Chromium test with real SMTP and IMAP clients is overview-browser.test.ts.)
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { WebClient } from "../http/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

/** The aria-label of the chart whose title starts with `title` (its totals). */
function chartLabel(body: string, title: string): string {
  const at = body.indexOf(`aria-label="${title}`);
  assert.ok(at >= 0, `no chart "${title}"`);
  return body.slice(at + 'aria-label="'.length, body.indexOf('"', at + 'aria-label="'.length));
}

describe("admin overview", () => {
  let srv: TestServer;
  let web: WebClient;
  before(async () => {
    srv = await startTestServer({
      users: [
        { address: "admin@example.test", password: testPassword, isAdmin: true },
        { address: "dana@example.test", password: testPassword },
      ],
      // The health counters are set by the test: the monitor off, so that a real block (a loaded
      // machine leaving this process without a core for 200 ms) is not counted on top (a CI run
      // rendered 3 blocks for the 2 set).
      config: { server: { eventLoopBlockWarnMs: 0 } },
    });
    web = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web.login("admin@example.test", testPassword)).status, 303);
  });
  after(() => srv.stop());

  test("the start page shows the uncaught-error and event-loop-block counters", async () => {
    srv.ctx.health.uncaughtErrors = 3;
    srv.ctx.health.loopBlocks = 2;
    srv.ctx.health.longestBlockMs = 812;
    const res = await web.get("/admin");
    assert.equal(res.status, 200);
    assert.match(
      res.body,
      /Since start: 3 uncaught error\(s\) survived, 2 event-loop block\(s\) logged \(longest 812 ms\)/,
    );
    assert.match(res.body, /<section class="card card-red" id="card-errors">/);
    srv.ctx.health.uncaughtErrors = 0;
    srv.ctx.health.loopBlocks = 0;
  });

  test("cards for the queue, the certificate and logins; links kept", async () => {
    const res = await web.get("/admin");
    assert.match(res.body, /<section class="card card-ok" id="card-queue">/);
    assert.match(res.body, /0 message\(s\) waiting, 0 deferred\./);
    // The harness serves the self-signed certificate made at first start.
    assert.match(res.body, /<section class="card card-warn" id="card-cert">.*self-signed/s);
    assert.match(res.body, /<section class="card card-ok" id="card-logins">/);
    for (const link of ["/admin/domains", "/admin/users", "/admin/aliases", "/admin/queue", "/admin/tls"]) {
      assert.ok(res.body.includes(`href="${link}"`), link);
    }
    assert.match(res.body, /0 message\(s\) in the outbound queue/);
  });

  test("the charts count the events at once, and after a restart", async () => {
    const before = await web.get("/admin");
    assert.equal(
      chartLabel(before.body, "Messages in and out, last 24 hours"),
      "Messages in and out, last 24 hours: received (port 25) 0, sent by users 0, delivered to other servers 0",
    );
    const hourAtEvents = Math.floor(Date.now() / 3_600_000);
    const m = srv.ctx.metrics;
    for (let i = 0; i < 3; i++) m.messageAccepted("inbound");
    m.messageAccepted("submission");
    m.delivery("delivered", "remote");
    m.messageRejected("inbound", "dnsbl");
    m.messageRejected("inbound", "spam");
    m.spamVerdict("rejected");
    m.delivery("deferred", "remote");
    m.login("imap", "failed");
    m.login("imap", "failed");
    m.login("smtp", "throttled");
    const check = (body: string, what: string) => {
      for (const period of ["last 24 hours", "last 30 days"]) {
        assert.equal(
          chartLabel(body, `Messages in and out, ${period}`),
          `Messages in and out, ${period}: received (port 25) 3, sent by users 1, delivered to other servers 1`,
          what,
        );
        assert.match(
          chartLabel(body, `Rejected, by reason, ${period}`),
          /: spam 1, virus 0, auth 0, dnsbl 1,/,
        );
        assert.equal(
          chartLabel(body, `Logins failed and throttled, ${period}`),
          `Logins failed and throttled, ${period}: failed 2, throttled 1`,
        );
        assert.equal(
          chartLabel(body, `Deliveries deferred and bounced, ${period}`),
          `Deliveries deferred and bounced, ${period}: deferred 1, bounced 0`,
        );
        assert.match(chartLabel(body, `Spam and viruses, ${period}`), /spam rejected 1, viruses 0/);
      }
      // Per-hour figures only while the clock is still in the events' hour.
      if (Math.floor(Date.now() / 3_600_000) === hourAtEvents) {
        assert.match(body, /2 failed and 1 throttled login\(s\) this hour/);
        assert.match(body, /<rect [^>]+><title>\d\d:00 · received \(port 25\): 3<\/title><\/rect>/);
      }
    };
    // Not yet written to the store (flushSec 60): the page adds the unwritten counts.
    const live = await web.get("/admin");
    check(live.body, "live");
    // Stop writes them; the restarted server reads them from the store.
    await srv.restart();
    const again = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await again.login("admin@example.test", testPassword)).status, 303);
    const restarted = await again.get("/admin");
    check(restarted.body, "after restart");
    // The queue gauge was sampled at start: 0 messages, drawn as no bar.
    assert.match(
      chartLabel(restarted.body, "Outbound queue size (largest sample), last 24 hours"),
      /messages queued at most 0$/,
    );
  });

  test("a domain administrator gets the reduced page: no cards, no charts", async () => {
    const dana = srv.users.find((u) => u.address === "dana@example.test")!;
    await srv.store.directory.setAdminDomains(dana.id, ["example.test"]);
    const web2 = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web2.login("dana@example.test", testPassword)).status, 303);
    const res = await web2.get("/admin");
    assert.equal(res.status, 200);
    assert.match(res.body, /You administer example\.test\./);
    assert.doesNotMatch(res.body, /class="cards"|<svg|Since start|outbound queue/);
  });
});

describe("admin overview with [stats] off", () => {
  test("says the charts are off, keeps the cards", async () => {
    const srv = await startTestServer({
      users: [{ address: "admin@example.test", password: testPassword, isAdmin: true }],
      config: { stats: { enabled: false } },
    });
    try {
      const web = new WebClient(srv.ports.https!, srv.certPem);
      assert.equal((await web.login("admin@example.test", testPassword)).status, 303);
      srv.ctx.metrics.messageAccepted("inbound");
      const res = await web.get("/admin");
      assert.match(res.body, /Charts are off \(\[stats\] enabled = false\)\./);
      assert.doesNotMatch(res.body, /<svg class="chart"/);
      assert.match(res.body, /id="card-queue"/);
      assert.equal(srv.ctx.stats, null);
    } finally {
      await srv.stop();
    }
  });
});
