import assert from "node:assert/strict";
import { Resolver } from "node:dns/promises";
import { after, before, describe, test } from "node:test";
import { createDnsResolver } from "../dns/resolver.js";
import { isNoData } from "../dns/types.js";
import { type DnsServer, startDnsServer } from "./dns-server.js";

describe("test DNS server", () => {
  let dns: DnsServer;
  before(async () => {
    dns = await startDnsServer([
      { name: "a.test", type: "MX", exchange: "mx.a.test", priority: 10 },
      { name: "a.test", type: "MX", exchange: "mx2.a.test", priority: 20 },
      { name: "mx.a.test", type: "A", value: "127.0.0.1" },
      { name: "mx.a.test", type: "AAAA", value: "::1" },
      { name: "a.test", type: "TXT", value: "v=spf1 ip4:127.0.0.1 -all" },
      { name: "long.a.test", type: "TXT", value: "x".repeat(600) },
      { name: "www.a.test", type: "CNAME", value: "mx.a.test" },
      {
        name: "_submission._tcp.a.test",
        type: "SRV",
        target: "mx.a.test",
        port: 587,
        priority: 5,
        weight: 1,
      },
      { name: "null.test", type: "MX", exchange: ".", priority: 0 },
    ]);
  });
  after(() => dns.stop());

  test("answers MX, A, AAAA, TXT, CNAME, SRV through Node's resolver", async () => {
    const r = createDnsResolver({ servers: dns.servers, timeoutMs: 1000, tries: 1 });
    const mx = (await r.resolveMx("a.test")).sort((x, y) => x.priority - y.priority);
    assert.deepEqual(mx, [
      { exchange: "mx.a.test", priority: 10 },
      { exchange: "mx2.a.test", priority: 20 },
    ]);
    assert.deepEqual(await r.resolve4("mx.a.test"), ["127.0.0.1"]);
    assert.deepEqual(await r.resolve6("mx.a.test"), ["::1"]);
    assert.deepEqual(await r.resolveTxt("a.test"), [["v=spf1 ip4:127.0.0.1 -all"]]);
    assert.deepEqual(await r.resolveCname("www.a.test"), ["mx.a.test"]);
    assert.deepEqual(await r.resolve4("www.a.test"), ["127.0.0.1"]);
    assert.deepEqual(await r.resolveSrv("_submission._tcp.a.test"), [
      { name: "mx.a.test", port: 587, priority: 5, weight: 1 },
    ]);
    assert.deepEqual(await r.resolveMx("null.test"), [{ exchange: "", priority: 0 }]);
    assert.ok(dns.queries.includes("a.test MX"));
  });

  test("NXDOMAIN and NODATA are both isNoData", async () => {
    const r = createDnsResolver({ servers: dns.servers, timeoutMs: 1000, tries: 1 });
    await assert.rejects(r.resolveMx("nope.test"), (e) => isNoData(e));
    await assert.rejects(r.resolve4("a.test"), (e) => isNoData(e));
  });

  test("answers over 512 octets come over TCP after a truncated UDP answer", async () => {
    const r = createDnsResolver({ servers: dns.servers, timeoutMs: 1000, tries: 1 });
    const txt = await r.resolveTxt("long.a.test");
    assert.equal(txt.length, 1);
    assert.equal(txt[0]?.join(""), "x".repeat(600));
  });

  test("set() replaces the zone while running", async () => {
    const local = await startDnsServer([{ name: "b.test", type: "A", value: "127.0.0.2" }]);
    try {
      const r = new Resolver({ timeout: 1000, tries: 1 });
      r.setServers(local.servers);
      assert.deepEqual(await r.resolve4("b.test"), ["127.0.0.2"]);
      local.set([{ name: "b.test", type: "A", value: "127.0.0.3" }]);
      assert.deepEqual(await r.resolve4("b.test"), ["127.0.0.3"]);
    } finally {
      await local.stop();
    }
  });
});
