// Outbound DANE (RFC 7672) against a sink with its own certificate, the test DNS server playing
// a validating resolver (AD bit). The sink's certificate comes from a CA the client does not
// trust, so only the TLSA record can make it acceptable: a match delivers over TLS; a mismatch,
// a missing STARTTLS or a bogus TLSA lookup defers (4.7.5) and never falls back to clear text;
// no TLSA, or TLSA without AD, is opportunistic TLS as before.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { defaultsOf } from "../config/dsl.js";
import { createDaneLookup } from "../dane/lookup.js";
import { spkiSha256 } from "../dane/tlsa.js";
import { createDnsResolver } from "../dns/resolver.js";
import { silentLogger } from "../log/logger.js";
import { type DnsServer, type SecureZoneRecord, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { outboundSection } from "./config.js";
import { type DeliverDeps, deliverToDomain } from "./deliver.js";
import { MtaStsCache } from "./mta-sts.js";
import { ConnectionPool } from "./pool.js";
import { createTestCa, type Pem, type TestCa } from "./test-certs.js";
import { outboundConfig, waitFor } from "./test-helpers.js";
import { type Sink, startSink } from "./test-sink.js";
import type { TlsOutcome } from "./tls-outcome.js";

const mx = (domain: string, exchange: string): SecureZoneRecord[] => [
  { name: domain, type: "MX", exchange, priority: 10 },
  { name: exchange, type: "A", value: "127.0.0.1" },
];
const tlsa = (
  host: string,
  port: number,
  data: string,
  usage = 3,
  selector = 1,
  matchingType = 1,
): SecureZoneRecord => ({
  name: `_${port}._tcp.${host}`,
  type: "TLSA",
  usage,
  selector,
  matchingType,
  data,
});
const WRONG = "00".repeat(32);

describe("outbound DANE (RFC 7672)", () => {
  let dns: DnsServer;
  let ca: TestCa;
  let cert: Pem;
  let tlsSink: Sink;
  let plainSink: Sink;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    ca = await createTestCa();
    cert = await ca.issue(["mx.dane.test"]);
    dns = await startDnsServer([], { ad: true });
    tlsSink = await startSink({ tls: cert });
    plainSink = await startSink({});
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop();
    await tlsSink.stop();
    await plainSink.stop();
    await dns.stop();
    await ca.remove();
  });

  /** One delivery attempt straight through deliverToDomain, as the queue runner makes it. */
  const attempt = async (sink: Sink, domain: string, extra: Partial<DeliverDeps> = {}) => {
    const outcomes: TlsOutcome[] = [];
    const pool = new ConnectionPool({ idleKeepMs: 0, maxMessagesPerConnection: 1 });
    const deps: DeliverDeps = {
      cfg: { ...defaultsOf(outboundSection), port: sink.port, connectTimeoutMs: 2000 },
      heloName: "a.test",
      resolver: createDnsResolver({ servers: dns.servers, timeoutMs: 500, tries: 1 }),
      pool,
      mtaSts: null,
      ca: undefined,
      log: silentLogger,
      tlsOutcome: (o) => outcomes.push(o),
      dane: createDaneLookup({ servers: dns.servers, timeoutMs: 500, tries: 1, maxAnswers: 32, cacheSec: 0 }),
      ...extra,
    };
    const before = sink.transactions.length;
    const res = await deliverToDomain(deps, {
      queueId: 1,
      domain,
      from: "alice@a.test",
      recipients: [{ address: `bob@${domain}`, notify: null, orcpt: null }],
      envId: null,
      ret: null,
      body: Buffer.from("Subject: dane\r\n\r\nhello\r\n"),
    });
    pool.closeAll();
    return { outcome: res.get(`bob@${domain}`), outcomes, sent: sink.transactions.slice(before) };
  };

  test("the 3 1 1 record is the sha256 of the certificate's SubjectPublicKeyInfo", () => {
    const x = new X509Certificate(cert.cert);
    const spki = x.publicKey.export({ type: "spki", format: "der" });
    assert.equal(spki[0], 0x30, "DER SEQUENCE");
    assert.equal(
      spkiSha256(cert.cert),
      spkiSha256(cert.key),
      "the key gives the same record as its certificate",
    );
  });

  test("matching TLSA 3 1 1: delivered over TLS, though no CA we trust signed the certificate", async () => {
    dns.set(
      [...mx("dane.test", "mx.dane.test"), tlsa("mx.dane.test", tlsaSinkPort(), spkiSha256(cert.cert))],
      {
        ad: true,
      },
    );
    const r = await attempt(tlsSink, "dane.test");
    assert.equal(r.outcome?.kind, "delivered");
    assert.equal(r.sent.length, 1);
    assert.equal(r.sent[0]?.tls, true);
    assert.deepEqual(
      r.outcomes.map((o) => [o.result, o.policy.type, o.policy.strings]),
      [["success", "tlsa", [`3 1 1 ${spkiSha256(cert.cert)}`]]],
    );
    assert.ok(dns.queries.includes(`_${tlsaSinkPort()}._tcp.mx.dane.test TLSA`));
  });

  test("mismatching TLSA: deferred with 4.7.5 naming DANE, nothing sent", async () => {
    dns.set([...mx("dane.test", "mx.dane.test"), tlsa("mx.dane.test", tlsaSinkPort(), WRONG)], { ad: true });
    const r = await attempt(tlsSink, "dane.test");
    assert.equal(r.outcome?.kind, "temp");
    assert.equal(r.outcome?.kind === "temp" && r.outcome.status, "4.7.5");
    assert.equal(
      r.outcome?.kind === "temp" && r.outcome.reply,
      `DANE: mx.dane.test [127.0.0.1] refused: certificate matches none of the TLSA records (its 3 1 1 would be ${spkiSha256(cert.cert)})`,
    );
    assert.equal(r.sent.length, 0);
    assert.deepEqual(
      r.outcomes.map((o) => [o.result, o.policy.type]),
      [["tlsa-invalid", "tlsa"]],
    );
  });

  test("DANE-TA (2 0 1 of the CA): delivered when the chain leads to it and the name matches", async () => {
    const caDigest = (await import("node:crypto"))
      .createHash("sha256")
      .update(new X509Certificate(ca.cert).raw)
      .digest("hex");
    // The sink sends only its own certificate; DANE-TA needs the anchor in the chain (RFC 7672
    // 3.2.2 asks servers to send it), so a sink that sends the chain is started here.
    const chained = await startSink({
      tls: { cert: `${cert.cert.trim()}\n${ca.cert.trim()}\n`, key: cert.key },
    });
    stops.push(() => chained.stop());
    dns.set([...mx("dane.test", "mx.dane.test"), tlsa("mx.dane.test", chained.port, caDigest, 2, 0, 1)], {
      ad: true,
    });
    const ok = await attempt(chained, "dane.test");
    assert.equal(ok.outcome?.kind, "delivered");
    // The same anchor, but the certificate does not carry the MX name: refused.
    dns.set([...mx("other.test", "mx.other.test"), tlsa("mx.other.test", chained.port, caDigest, 2, 0, 1)], {
      ad: true,
    });
    const bad = await attempt(chained, "other.test");
    assert.equal(bad.outcome?.kind, "temp");
    assert.match(bad.outcome?.kind === "temp" ? bad.outcome.reply : "", /not valid for mx\.other\.test/);
    assert.deepEqual(
      bad.outcomes.map((o) => o.result),
      ["certificate-host-mismatch"],
    );
  });

  test("TLSA and a server without STARTTLS: deferred, never sent in clear", async () => {
    dns.set(
      [...mx("dane.test", "mx.dane.test"), tlsa("mx.dane.test", plainSink.port, spkiSha256(cert.cert))],
      {
        ad: true,
      },
    );
    const r = await attempt(plainSink, "dane.test");
    assert.equal(r.outcome?.kind, "temp");
    assert.equal(r.outcome?.kind === "temp" && r.outcome.status, "4.7.5");
    assert.match(
      r.outcome?.kind === "temp" ? r.outcome.reply : "",
      /^DANE: mx\.dane\.test \[127\.0\.0\.1\] refused: STARTTLS is required \(TLSA published\) but failed: 502 5\.5\.2 not implemented$/,
    );
    assert.equal(r.sent.length, 0);
    assert.deepEqual(
      r.outcomes.map((o) => o.result),
      ["starttls-not-supported"],
    );
  });

  test("only unusable TLSA records (PKIX-EE, RFC 7672 3.1.3): TLS required, not authenticated", async () => {
    dns.set([...mx("dane.test", "mx.dane.test"), tlsa("mx.dane.test", tlsSink.port, WRONG, 1)], { ad: true });
    const tls = await attempt(tlsSink, "dane.test");
    assert.equal(tls.outcome?.kind, "delivered");
    assert.equal(tls.sent[0]?.tls, true);
    assert.deepEqual(
      tls.outcomes.map((o) => [o.result, o.policy.type, o.policy.strings]),
      [["success", "tlsa", [`1 1 1 ${WRONG}`]]],
    );
    dns.set([...mx("dane.test", "mx.dane.test"), tlsa("mx.dane.test", plainSink.port, WRONG, 1)], {
      ad: true,
    });
    const plain = await attempt(plainSink, "dane.test");
    assert.equal(plain.outcome?.kind, "temp");
    assert.equal(plain.sent.length, 0);
  });

  test("DANE takes precedence over MTA-STS (RFC 8461 2)", async () => {
    const zone = [
      ...mx("dane.test", "mx.dane.test"),
      { name: "_mta-sts.dane.test", type: "TXT" as const, value: "v=STSv1; id=1" },
    ];
    // An enforce policy that names another MX: on its own it would stop delivery.
    const mtaSts = () =>
      new MtaStsCache({
        resolver: createDnsResolver({ servers: dns.servers, timeoutMs: 500, tries: 1 }),
        port: 443,
        timeoutMs: 500,
        maxBytes: 10_000,
        fetchText: async () => "version: STSv1\r\nmode: enforce\r\nmx: elsewhere.test\r\nmax_age: 86400\r\n",
      });
    dns.set([...zone, tlsa("mx.dane.test", tlsSink.port, spkiSha256(cert.cert))], { ad: true });
    const withDane = await attempt(tlsSink, "dane.test", { mtaSts: mtaSts() });
    assert.equal(withDane.outcome?.kind, "delivered");
    assert.deepEqual(
      withDane.outcomes.map((o) => o.policy.type),
      ["tlsa"],
    );
    dns.set(zone, { ad: true });
    const withoutDane = await attempt(tlsSink, "dane.test", { mtaSts: mtaSts() });
    assert.equal(withoutDane.outcome?.kind, "temp");
    assert.match(withoutDane.outcome?.kind === "temp" ? withoutDane.outcome.reply : "", /MTA-STS policy/);
  });

  test("no TLSA: opportunistic TLS as without DANE", async () => {
    dns.set(mx("dane.test", "mx.dane.test"), { ad: true });
    const tls = await attempt(tlsSink, "dane.test");
    assert.equal(tls.outcome?.kind, "delivered");
    assert.equal(tls.sent[0]?.tls, true);
    assert.deepEqual(
      tls.outcomes.map((o) => [o.result, o.policy.type]),
      [["success", "no-policy-found"]],
    );
    const plain = await attempt(plainSink, "dane.test");
    assert.equal(plain.outcome?.kind, "delivered");
    assert.equal(plain.sent[0]?.tls, false);
  });

  test("AD bit not set: the (mismatching) TLSA is ignored, opportunistic delivery", async () => {
    dns.set([...mx("dane.test", "mx.dane.test"), tlsa("mx.dane.test", tlsaSinkPort(), WRONG)], { ad: false });
    const r = await attempt(tlsSink, "dane.test");
    assert.equal(r.outcome?.kind, "delivered");
    assert.equal(r.sent[0]?.tls, true);
    // Secure MX but an unsigned TLSA RRset: ignored too (RFC 7672 2.2).
    dns.set([
      ...mx("dane.test", "mx.dane.test").map((x) => ({ ...x, secure: true })),
      tlsa("mx.dane.test", tlsaSinkPort(), WRONG),
    ]);
    const r2 = await attempt(tlsSink, "dane.test");
    assert.equal(r2.outcome?.kind, "delivered");
  });

  test("bogus TLSA (SERVFAIL from the validating resolver): deferred without connecting", async () => {
    const name = `_${tlsaSinkPort()}._tcp.mx.dane.test`;
    dns.set([...mx("dane.test", "mx.dane.test")], { ad: true, servfail: [name] });
    const connections = tlsSink.connections;
    const r = await attempt(tlsSink, "dane.test");
    assert.equal(r.outcome?.kind, "temp");
    assert.equal(r.outcome?.kind === "temp" && r.outcome.status, "4.7.5");
    assert.match(r.outcome?.kind === "temp" ? r.outcome.reply : "", /^DANE: TLSA of .*: SERVFAIL/);
    assert.equal(tlsSink.connections, connections, "the host was not tried");
    assert.deepEqual(
      r.outcomes.map((o) => o.result),
      ["dnssec-invalid"],
    );
  });

  test("through the queue: mismatch defers, the fixed record delivers at the next retry", async () => {
    dns.set([...mx("dane.test", "mx.dane.test"), tlsa("mx.dane.test", tlsaSinkPort(), WRONG)], { ad: true });
    const base = outboundConfig(dns, tlsSink.port);
    const a: TestServer = await startTestServer({
      domains: ["a.test"],
      users: [{ address: "alice@a.test", password: testPassword }],
      config: { ...base, dns: { ...base.dns, trustAd: true }, dane: { cacheSec: 0 } },
    });
    stops.push(() => a.stop());
    const before = tlsSink.transactions.length;
    const q = await a.store.queue.enqueue({
      body: Buffer.from("Subject: queued dane\r\n\r\nhello\r\n"),
      mailFrom: "alice@a.test",
      recipients: [{ address: "carol@dane.test" }],
    });
    a.ctx.kickQueue?.();
    const e = await waitFor("two attempts", async () => {
      const x = await a.store.queue.getQueued(q.id);
      return x && x.attempts >= 2 && x;
    });
    assert.match(
      e.lastError ?? "",
      /^carol@dane\.test: DANE: mx\.dane\.test \[127\.0\.0\.1\] refused: certificate matches none/,
    );
    assert.equal(tlsSink.transactions.length, before);
    dns.set(
      [...mx("dane.test", "mx.dane.test"), tlsa("mx.dane.test", tlsaSinkPort(), spkiSha256(cert.cert))],
      {
        ad: true,
      },
    );
    await waitFor("delivery", async () => (await a.store.queue.getQueued(q.id)) === null);
    assert.equal(tlsSink.transactions.length, before + 1);
    assert.equal(tlsSink.transactions.at(-1)?.tls, true);
  });

  function tlsaSinkPort(): number {
    return tlsSink.port;
  }
});
