import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createDnsResolver } from "../dns/resolver.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { buildDsn, statusFromReply } from "./dsn.js";
import { type MtaStsPolicy, mxAllowed } from "./mta-sts.js";
import { orderByPreference, resolveRoute } from "./mx.js";

describe("route resolution (RFC 5321 5.1, RFC 7505)", () => {
  let dns: DnsServer;
  before(async () => {
    dns = await startDnsServer([
      { name: "multi.test", type: "MX", exchange: "backup.multi.test", priority: 20 },
      { name: "multi.test", type: "MX", exchange: "primary.multi.test", priority: 5 },
      { name: "multi.test", type: "MX", exchange: "noaddr.multi.test", priority: 1 },
      { name: "noaddr.multi.test", type: "TXT", value: "exists without an address" },
      { name: "primary.multi.test", type: "A", value: "127.0.0.2" },
      { name: "primary.multi.test", type: "A", value: "127.0.0.3" },
      { name: "primary.multi.test", type: "AAAA", value: "::1" },
      { name: "backup.multi.test", type: "A", value: "127.0.0.4" },
      { name: "implicit.test", type: "A", value: "127.0.0.5" },
      { name: "null.test", type: "MX", exchange: ".", priority: 0 },
      { name: "broken.test", type: "MX", exchange: "nowhere.broken.test", priority: 10 },
      { name: "noaddr.test", type: "TXT", value: "a domain without MX or address" },
    ]);
  });
  after(() => dns.stop());
  const resolver = () => createDnsResolver({ servers: dns.servers, timeoutMs: 1000, tries: 1 });

  test("MX hosts in preference order, every address of each, hosts without address skipped", async () => {
    const r = await resolveRoute(resolver(), "multi.test", { maxHosts: 10 });
    assert.equal(r.kind, "hosts");
    if (r.kind !== "hosts") return;
    assert.equal(r.implicit, false);
    assert.deepEqual(
      r.hosts.map((h) => [h.name, h.priority, [...h.addresses].sort()]),
      [
        ["primary.multi.test", 5, ["127.0.0.2", "127.0.0.3", "::1"]],
        ["backup.multi.test", 20, ["127.0.0.4"]],
      ],
    );
    const one = await resolveRoute(resolver(), "multi.test", { maxHosts: 2 });
    assert.deepEqual(one.kind === "hosts" && one.hosts.map((h) => h.name), ["primary.multi.test"]);
  });

  test("no MX: the domain's own address (implicit MX); neither: permanent 5.1.2", async () => {
    assert.deepEqual(await resolveRoute(resolver(), "implicit.test", { maxHosts: 10 }), {
      kind: "hosts",
      implicit: true,
      hosts: [{ name: "implicit.test", priority: 0, addresses: ["127.0.0.5"] }],
    });
    const none = await resolveRoute(resolver(), "noaddr.test", { maxHosts: 10 });
    assert.equal(none.kind === "fail" && `${none.permanent} ${none.status}`, "true 5.1.2");
    const nx = await resolveRoute(resolver(), "does-not-exist.test", { maxHosts: 10 });
    assert.equal(nx.kind === "fail" && `${nx.permanent} ${nx.status}`, "true 5.1.2");
  });

  test("null MX is permanent 5.1.10; MX hosts without addresses are temporary", async () => {
    const n = await resolveRoute(resolver(), "null.test", { maxHosts: 10 });
    assert.equal(n.kind === "fail" && `${n.permanent} ${n.status}`, "true 5.1.10");
    const b = await resolveRoute(resolver(), "broken.test", { maxHosts: 10 });
    assert.equal(b.kind === "fail" && b.permanent, false);
  });

  test("a DNS server that does not answer is a temporary failure", async () => {
    const dead = createDnsResolver({ servers: ["127.0.0.1:9"], timeoutMs: 200, tries: 1 });
    const r = await resolveRoute(dead, "multi.test", { maxHosts: 10 });
    assert.equal(r.kind === "fail" && `${r.permanent} ${r.status}`, "false 4.4.3");
  });

  test("address literals go straight to the address", async () => {
    const r = await resolveRoute(resolver(), "[127.0.0.9]", { maxHosts: 10 });
    assert.deepEqual(r.kind === "hosts" && r.hosts[0]?.addresses, ["127.0.0.9"]);
  });

  test("equal preferences are shuffled, lower ones always first", () => {
    const list = [
      { n: "a", priority: 10 },
      { n: "b", priority: 10 },
      { n: "c", priority: 0 },
    ];
    const seq = [0.9, 0.1, 0.5];
    let i = 0;
    assert.deepEqual(
      orderByPreference(list, () => seq[i++ % 3]!).map((x) => x.n),
      ["c", "b", "a"],
    );
    i = 0;
    const seq2 = [0.1, 0.9, 0.5];
    assert.deepEqual(
      orderByPreference(list, () => seq2[i++ % 3]!).map((x) => x.n),
      ["c", "a", "b"],
    );
  });
});

describe("MTA-STS mx patterns (RFC 8461 4.1)", () => {
  const policy: MtaStsPolicy = {
    id: "1",
    mode: "enforce",
    mx: ["mx.example.test", "*.pool.example.test"],
    maxAgeSec: 86400,
    expiresAt: 0,
  };
  test("exact names and one-label wildcards only", () => {
    assert.equal(mxAllowed(policy, "MX.example.test."), true);
    assert.equal(mxAllowed(policy, "a.pool.example.test"), true);
    assert.equal(mxAllowed(policy, "a.b.pool.example.test"), false);
    assert.equal(mxAllowed(policy, "pool.example.test"), false);
    assert.equal(mxAllowed(policy, "evil.test"), false);
  });
});

describe("DSN (RFC 3464)", () => {
  test("status from the enhanced code, else from the reply class", () => {
    assert.equal(statusFromReply(550, "550 5.7.1 relaying denied"), "5.7.1");
    assert.equal(statusFromReply(550, "550 no"), "5.0.0");
    assert.equal(statusFromReply(451, "451 later"), "4.0.0");
  });

  test("RET=HDRS returns only the header; fields per message and per recipient", () => {
    const original = Buffer.from("Subject: s\r\nFrom: a@x.test\r\n\r\nsecret body\r\n");
    const dsn = buildDsn({
      reportingMta: "mx.a.test",
      to: "a@x.test",
      envId: "E-1",
      arrivalDate: new Date("2024-01-02T03:04:05Z"),
      recipients: [
        {
          address: "b@y.test",
          orcpt: "rfc822;B@y.test",
          action: "delayed",
          status: "4.2.2",
          diagnostic: "452 4.2.2 mailbox\r\n full",
          diagnosticIsSmtp: true,
          remoteMta: "mx.y.test",
          lastAttempt: new Date("2024-01-02T04:00:00Z"),
          willRetryUntil: new Date("2024-01-07T03:04:05Z"),
        },
      ],
      original,
      ret: "HDRS",
      returnMaxBytes: 1000,
      date: new Date("2024-01-02T04:00:00Z"),
    }).toString();
    assert.match(dsn, /\r\nSubject: Delayed Mail \(still being retried\)\r\n/);
    assert.match(dsn, /\r\nAuto-Submitted: auto-replied\r\n/);
    assert.match(
      dsn,
      /\r\nReporting-MTA: dns; mx\.a\.test\r\nOriginal-Envelope-Id: E-1\r\nArrival-Date: Tue, 02 Jan 2024 03:04:05 \+0000\r\n\r\nFinal-Recipient: rfc822; b@y\.test\r\nOriginal-Recipient: rfc822; B@y\.test\r\nAction: delayed\r\nStatus: 4\.2\.2\r\nRemote-MTA: dns; mx\.y\.test\r\nDiagnostic-Code: smtp; 452 4\.2\.2 mailbox full\r\nLast-Attempt-Date: Tue, 02 Jan 2024 04:00:00 \+0000\r\nWill-Retry-Until: Sun, 07 Jan 2024 03:04:05 \+0000\r\n/,
    );
    assert.match(dsn, /Content-Type: text\/rfc822-headers\r\n\r\nSubject: s\r\nFrom: a@x\.test\r\n\r\n--/);
    assert.doesNotMatch(dsn, /secret body/);
  });
});
