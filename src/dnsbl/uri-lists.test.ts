// URI block lists for links in the body, against our own DNS server (src/testing/dns-server.ts)
// through the real resolver: exact signals, exact queries, errors and timeouts failing open.
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { after, before, describe, test } from "node:test";
import { defaultsOf } from "../config/dsl.js";
import { ConfigError, validateConfig } from "../config/load.js";
import { createDnsResolver } from "../dns/resolver.js";
import { createLogger } from "../log/logger.js";
import type { FilterInput } from "../postoffice/types.js";
import { buildMessageView } from "../spam/message-view.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { dnsblSection } from "./config.js";
import { ListStats } from "./stats.js";
import { uriListSources } from "./uri-lists.js";

const logLines: string[] = [];
const log = createLogger({ format: "json", level: "debug", write: (l) => logLines.push(l) });

const zone = [
  { name: "spam.example.uribl.test", type: "A" as const, value: "127.0.1.2" },
  { name: "spam.example.uribl.test", type: "TXT" as const, value: "Listed: spam.example" },
  { name: "bad.co.uk.uribl.test", type: "A" as const, value: "127.0.1.5" },
  // Listed with a code outside the configured pattern: not a listing for us.
  { name: "other.example.uribl.test", type: "A" as const, value: "127.0.0.200" },
  // The list refuses the query (Spamhaus' public-resolver code): an error, not a listing.
  { name: "refused.example.uribl.test", type: "A" as const, value: "127.255.255.254" },
  { name: "spam.example.second.test", type: "A" as const, value: "127.0.0.2" },
];

function message(body: string, html = false): FilterInput {
  const raw = [
    "From: a@example.org",
    "Subject: links",
    ...(html ? ["Content-Type: text/html; charset=utf-8"] : []),
    "",
    body,
    "",
  ].join("\r\n");
  return {
    door: "inbound",
    id: "U1",
    mailFrom: "a@example.org",
    recipients: [{ address: "alice@example.test", accountIds: [1], remote: [] }],
    body: Buffer.from(raw),
    accountIds: [1],
    accountId: null,
    origin: {
      kind: "smtp",
      helo: "c.example.org",
      ip: "192.0.2.9",
      esmtp: true,
      utf8: false,
      authenticated: false,
      tls: null,
    },
    screen: null,
    auth: null,
  };
}

function cfg(over: Partial<ReturnType<typeof defaultsOf<typeof dnsblSection>>>) {
  return { ...defaultsOf(dnsblSection), ...over };
}

describe("URI block lists", () => {
  let dns: DnsServer;
  before(async () => {
    dns = await startDnsServer(zone);
  });
  after(async () => {
    await dns.stop();
  });

  const sourceWith = (over: Parameters<typeof cfg>[0], stats?: ListStats) => {
    const [s] = uriListSources(cfg({ uriZones: ["uribl.test=127.0.1.[2..99]*3"], ...over }), {
      resolver: createDnsResolver({ servers: dns.servers, timeoutMs: 1000, tries: 1 }),
      log,
      ...(stats ? { stats: () => stats } : {}),
    });
    assert.ok(s);
    return s;
  };
  const ask = (s: ReturnType<typeof sourceWith>, i: FilterInput) => s.signals(i, buildMessageView(i.body));

  test("a link to a listed domain (any host under it) gives URIBL_<zone> with its weight", async () => {
    const stats = new ListStats();
    const s = sourceWith({}, stats);
    const got = await ask(
      s,
      message(
        '<p>Buy <a href="https://www.spam.example/offer?id=1">now</a> at <a href="http://ok.example/">ok</a></p>',
        true,
      ),
    );
    assert.deepEqual(got, [
      { name: "URIBL_uribl.test", score: 3, detail: "link domain spam.example listed by uribl.test" },
    ]);
    const z = stats.list().find((x) => x.kind === "uri");
    assert.deepEqual(
      { queries: z?.queries, listed: z?.listed, errors: z?.errors },
      { queries: 2, listed: 1, errors: 0 },
    );
  });

  test("the registered domain is what is asked (co.uk: three labels); one signal per zone, every domain named", async () => {
    dns.queries.length = 0;
    const s = sourceWith({ uriZones: ["uribl.test=127.0.1.[2..99]*3", "second.test*2"] });
    const got = await ask(
      s,
      message("see http://a.b.bad.co.uk/x and https://spam.example and http://spam.example/again"),
    );
    assert.deepEqual(got, [
      {
        name: "URIBL_uribl.test",
        score: 3,
        detail: "link domains bad.co.uk, spam.example listed by uribl.test",
      },
      { name: "URIBL_second.test", score: 2, detail: "link domain spam.example listed by second.test" },
    ]);
    assert.deepEqual(dns.queries.filter((q) => q.endsWith(" A")).sort(), [
      "bad.co.uk.second.test A",
      "bad.co.uk.uribl.test A",
      "spam.example.second.test A",
      "spam.example.uribl.test A",
    ]);
  });

  test("unlisted domains, codes outside the pattern, and bare IPs give nothing", async () => {
    dns.queries.length = 0;
    const s = sourceWith({});
    const got = await ask(s, message("http://fine.example/ http://other.example/ http://192.0.2.1/x"));
    assert.deepEqual(got, []);
    assert.equal(dns.queries.filter((q) => q.includes("192")).length, 0);
  });

  test("127.255.255.254 (query refused) is an error, logged, not a listing", async () => {
    const s = sourceWith({});
    const got = await ask(s, message("http://refused.example/"));
    assert.deepEqual(got, []);
    assert.ok(
      logLines.some(
        (l) => /uribl lookup failed/.test(l) && /query refused by the list \(127\.255\.255\.254\)/.test(l),
      ),
    );
  });

  test("at most maxUriDomains distinct domains are asked", async () => {
    dns.queries.length = 0;
    const s = sourceWith({ maxUriDomains: 3 });
    const links = Array.from({ length: 10 }, (_, i) => `http://d${i}.example/`).join(" ");
    await ask(s, message(links));
    assert.deepEqual(
      dns.queries.filter((q) => q.endsWith(" A")),
      ["d0.example.uribl.test A", "d1.example.uribl.test A", "d2.example.uribl.test A"],
    );
  });

  test("no links, or no uriZones: no queries, no source", async () => {
    dns.queries.length = 0;
    assert.deepEqual(await ask(sourceWith({}), message("no links here")), []);
    assert.deepEqual(dns.queries, []);
    assert.deepEqual(
      uriListSources(cfg({}), { resolver: createDnsResolver({ servers: dns.servers }), log }),
      [],
    );
  });
});

describe("URI block lists when the DNS does not answer", () => {
  let mute: dgram.Socket;
  before(async () => {
    mute = dgram.createSocket("udp4"); // reads queries, never answers
    await new Promise<void>((r) => mute.bind(0, "127.0.0.1", () => r()));
  });
  after(() => {
    mute.close();
  });

  test("fails open by dnsbl.timeoutMs: no signal, logged", async () => {
    const [s] = uriListSources(cfg({ uriZones: ["uribl.test*5"], timeoutMs: 300 }), {
      resolver: createDnsResolver({
        servers: [`127.0.0.1:${mute.address().port}`],
        timeoutMs: 10_000,
        tries: 1,
      }),
      log,
    });
    assert.ok(s);
    const i = message("http://spam.example/");
    const got = await s.signals(i, buildMessageView(i.body));
    assert.deepEqual(got, []);
    // Ended by the deadline, not the resolver's own 10 s: "no answer in time" is the deadline's
    // error (the resolver's would be an ETIMEOUT), so no wall-clock bound a loaded machine can miss.
    assert.ok(logLines.some((l) => /uribl lookup failed/.test(l) && /no answer in time/.test(l)));
  });
});

test("uriZones: the zone syntax of the other lists, but a weight, not *reject", () => {
  assert.throws(() => validateConfig({ dnsbl: { uriZones: ["uribl.test*reject"] } }), {
    name: "ConfigError",
    message: /dnsbl\.uriZones: "uribl\.test\*reject": a URI list takes a weight/,
  });
  assert.throws(() => validateConfig({ dnsbl: { uriZones: ["not a zone"] } }), ConfigError);
  assert.deepEqual(validateConfig({ dnsbl: { uriZones: ["uribl.test*3"] } }).dnsbl.uriZones, [
    "uribl.test*3",
  ]);
});
