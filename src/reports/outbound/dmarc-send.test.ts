// DMARC aggregate reports we send (RFC 7489 7.2), end to end: mail from sender.test arrives on
// port 25 with SPF pass; with [reports] dmarcSend on, the messages not classified as spam are
// counted, and the daily job mails a gzipped <feedback> report to the rua in sender.test itself
// and to the external one that authorises it (7.1: sender.test._report._dmarc.authorised.test),
// never to the external one that does not. Off (the default), nothing is counted at all.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import nodemailer from "nodemailer";
import { outboundConfig, waitFor } from "../../outbound/test-helpers.js";
import { type Sink, startSink } from "../../outbound/test-sink.js";
import type { Filter } from "../../postoffice/types.js";
import { type DnsServer, startDnsServer, type ZoneRecord } from "../../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { clearOfUtcMidnight } from "../../testing/utc-day.js";
import { extractReports } from "../inbound/extract.js";
import { readReport } from "../inbound/read.js";
import { utcDay } from "./day.js";

const mx = (domain: string): ZoneRecord[] => [
  { name: domain, type: "MX", exchange: `mx.${domain}`, priority: 10 },
  { name: `mx.${domain}`, type: "A", value: "127.0.0.1" },
];

/** Scores a message whose Subject says SPAM far over the threshold, as the spam filter would. */
const spamFilter: Filter = {
  name: "spam",
  doors: ["inbound"],
  check: (input) =>
    input.body.includes("Subject: SPAM")
      ? { kind: "accept", spam: { score: 20, threshold: 5 } }
      : { kind: "accept", spam: { score: 0, threshold: 5 } },
};

describe("DMARC aggregate reports we send", () => {
  let dns: DnsServer;
  let sink: Sink;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    dns = await startDnsServer([
      { name: "sender.test", type: "TXT", value: "v=spf1 ip4:127.0.0.1 -all" },
      {
        name: "_dmarc.sender.test",
        type: "TXT",
        value:
          "v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.sender.test,mailto:agg@thirdparty.test,mailto:ok@authorised.test!1m",
      },
      { name: "sender.test._report._dmarc.authorised.test", type: "TXT", value: "v=DMARC1" },
      ...mx("sender.test"),
      ...mx("reports.sender.test"),
      ...mx("thirdparty.test"),
      ...mx("authorised.test"),
    ]);
    sink = await startSink({});
    stops.push(() => sink.stop());
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop();
    await dns.stop();
  });

  const server = async (reports: Record<string, unknown>) => {
    const base = outboundConfig(dns, sink.port);
    // The DNS server answers from this test's own event loop: on a loaded machine 500 ms and one
    // try (the outbound tests' default) is not enough, and a DMARC or SPF look-up that times out
    // changes the row a message is counted in (a CI run counted 1 of 2 ham).
    base.dns = { ...base.dns, timeoutMs: 10_000, tries: 2 };
    const s = await startTestServer({
      domains: ["a.test"],
      users: [{ address: "alice@a.test", password: testPassword }],
      filters: [spamFilter],
      config: {
        ...base,
        server: { hostname: "mail.a.test" },
        mailauth: { verifyInbound: true },
        reports: { maxRuaPerDomain: 3, ...reports },
      },
    });
    stops.push(() => s.stop());
    return s;
  };

  const send = async (s: TestServer, subject: string) => {
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: s.ports.smtp,
      secure: false,
      ignoreTLS: true,
      name: "mta.sender.test",
    });
    try {
      const info = await t.sendMail({
        envelope: { from: "bounces@sender.test", to: ["alice@a.test"] },
        raw: `From: News <news@sender.test>\r\nTo: alice@a.test\r\nSubject: ${subject}\r\n\r\nHello.\r\n`,
      });
      assert.match(info.response, /^250 /);
    } finally {
      t.close();
    }
  };

  const tomorrowNoon = () => Date.parse(`${utcDay(Date.now())}T12:00:00Z`) + 86_400_000;

  test("off by default: nothing is counted, nothing sent", async () => {
    const s = await server({});
    assert.equal(s.config.reports.dmarcSend, false);
    await send(s, "hello");
    const reports = s.ctx.reportSending;
    assert.ok(reports);
    assert.equal(reports.dmarcObserved, null);
    await reports.flush();
    assert.deepEqual(await s.store.reportSending.dmarcRecords(utcDay(Date.now())), []);
    assert.deepEqual(await reports.sendDue(tomorrowNoon()), { tlsrpt: 0, dmarc: 0 });
  });

  test("on: ham counted, spam not; the report goes to the rua in the domain and the authorised one only", async () => {
    await clearOfUtcMidnight(); // rows are per UTC day, read back by the day computed after
    const s = await server({ dmarcSend: true });
    await send(s, "first");
    await send(s, "second");
    await send(s, "SPAM buy now");
    const reports = s.ctx.reportSending!;
    await reports.flush();
    const today = utcDay(Date.now());
    const rows = await s.store.reportSending.dmarcRecords(today);
    assert.deepEqual(
      rows.map((r) => [
        r.headerFrom,
        r.sourceIp,
        r.envelopeFrom,
        r.disposition,
        r.dkim,
        r.spf,
        r.spfResult,
        r.count,
      ]),
      [["sender.test", "127.0.0.1", "sender.test", "none", "fail", "pass", "pass", 2]],
      "the spam message is not counted",
    );

    const before = sink.transactions.length;
    assert.deepEqual(await reports.sendDue(tomorrowNoon()), { tlsrpt: 0, dmarc: 1 });
    assert.deepEqual(
      await reports.sendDue(tomorrowNoon() + 3_600_000),
      { tlsrpt: 0, dmarc: 0 },
      "once a day",
    );
    await waitFor("two report mails", () => sink.transactions.length >= before + 2);
    // Give a third, wrong, delivery the time to show up before asserting it did not.
    await new Promise((r) => setTimeout(r, 500));
    const sent = sink.transactions.slice(before);
    assert.deepEqual(sent.map((t) => t.rcpts).sort(), [
      ["RCPT TO:<dmarc@reports.sender.test> NOTIFY=NEVER"],
      ["RCPT TO:<ok@authorised.test> NOTIFY=NEVER"],
    ]);
    const text = sent[0]!.data.toString("latin1");
    const id =
      /^Subject: Report Domain: sender\.test Submitter: mail\.a\.test Report-ID: <([^>\r\n]+)>\r$/m.exec(
        text,
      )?.[1];
    assert.ok(id, text.slice(0, 1500));
    const name = /filename="(mail\.a\.test!sender\.test!\d{10}!\d{10}![0-9a-f]{16}\.xml\.gz)"/.exec(
      text,
    )?.[1];
    assert.ok(name);
    const b64 =
      /Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment;\r\n filename="[^"]+"\r\n\r\n([A-Za-z0-9+/=\r\n]+)\r\n--/.exec(
        text,
      )?.[1];
    assert.ok(b64);
    const xml = gunzipSync(Buffer.from(b64, "base64")).toString("utf8");
    assert.match(xml, new RegExp(`<report_id>${id.replace(/[.]/g, "\\.")}</report_id>`));
    assert.match(
      xml,
      /<policy_published><domain>sender\.test<\/domain><adkim>r<\/adkim><aspf>r<\/aspf><p>quarantine<\/p><sp>quarantine<\/sp><pct>100<\/pct><\/policy_published>/,
    );
    assert.match(
      xml,
      /<record><row><source_ip>127\.0\.0\.1<\/source_ip><count>2<\/count><policy_evaluated><disposition>none<\/disposition><dkim>fail<\/dkim><spf>pass<\/spf><\/policy_evaluated><\/row><identifiers><header_from>sender\.test<\/header_from><envelope_from>sender\.test<\/envelope_from><\/identifiers><auth_results><spf><domain>sender\.test<\/domain><result>pass<\/result><\/spf><\/auth_results><\/record>/,
    );
    assert.equal((xml.match(/<record>/g) ?? []).length, 1);
    // The parser of the reports we receive reads it as its sender meant.
    const { payloads } = extractReports(sent[0]!.data, { maxBytes: 1 << 20 });
    assert.equal(payloads.length, 1);
    const parsed = await readReport(payloads[0]!, { maxDecompressedBytes: 1 << 20, maxRecords: 1000 });
    assert.equal(parsed.kind, "dmarc");
    assert.equal(parsed.reportId, id);
    assert.equal(parsed.kind === "dmarc" && parsed.records[0]?.count, 2);
  });
});
