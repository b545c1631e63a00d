// SPF (spf.ts, spf-record.ts, spf-macro.ts, spf-ip.ts): the same results, Received-SPF fields and
// Authentication-Results items as mailauth's spf() on a zone of records, then RFC 7208's rules
// where we differ from it on purpose, and hostile records staying within their bounds.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { spf } from "mailauth";
import { type FakeZone, fakeResolver } from "./fake-dns.js";
import { checkSpf } from "./spf.js";
import { ipOctets, samePrefix } from "./spf-ip.js";

const txt = (...records: string[]) => ({ TXT: records.map((r) => [r]) });

const zone: FakeZone = {
  "pass.test": txt("v=spf1 ip4:192.0.2.0/24 -all"),
  "mail.pass.test": txt("v=spf1 ip4:192.0.2.1 -all"),
  "fail.test": txt("v=spf1 -all"),
  "soft.test": txt("v=spf1 ~all"),
  "neutral.test": txt("v=spf1 ?all"),
  "nomatch.test": txt("v=spf1 ip4:10.0.0.1"),
  "a.test": { ...txt("v=spf1 a -all"), A: ["192.0.2.10"], AAAA: ["2001:db8::10"] },
  "a4only.test": { ...txt("v=spf1 a a:v6.a4only.test -all"), A: ["192.0.2.11"] },
  "v6.a4only.test": { AAAA: ["2001:db8::11"] },
  "acidr.test": txt("v=spf1 a:host.acidr.test/24//64 -all"),
  "host.acidr.test": { A: ["192.0.2.99"], AAAA: ["2001:db8:1::1"] },
  "mx.test": {
    ...txt("v=spf1 mx -all"),
    MX: [
      { exchange: "mx2.mx.test", priority: 20 },
      { exchange: "mx1.mx.test", priority: 10 },
    ],
  },
  "mx1.mx.test": { A: ["198.51.100.1"] },
  "mx2.mx.test": { A: ["192.0.2.20"] },
  "inc.test": txt("v=spf1 include:pass.test -all"),
  "incfail.test": txt("v=spf1 include:fail.test ?all"),
  "incnone.test": txt("v=spf1 include:nothing.test -all"),
  "incsoft.test": txt("v=spf1 ~include:pass.test -all"),
  "redir.test": txt("v=spf1 redirect=pass.test"),
  "redirall.test": txt("v=spf1 ?all redirect=fail.test"),
  "redirnone.test": txt("v=spf1 redirect=nothing.test"),
  "exists.test": txt("v=spf1 exists:%{i}.bl.exists.test -all"),
  "192.0.2.1.bl.exists.test": { A: ["127.0.0.2"] },
  "ip6.test": txt("v=spf1 ip6:2001:db8::/32 -all"),
  "multi.test": txt("v=spf1 -all", "v=spf1 +all"),
  "loop.test": txt("v=spf1 include:loop.test -all"),
  "void.test": txt("v=spf1 a:n1.void.test a:n2.void.test a:n3.void.test +all"),
  "twovoid.test": txt("v=spf1 a:n1.void.test a:n2.void.test +all"),
  "unknown.test": txt("v=spf1 foo -all"),
  "macrol.test": txt("v=spf1 exists:%{l}.users.macrol.test -all"),
  "alice.users.macrol.test": { A: ["127.0.0.2"] },
  "macror.test": txt("v=spf1 exists:%{ir}.%{v}.%{l1r-}.rev.macror.test -all"),
  "1.2.0.192.in-addr.first.rev.macror.test": { A: ["127.0.0.2"] },
  "case.test": txt("V=SPF1 IP4:192.0.2.1 -ALL"),
  "spaces.test": txt("v=spf1   ip4:192.0.2.1   -all  "),
  "split.test": { TXT: [["v=spf1 ip4:192.0.2.1", " -all"]] },
  "othertxt.test": txt("google-site-verification=abc", "v=spf1 +all"),
  "nospf.test": txt("hello world"),
  "spf1x.test": txt("v=spf10 +all"),
  "ptr.test": txt("v=spf1 ptr -all"),
  "5.2.0.192.in-addr.arpa": { PTR: ["host.ptr.test"] },
  "host.ptr.test": { A: ["192.0.2.5"] },
  "exp.test": txt("v=spf1 -all exp=explain.exp.test"),
  "unknownmod.test": txt("v=spf1 foo=bar ip4:192.0.2.1 -all"),
  "allext.test": txt("v=spf1 all:x"),
  "emptyinc.test": txt("v=spf1 include: -all"),
  "badcidr.test": txt("v=spf1 ip4:192.0.2.0/33 -all"),
  "leadzero.test": txt("v=spf1 ip4:192.0.2.0/024 -all"),
  "badip.test": txt("v=spf1 ip4:192.0.2.300 -all"),
  "ctrl.test": txt("v=spf1 ip4:192.0.2.1\x01 -all"),
  "tworedir.test": txt("v=spf1 redirect=a.test redirect=b.test"),
  "timeout.test": txt("v=spf1 a:slow.timeout.test -all"),
  "refused.test": txt("v=spf1 include:refused.inc.test -all"),
  "mxnull.test": { ...txt("v=spf1 mx -all"), MX: [{ exchange: "", priority: 0 }] },
  "mxmany.test": {
    ...txt("v=spf1 mx -all"),
    MX: Array.from({ length: 12 }, (_, i) => ({ exchange: `h${i}.mxmany.test`, priority: i })),
  },
  ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`h${i}.mxmany.test`, { A: ["198.51.100.9"] }])),
  "long.test": txt(`v=spf1 ${"ip4:198.51.100.1 ".repeat(300)}ip4:192.0.2.1 -all`),
};
const failNames = { "slow.timeout.test": "ETIMEOUT", "refused.inc.test": "EREFUSED" };

const resolver = () => {
  const r = fakeResolver(zone, { failNames });
  return Object.assign((n: string, t: string) => r.resolve(n, t), { queries: r.queries });
};

interface Case {
  sender: string;
  ip: string;
  helo?: string;
}

async function both(c: Case) {
  const opts = { ip: c.ip, helo: c.helo ?? "client.example", sender: c.sender, mta: "mx.ours.test" };
  const mine = await checkSpf({ ...opts, resolver: resolver() });
  const theirs = await spf({ ...opts, resolver: resolver() as never });
  return { mine, theirs };
}

// Cases where the two agree to the letter: result, comment, Received-SPF and the A-R item.
const same: [string, string][] = [
  ["a@pass.test", "192.0.2.1"],
  ["a@pass.test", "203.0.113.9"],
  ["a@pass.test", "2001:db8::1"],
  ["", "192.0.2.1"],
  ["a@fail.test", "192.0.2.1"],
  ["a@soft.test", "192.0.2.1"],
  ["a@neutral.test", "192.0.2.1"],
  ["a@nomatch.test", "192.0.2.1"],
  ["a@a.test", "192.0.2.10"],
  ["a@a.test", "192.0.2.11"],
  ["a@a.test", "2001:db8::10"],
  ["a@a4only.test", "192.0.2.11"],
  ["a@a4only.test", "2001:db8::11"],
  ["a@a4only.test", "2001:db8::12"],
  ["a@acidr.test", "192.0.2.200"],
  ["a@acidr.test", "2001:db8:1::ffff"],
  ["a@acidr.test", "2001:db8:2::1"],
  ["a@mx.test", "192.0.2.20"],
  ["a@mx.test", "198.51.100.1"],
  ["a@mx.test", "198.51.100.2"],
  ["a@inc.test", "192.0.2.1"],
  ["a@inc.test", "203.0.113.1"],
  ["a@incfail.test", "192.0.2.1"],
  ["a@incnone.test", "192.0.2.1"],
  ["a@incsoft.test", "192.0.2.1"],
  ["a@redir.test", "192.0.2.1"],
  ["a@redir.test", "203.0.113.1"],
  ["a@redirall.test", "192.0.2.1"],
  ["a@redirnone.test", "192.0.2.1"],
  ["a@exists.test", "192.0.2.1"],
  ["a@exists.test", "192.0.2.2"],
  ["a@ip6.test", "2001:db8:ff::1"],
  ["a@ip6.test", "2001:db9::1"],
  ["a@ip6.test", "192.0.2.1"],
  ["a@multi.test", "192.0.2.1"],
  ["a@loop.test", "192.0.2.1"],
  ["a@void.test", "192.0.2.1"],
  ["a@twovoid.test", "192.0.2.1"],
  ["a@unknown.test", "192.0.2.1"],
  ["alice@macrol.test", "192.0.2.1"],
  ["bob@macrol.test", "192.0.2.1"],
  ["first-last@macror.test", "192.0.2.1"],
  ["a@case.test", "192.0.2.1"],
  ["a@spaces.test", "192.0.2.1"],
  ["a@split.test", "192.0.2.1"],
  ["a@othertxt.test", "192.0.2.1"],
  ["a@nospf.test", "192.0.2.1"],
  ["a@spf1x.test", "192.0.2.1"],
  ["a@nothing.test", "192.0.2.1"],
  ["a@ptr.test", "192.0.2.5"],
  ["a@ptr.test", "192.0.2.6"],
  ["a@exp.test", "192.0.2.1"],
  ["a@unknownmod.test", "192.0.2.1"],
  ["a@allext.test", "192.0.2.1"],
  ["a@emptyinc.test", "192.0.2.1"],
  ["a@badcidr.test", "192.0.2.1"],
  ["a@leadzero.test", "192.0.2.1"],
  ["a@ctrl.test", "192.0.2.1"],
  ["a@tworedir.test", "192.0.2.1"],
  ["a@timeout.test", "192.0.2.1"],
  ["a@mxnull.test", "192.0.2.1"],
  ["a@mxmany.test", "192.0.2.1"],
  ["a@long.test", "192.0.2.1"],
  ["a@PASS.TEST", "::ffff:192.0.2.1"],
  ["postmaster", "192.0.2.1"],
  ["@pass.test", "192.0.2.1"],
  ["a@bad_domain.test", "192.0.2.1"],
  ["a@nodot", "192.0.2.1"],
  ["a@[192.0.2.1]", "192.0.2.1"],
  ["a@1.2.3.4", "192.0.2.1"],
  [`a@${"x".repeat(64)}.test`, "192.0.2.1"],
];

describe("spf: as mailauth's spf()", () => {
  for (const [sender, ip] of same)
    test(`${sender || "<>"} from ${ip}`, async () => {
      const { mine, theirs } = await both({ sender, ip, helo: sender === "" ? "mail.pass.test" : undefined });
      assert.equal(mine.status.result, theirs.status.result);
      assert.equal(mine.status.comment, theirs.status.comment);
      assert.equal(mine.header, theirs.header);
      assert.equal(mine.info, theirs.info);
      assert.equal(mine.domain, theirs.domain);
    });

  test("a long sender and host name fold Received-SPF as mailauth's did", async () => {
    const sender = `${"averyveryverylonglocalpart".repeat(3)}@pass.test`;
    const { mine, theirs } = await both({ sender, ip: "192.0.2.1", helo: `${"h".repeat(60)}.example` });
    assert.ok(mine.header.includes("\r\n"), "folded");
    assert.equal(mine.header, theirs.header);
    assert.equal(mine.info, theirs.info);
  });
});

describe("spf: RFC 7208 where mailauth departs from it", () => {
  const check = (
    sender: string,
    ip: string,
    z: FakeZone = zone,
    fail: Record<string, string> = failNames,
  ) => {
    const r = fakeResolver(z, { failNames: fail });
    return checkSpf({
      ip,
      helo: "client.example",
      sender,
      mta: "mx.ours.test",
      resolver: (n, t) => r.resolve(n, t),
    });
  };

  test("%{d} is the domain being evaluated, inside an include too (§7.3)", async () => {
    const z: FakeZone = {
      "outer.test": txt("v=spf1 include:inner.test -all"),
      "inner.test": txt("v=spf1 exists:%{d}.ok.test -all"),
      "inner.test.ok.test": { A: ["127.0.0.2"] },
    };
    assert.equal((await check("a@outer.test", "192.0.2.1", z)).status.result, "pass");
  });

  test("a DNS failure inside an include is a temperror (§5.2), not a non-match", async () => {
    const z: FakeZone = { "outer.test": txt("v=spf1 include:broken.test +all") };
    const r = await check("a@outer.test", "192.0.2.1", z, { "broken.test": "ESERVFAIL" });
    assert.equal(r.status.result, "temperror");
  });

  test("a refused query inside an include is a temperror naming the name", async () => {
    const r = await check("a@refused.test", "192.0.2.1");
    assert.equal(r.status.result, "temperror");
    assert.match(r.status.comment, /refused by server when resolving refused\.inc\.test/);
  });

  test("syntax errors anywhere are a permerror, even after a match (§4.6)", async () => {
    const z: FakeZone = {
      "late.test": txt("v=spf1 +all include:"),
      "exp2.test": txt("v=spf1 -all exp=a.test exp=b.test"),
      "ip4v6.test": txt("v=spf1 ip4:2001:db8::1 -all"),
      "macroc.test": txt("v=spf1 exists:%{c}.x.test -all"),
      "macro0.test": txt("v=spf1 exists:%{d0}.x.test -all"),
      "macrobad.test": txt("v=spf1 exists:%{q}.x.test -all"),
      "lonepct.test": txt("v=spf1 exists:a%b.x.test -all"),
      "badmod.test": txt("v=spf1 1bad=x -all"),
    };
    for (const d of Object.keys(z))
      assert.equal((await check(`a@${d}`, "192.0.2.1", z)).status.result, "permerror", d);
  });

  test("an upper-case macro letter is URL-escaped (§7.3)", async () => {
    const z: FakeZone = {
      "esc.test": txt("v=spf1 exists:%{L}.esc.test -all"),
      "a%2bb.esc.test": { A: ["127.0.0.2"] }, // the fake zone reads names lower-cased
    };
    assert.equal((await check("a+b@esc.test", "192.0.2.1", z)).status.result, "pass");
  });

  test("a failed PTR query makes ptr not match (§5.5), no temperror", async () => {
    const z: FakeZone = { "ptrfail.test": txt("v=spf1 ptr ?all") };
    const r = await check("a@ptrfail.test", "192.0.2.5", z, { "5.2.0.192.in-addr.arpa": "ETIMEOUT" });
    assert.equal(r.status.result, "neutral");
  });
});

describe("spf: hostile records stay bounded", () => {
  test("a record including itself stops at the 10-lookup limit", async () => {
    const r = resolver();
    const out = await checkSpf({ ip: "192.0.2.1", sender: "a@loop.test", mta: "mx", resolver: r });
    assert.equal(out.status.result, "permerror");
    assert.match(out.status.comment, /Too many DNS requests/);
    assert.ok(r.queries.length <= 11, `${r.queries.length} queries`);
  });

  test("two records including each other, and wide includes, stop there too", async () => {
    const z: FakeZone = {
      "ping.test": txt("v=spf1 include:pong.test include:pong.test -all"),
      "pong.test": txt("v=spf1 include:ping.test include:ping.test -all"),
      "wide.test": txt(`v=spf1 ${Array.from({ length: 50 }, (_, i) => `include:w${i}.test`).join(" ")} -all`),
      ...Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`w${i}.test`, txt("v=spf1 ?all")])),
    };
    for (const d of ["ping.test", "wide.test"]) {
      const f = fakeResolver(z);
      const out = await checkSpf({
        ip: "192.0.2.1",
        sender: `a@${d}`,
        mta: "mx",
        resolver: (n, t) => f.resolve(n, t),
      });
      assert.equal(out.status.result, "permerror", d);
      assert.ok(f.queries.length <= 11, `${d}: ${f.queries.length} queries`);
    }
  });

  test("an mx mechanism resolves at most 10 hosts", async () => {
    const r = resolver();
    const out = await checkSpf({ ip: "192.0.2.1", sender: "a@mxmany.test", mta: "mx", resolver: r });
    assert.equal(out.status.result, "permerror");
    assert.ok(r.queries.filter((q) => q.startsWith("A h")).length <= 10);
  });

  test("macro expansion cannot grow past its bound", async () => {
    const sender = `${"l".repeat(64)}@bomb.test`;
    const z: FakeZone = { "bomb.test": txt(`v=spf1 exists:${"%{s}".repeat(1000)}.x -all`) };
    const f = fakeResolver(z);
    const out = await checkSpf({ ip: "192.0.2.1", sender, mta: "mx", resolver: (n, t) => f.resolve(n, t) });
    assert.equal(out.status.result, "permerror");
    assert.equal(f.queries.length, 1, "no query for the expanded name");
  });

  test("a long expansion is cut from the left to 253 characters (§4.8)", async () => {
    const sender = `${"l".repeat(60)}@cut.test`;
    const z: FakeZone = { "cut.test": txt("v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.x.cut.test -all") };
    const f = fakeResolver(z);
    await checkSpf({ ip: "192.0.2.1", sender, mta: "mx", resolver: (n, t) => f.resolve(n, t) });
    const asked = f.queries.find((q) => q.startsWith("A "))!.slice(2);
    assert.ok(asked.length <= 253, `${asked.length}`);
    assert.ok(asked.endsWith(".x.cut.test"));
  });

  test("a record over 8,192 characters is refused unread", async () => {
    const z: FakeZone = { "huge.test": txt(`v=spf1 ${"ip4:198.51.100.1 ".repeat(600)}-all`) };
    const out = await checkSpf({
      ip: "192.0.2.1",
      sender: "a@huge.test",
      mta: "mx",
      resolver: (n, t) => fakeResolver(z).resolve(n, t),
    });
    assert.equal(out.status.result, "permerror");
  });
});

describe("spf-ip", () => {
  test("IPv6 forms parse to the same octets", () => {
    const a = ipOctets("2001:db8::ffff:c000:201")!;
    assert.deepEqual(ipOctets("2001:0db8:0:0:0:ffff:192.0.2.1"), a);
    assert.deepEqual(ipOctets("::1"), Uint8Array.from([...new Array(15).fill(0), 1]));
    assert.equal(ipOctets("192.0.2.300"), null);
  });
  test("prefixes", () => {
    const a = ipOctets("192.0.2.129")!;
    assert.ok(samePrefix(a, ipOctets("192.0.2.0")!, 24));
    assert.ok(samePrefix(a, ipOctets("192.0.2.128")!, 25));
    assert.ok(!samePrefix(a, ipOctets("192.0.2.0")!, 25));
    assert.ok(samePrefix(a, ipOctets("10.0.0.0")!, 0));
    assert.ok(!samePrefix(a, ipOctets("::1")!, 0), "families never match");
  });
});
