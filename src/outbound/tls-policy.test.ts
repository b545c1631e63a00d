// Verified TLS to the destination: for a domain in outbound.requireTls, or with an MTA-STS policy
// in "enforce" mode (RFC 8461 4.2), mail goes out only over STARTTLS with a certificate that a
// trusted CA (outbound.caFile here) issued for the MX host name; otherwise it waits in the queue
// and is never sent in clear. The sinks offer STARTTLS with certificates from a test CA.
import assert from "node:assert/strict";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { type DnsServer, startDnsServer, type ZoneRecord } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { createTestCa, type TestCa } from "./test-certs.js";
import { outboundConfig, waitFor } from "./test-helpers.js";
import { type Sink, type SinkScript, startSink } from "./test-sink.js";

const mx = (domain: string, exchange: string, priority = 10): ZoneRecord[] => [
  { name: domain, type: "MX", exchange, priority },
  { name: exchange, type: "A", value: "127.0.0.1" },
];

describe("outbound: requireTls and MTA-STS", () => {
  let dns: DnsServer;
  let ca: TestCa;
  const stops: (() => Promise<void>)[] = [];
  const sink = async (script: SinkScript) => {
    const s = await startSink(script);
    stops.push(() => s.stop());
    return s;
  };
  const instance = async (s: Sink, extra: Record<string, unknown> = {}) => {
    const a: TestServer = await startTestServer({
      domains: ["a.test"],
      users: [{ address: "alice@a.test", password: testPassword }],
      config: outboundConfig(dns, s.port, { requireTls: ["rt.test"], caFile: ca.caFile, ...extra }),
    });
    stops.push(() => a.stop());
    return a;
  };
  const enqueue = async (a: TestServer, to: string, subject: string) => {
    const q = await a.store.queue.enqueue({
      body: Buffer.from(`Subject: ${subject}\r\n\r\nconfidential\r\n`),
      mailFrom: "alice@a.test",
      recipients: [{ address: to }],
    });
    a.ctx.kickQueue?.();
    return q.id;
  };
  /** Waits for `n` failed attempts and returns the entry. */
  const deferred = (a: TestServer, id: number, n = 2) =>
    waitFor(`${n} attempts`, async () => {
      const e = await a.store.queue.getQueued(id);
      return e && e.attempts >= n && e;
    });

  before(async () => {
    ca = await createTestCa();
    dns = await startDnsServer([...mx("rt.test", "mx.rt.test"), ...mx("plain.test", "mx.plain.test")]);
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop();
    await dns.stop();
    await ca.remove();
  });

  test("requireTls, server without STARTTLS: deferred, never sent in clear (other domains still are)", async () => {
    const s = await sink({});
    const a = await instance(s);
    const id = await enqueue(a, "x@rt.test", "must be encrypted");
    const e = await deferred(a, id);
    assert.equal(e.recipients[0]?.state, "pending");
    assert.match(e.lastError ?? "", /^x@rt\.test: 502 5\.5\.2 not implemented$/, "STARTTLS was asked for");
    // The same server gets mail for a domain without the requirement, in clear (RFC 7435).
    await enqueue(a, "y@plain.test", "may be plain");
    await waitFor("plain delivery", () => s.transactions.length === 1);
    assert.deepEqual(
      s.transactions.map((t) => [t.rcpts, t.tls]),
      [[["RCPT TO:<y@plain.test>"], false]],
    );
    assert.ok((await a.store.queue.getQueued(id)) !== null, "the rt.test message is still queued");
  });

  test("requireTls, certificate from a trusted CA but for another name: deferred, nothing sent", async () => {
    const s = await sink({ tls: await ca.issue(["mx.elsewhere.test"]) });
    const a = await instance(s);
    const id = await enqueue(a, "x@rt.test", "wrong name");
    const e = await deferred(a, id);
    assert.equal(
      e.lastError,
      "x@rt.test: ESOCKET: Hostname/IP does not match certificate's altnames: Host: mx.rt.test. is not in the cert's altnames: DNS:mx.elsewhere.test",
    );
    assert.equal(s.transactions.length, 0);
    assert.ok(s.connections >= 2);
  });

  test("requireTls, certificate valid for the MX name: delivered over TLS", async () => {
    const s = await sink({ tls: await ca.issue(["mx.rt.test"]) });
    const a = await instance(s);
    const id = await enqueue(a, "x@rt.test", "right name");
    await waitFor("delivery", () => s.transactions.length === 1);
    await waitFor("entry gone", async () => (await a.store.queue.getQueued(id)) === null);
    const t = s.transactions[0]!;
    assert.equal(t.tls, true);
    assert.deepEqual(t.rcpts, ["RCPT TO:<x@rt.test>"]);
    assert.match(t.data.toString(), /Subject: right name\r\n\r\nconfidential\r\n$/);
    assert.deepEqual(
      s.tlsNames,
      ["mx.rt.test"],
      "SNI carries the MX name the certificate is checked against",
    );
  });

  test("MTA-STS enforce: the MX named in the policy, verified, is used; the one not named never is", async () => {
    const web = await ca.issue(["mta-sts.sts.test"]);
    const fetched: string[] = [];
    const policy = https.createServer(web, (req, res) => {
      fetched.push(`${req.headers.host} ${req.url}`);
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("version: STSv1\r\nmode: enforce\r\nmx: good.sts.test\r\nmax_age: 86400\r\n");
    });
    await new Promise<void>((r) => policy.listen(0, "127.0.0.1", () => r()));
    stops.push(() => new Promise<void>((r) => policy.close(() => r())));
    dns.set([
      ...mx("rt.test", "mx.rt.test"),
      // The preferred MX is not in the policy; its certificate would even be valid, so only
      // the policy keeps mail away from it.
      ...mx("sts.test", "rogue.sts.test", 5),
      ...mx("sts.test", "good.sts.test", 20),
      { name: "_mta-sts.sts.test", type: "TXT", value: "v=STSv1; id=20260101" },
      { name: "mta-sts.sts.test", type: "A", value: "127.0.0.1" },
    ]);
    const s = await sink({ tls: await ca.issue(["good.sts.test", "rogue.sts.test"]) });
    const a = await instance(s, { mtaStsPort: (policy.address() as AddressInfo).port });
    const id = await enqueue(a, "erin@sts.test", "by policy");
    await waitFor("delivery", () => s.transactions.length === 1);
    await waitFor("entry gone", async () => (await a.store.queue.getQueued(id)) === null);
    assert.deepEqual(fetched, ["mta-sts.sts.test /.well-known/mta-sts.txt"]);
    assert.deepEqual(s.tlsNames, ["good.sts.test"]);
    assert.equal(s.connections, 1, "no connection to the MX outside the policy");
    assert.equal(s.transactions[0]!.tls, true);
    assert.ok(dns.queries.includes("sts.test MX") && dns.queries.includes("_mta-sts.sts.test TXT"));
  });
});
