import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { createDnsResolver } from "../dns/resolver.js";
import { startDnsServer, type ZoneRecord } from "../testing/dns-server.js";
import { algorithmsOf, type DkimKey, generateDkimKeys } from "./keys.js";
import { checkDnsRecords, type DnsRecord, dnsRecordsFor, mtaStsPolicy, zoneLine } from "./records.js";

let dataDir = "";
let keys: DkimKey[] = [];
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "yubin-records-"));
  keys = await generateDkimKeys(dataDir, "a.test", {
    algorithms: algorithmsOf("ed25519+rsa"),
    rsaBits: 2048,
    now: new Date("2026-02-01T00:00:00Z"),
  });
});
after(() => rm(dataDir, { recursive: true, force: true }));

function config(): Config {
  const c = defaultConfig();
  c.server.hostname = "mail.a.test";
  c.listeners = [
    { protocol: "smtp", address: "0.0.0.0", port: 25, tls: "none" },
    { protocol: "submission", address: "0.0.0.0", port: 587, tls: "starttls" },
    { protocol: "submission", address: "0.0.0.0", port: 465, tls: "implicit" },
    { protocol: "imap", address: "0.0.0.0", port: 993, tls: "implicit" },
    { protocol: "managesieve", address: "0.0.0.0", port: 4190, tls: "starttls" },
  ];
  return c;
}

describe("dnsRecordsFor", () => {
  test("every record, in order", () => {
    const c = config();
    c.mailauth.recordSpfIps = ["192.0.2.10", "2001:db8::10"];
    const recs = dnsRecordsFor("a.test", c, keys);
    const [ed, rsa] = keys;
    const stsId = recs.find((r) => r.purpose === "mta-sts")!.value;
    assert.match(stsId, /^v=STSv1; id=[0-9a-f]{20}$/);
    assert.deepEqual(
      recs.map((r) => [r.name, r.type, r.value, r.purpose]),
      [
        ["a.test", "MX", "10 mail.a.test.", "mx"],
        ["a.test", "TXT", "v=spf1 ip4:192.0.2.10 ip6:2001:db8::10 mx ~all", "spf"],
        ["mail.a.test", "TXT", "v=spf1 ip4:192.0.2.10 ip6:2001:db8::10 a -all", "spf-helo"],
        ["y2026a-ed._domainkey.a.test", "TXT", `v=DKIM1; k=ed25519; p=${ed!.publicKeyBase64}`, "dkim"],
        ["y2026a-rsa._domainkey.a.test", "TXT", `v=DKIM1; k=rsa; p=${rsa!.publicKeyBase64}`, "dkim"],
        ["_dmarc.a.test", "TXT", "v=DMARC1; p=quarantine; rua=mailto:postmaster@a.test", "dmarc"],
        ["_mta-sts.a.test", "TXT", stsId, "mta-sts"],
        ["mta-sts.a.test", "CNAME", "mail.a.test.", "mta-sts-host"],
        ["_smtp._tls.a.test", "TXT", "v=TLSRPTv1; rua=mailto:postmaster@a.test", "tls-rpt"],
        ["_submissions._tcp.a.test", "SRV", "0 1 465 mail.a.test.", "srv"],
        ["_submission._tcp.a.test", "SRV", "0 1 587 mail.a.test.", "srv"],
        ["_imaps._tcp.a.test", "SRV", "0 1 993 mail.a.test.", "srv"],
        ["_imap._tcp.a.test", "SRV", "0 0 0 .", "srv"],
        ["_pop3s._tcp.a.test", "SRV", "0 0 0 .", "srv"],
        ["_pop3._tcp.a.test", "SRV", "0 0 0 .", "srv"],
        ["_sieve._tcp.a.test", "SRV", "0 1 4190 mail.a.test.", "srv"],
        ["autoconfig.a.test", "CNAME", "mail.a.test.", "autoconfig"],
      ],
    );
  });

  test("config changes the advice; the MTA-STS id follows the policy", () => {
    const c = config();
    const before = dnsRecordsFor("a.test", c, []).find((r) => r.purpose === "mta-sts")!.value;
    c.mailauth.recordDmarcPolicy = "reject";
    c.mailauth.recordReportAddress = "reports@ops.test";
    c.mailauth.recordMtaStsMode = "enforce";
    const recs = dnsRecordsFor("a.test", c, []);
    assert.equal(
      recs.find((r) => r.purpose === "dmarc")?.value,
      "v=DMARC1; p=reject; rua=mailto:reports@ops.test",
    );
    assert.equal(recs.find((r) => r.purpose === "tls-rpt")?.value, "v=TLSRPTv1; rua=mailto:reports@ops.test");
    assert.notEqual(recs.find((r) => r.purpose === "mta-sts")?.value, before);
    assert.equal(
      mtaStsPolicy(c),
      "version: STSv1\r\nmode: enforce\r\nmx: mail.a.test\r\nmax_age: 2592000\r\n",
    );
    // The host's own domain needs no separate HELO SPF record.
    c.server.hostname = "a.test";
    assert.equal(dnsRecordsFor("a.test", c, []).filter((r) => r.purpose === "spf-helo").length, 0);
  });

  test("zone lines: TXT split into 255-octet strings and quoted", () => {
    const rsa = dnsRecordsFor("a.test", config(), keys).find((r) => r.value.includes("k=rsa"))!;
    const line = zoneLine(rsa);
    const strings = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    assert.ok(rsa.value.length > 255 && strings.length === Math.ceil(rsa.value.length / 255));
    assert.ok(strings.every((s) => s.length <= 255));
    assert.equal(strings.join(""), rsa.value);
    assert.ok(line.startsWith("y2026a-rsa._domainkey.a.test. IN TXT "));
    const q: DnsRecord = { name: "x.test", type: "TXT", value: 'say "hi" \\ bye', purpose: "spf", note: "" };
    assert.equal(zoneLine(q), 'x.test. IN TXT "say \\"hi\\" \\\\ bye"');
    assert.equal(zoneLine(dnsRecordsFor("a.test", config(), [])[0]!), "a.test. IN MX 10 mail.a.test.");
  });
});

describe("checkDnsRecords (against a DNS server on 127.0.0.1)", () => {
  test("ok, different, missing per record", async () => {
    const c = config();
    const recs = dnsRecordsFor("a.test", c, keys);
    const want = (p: string) => recs.find((r) => r.purpose === p)!.value;
    const dkimEd = recs.find((r) => r.purpose === "dkim")!;
    // Tags reordered and spaced differently still count as the same record.
    const dmarcReordered = "v=DMARC1;rua=mailto:postmaster@a.test;  p=quarantine";
    const zone: ZoneRecord[] = [
      { name: "a.test", type: "MX", exchange: "MAIL.a.test", priority: 20 },
      { name: "a.test", type: "TXT", value: "google-site-verification=abc" },
      { name: "a.test", type: "TXT", value: "v=spf1 mx -all" },
      { name: "mail.a.test", type: "TXT", value: want("spf-helo") },
      { name: dkimEd.name, type: "TXT", value: dkimEd.value }, // long value: split by the server
      { name: "_dmarc.a.test", type: "TXT", value: dmarcReordered },
      { name: "mta-sts.a.test", type: "CNAME", value: "mail.a.test" },
      { name: "_submissions._tcp.a.test", type: "SRV", target: "mail.a.test", port: 465, priority: 5 },
      { name: "_submission._tcp.a.test", type: "SRV", target: "mail.a.test", port: 2525 },
    ];
    const dns = await startDnsServer(zone);
    try {
      const resolver = createDnsResolver({ servers: dns.servers, timeoutMs: 3000, tries: 2 });
      const checks = await checkDnsRecords(resolver, recs);
      const got = checks.map((c) => `${c.record.name} ${c.record.type} ${c.status}`);
      assert.deepEqual(got, [
        "a.test MX ok",
        "a.test TXT different",
        "mail.a.test TXT ok",
        "y2026a-ed._domainkey.a.test TXT ok",
        "y2026a-rsa._domainkey.a.test TXT missing",
        "_dmarc.a.test TXT ok",
        "_mta-sts.a.test TXT missing",
        "mta-sts.a.test CNAME ok",
        "_smtp._tls.a.test TXT missing",
        "_submissions._tcp.a.test SRV ok",
        "_submission._tcp.a.test SRV different",
        "_imaps._tcp.a.test SRV missing",
        "_imap._tcp.a.test SRV ok",
        "_pop3s._tcp.a.test SRV ok",
        "_pop3._tcp.a.test SRV ok",
        "_sieve._tcp.a.test SRV missing",
        "autoconfig.a.test CNAME missing",
      ]);
      // Only the records of the same kind are reported (not the site-verification TXT).
      assert.deepEqual(checks[1]!.found, ["v=spf1 mx -all"]);
      assert.deepEqual(checks[10]!.found, ["0 0 2525 mail.a.test."]);
    } finally {
      await dns.stop();
    }
  });

  test("a server that does not answer is an error, not missing", async () => {
    const resolver = createDnsResolver({ servers: ["127.0.0.1:1"], timeoutMs: 200, tries: 1 });
    const [check] = await checkDnsRecords(resolver, dnsRecordsFor("a.test", config(), []).slice(0, 1));
    assert.equal(check?.status, "error");
    assert.match(check?.error ?? "", /ECONNREFUSED|ETIMEOUT/);
  });
});
