// The DANE DNS client against the test DNS server: the AD bit and RCODE come through, TLSA
// records decode, a truncated UDP answer is asked again over TCP, and the limits hold.
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { after, before, describe, test } from "node:test";
import { type DnsServer, type SecureZoneRecord, startDnsServer } from "../testing/dns-server.js";
import { DnsQueryError, dnsQuery, parseServer } from "./dns-query.js";

const tlsa = (i: number): SecureZoneRecord => ({
  name: "_25._tcp.mx.a.test",
  type: "TLSA",
  usage: 3,
  selector: 1,
  matchingType: 1,
  data: i.toString(16).padStart(2, "0").repeat(32),
  secure: true,
});

describe("dane/dns-query", () => {
  let dns: DnsServer;
  const opts = () => ({ servers: dns.servers, timeoutMs: 1000, tries: 1, maxAnswers: 32 });
  before(async () => {
    dns = await startDnsServer([]);
  });
  after(() => dns.stop());

  test("TLSA with AD, NXDOMAIN, SERVFAIL", async () => {
    dns.set([tlsa(1), { name: "mx.a.test", type: "A", value: "127.0.0.1" }], {
      ad: true,
      servfail: ["bogus.a.test"],
    });
    const a = await dnsQuery("_25._tcp.mx.a.test", "TLSA", opts());
    assert.equal(a.rcode, "NOERROR");
    assert.equal(a.ad, true);
    assert.deepEqual(
      a.answers.map(
        (x) =>
          x.type === "TLSA" && [
            x.data.usage,
            x.data.selector,
            x.data.matchingType,
            x.data.certificate.toString("hex"),
          ],
      ),
      [[3, 1, 1, "01".repeat(32)]],
    );
    const nx = await dnsQuery("nothing.a.test", "TLSA", opts());
    assert.deepEqual([nx.rcode, nx.answers.length], ["NXDOMAIN", 0]);
    const bogus = await dnsQuery("bogus.a.test", "A", opts());
    assert.deepEqual([bogus.rcode, bogus.ad], ["SERVFAIL", false]);
  });

  test("no AD unless the RRset is marked secure", async () => {
    dns.set([tlsa(1), { name: "mx.a.test", type: "A", value: "127.0.0.1" }], {});
    assert.equal((await dnsQuery("_25._tcp.mx.a.test", "TLSA", opts())).ad, true);
    assert.equal((await dnsQuery("mx.a.test", "A", opts())).ad, false);
  });

  test("an answer over 512 octets is truncated on UDP and fetched over TCP", async () => {
    dns.set(
      Array.from({ length: 20 }, (_, i) => tlsa(i)),
      { ad: true },
    );
    const a = await dnsQuery("_25._tcp.mx.a.test", "TLSA", opts());
    assert.equal(a.answers.length, 20);
    await assert.rejects(
      dnsQuery("_25._tcp.mx.a.test", "TLSA", { ...opts(), maxAnswers: 10 }),
      (e: unknown) => e instanceof DnsQueryError && /20 records in the answer \(limit 10\)/.test(e.message),
    );
  });

  test("a server that never answers: an error after the deadline, not a hang", async () => {
    const silent = dgram.createSocket("udp4");
    await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
    try {
      const t0 = Date.now();
      await assert.rejects(
        dnsQuery("mx.a.test", "A", {
          servers: [`127.0.0.1:${silent.address().port}`],
          timeoutMs: 200,
          tries: 2,
          maxAnswers: 5,
        }),
        /no answer from 127\.0\.0\.1 in 200 ms/,
      );
      assert.ok(Date.now() - t0 >= 400, "two tries of 200 ms");
    } finally {
      silent.close();
    }
  });

  test("server addresses", () => {
    assert.deepEqual(parseServer("127.0.0.1"), { host: "127.0.0.1", port: 53 });
    assert.deepEqual(parseServer("127.0.0.1:5353"), { host: "127.0.0.1", port: 5353 });
    assert.deepEqual(parseServer("[::1]:5353"), { host: "::1", port: 5353 });
    assert.deepEqual(parseServer("::1"), { host: "::1", port: 53 });
    assert.throws(() => parseServer("dns.example"), DnsQueryError);
  });
});
