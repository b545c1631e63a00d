// TLS-RPT end to end (RFC 8460): deliveries to domains that publish _smtp._tls are counted per
// session (a certificate from a CA we do not trust under requireTls, then a good one; MTA-STS
// enforce), nothing is kept for a domain without the record, and the daily job mails one
// multipart/report to the mailto: rua and POSTs the gzipped JSON to the https: rua. The reports
// are read back with the parser of the reports we receive (src/reports/inbound).
import assert from "node:assert/strict";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import selfsigned from "selfsigned";
import { createTestCa, type TestCa } from "../../outbound/test-certs.js";
import { outboundConfig, waitFor } from "../../outbound/test-helpers.js";
import { type Sink, startSink } from "../../outbound/test-sink.js";
import { type DnsServer, startDnsServer, type ZoneRecord } from "../../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { clearOfUtcMidnight } from "../../testing/utc-day.js";
import { extractReports } from "../inbound/extract.js";
import { readReport } from "../inbound/read.js";
import { utcDay } from "./day.js";
import type { TlsRptDocument } from "./tlsrpt-report.js";

const mx = (domain: string, exchange: string): ZoneRecord[] => [
  { name: domain, type: "MX", exchange, priority: 10 },
  { name: exchange, type: "A", value: "127.0.0.1" },
];

async function selfSigned(name: string) {
  const c = await selfsigned.generate([{ name: "commonName", value: name }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: name }] }],
  });
  return { cert: c.cert, key: c.private };
}

describe("TLS-RPT: counting outbound sessions and sending the daily report", () => {
  let dns: DnsServer;
  let ca: TestCa;
  let sink: Sink;
  let a: TestServer;
  const posts: { type: string; path: string; body: Buffer }[] = [];
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    ca = await createTestCa();
    const rua = https.createServer(await ca.issue(["rua.reports.test"]), (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        posts.push({
          type: String(req.headers["content-type"]),
          path: req.url ?? "",
          body: Buffer.concat(chunks),
        });
        res.writeHead(201).end();
      });
    });
    const policy = https.createServer(await ca.issue(["mta-sts.sts.test"]), (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n");
    });
    for (const s of [rua, policy]) {
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
      stops.push(() => new Promise<void>((r) => s.close(() => r())));
    }
    const ruaPort = (rua.address() as AddressInfo).port;
    dns = await startDnsServer([
      ...mx("rpt.test", "mx.rpt.test"),
      { name: "_smtp._tls.rpt.test", type: "TXT", value: "v=TLSRPTv1; rua=mailto:tls-reports@reports.test" },
      ...mx("sts.test", "mx.sts.test"),
      { name: "_mta-sts.sts.test", type: "TXT", value: "v=STSv1; id=1" },
      { name: "mta-sts.sts.test", type: "A", value: "127.0.0.1" },
      {
        name: "_smtp._tls.sts.test",
        type: "TXT",
        value: `v=TLSRPTv1; rua=https://rua.reports.test:${ruaPort}/v1/tlsrpt`,
      },
      { name: "rua.reports.test", type: "A", value: "127.0.0.1" },
      ...mx("reports.test", "mx.reports.test"),
      ...mx("quiet.test", "mx.quiet.test"),
    ]);
    // First a self-signed certificate: requireTls refuses it.
    sink = await startSink({ tls: await selfSigned("mx.rpt.test") });
    stops.push(() => sink.stop());
    a = await startTestServer({
      domains: ["a.test"],
      users: [{ address: "alice@a.test", password: testPassword }],
      config: {
        ...outboundConfig(dns, sink.port, {
          requireTls: ["rpt.test"],
          caFile: ca.caFile,
          mtaStsPort: (policy.address() as AddressInfo).port,
        }),
        server: { hostname: "mail.a.test" },
      },
    });
    stops.push(() => a.stop());
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop();
    await dns.stop();
    await ca.remove();
  });

  const enqueue = async (to: string) => {
    const q = await a.store.queue.enqueue({
      body: Buffer.from(`From: alice@a.test\r\nSubject: to ${to}\r\n\r\nhello\r\n`),
      mailFrom: "alice@a.test",
      recipients: [{ address: to }],
    });
    a.ctx.kickQueue?.();
    return q.id;
  };

  test("certificate-not-trusted sessions, then a success, counted for rpt.test; sts.test under its policy; quiet.test not at all", async () => {
    await clearOfUtcMidnight(); // rows are per UTC day, read back by the day computed after
    const id = await enqueue("bob@rpt.test");
    await waitFor(
      "2 refused attempts",
      async () => ((await a.store.queue.getQueued(id))?.attempts ?? 0) >= 2,
    );
    sink.script.tls = await ca.issue(["mx.rpt.test", "mx.sts.test", "mx.quiet.test", "mx.reports.test"]);
    await waitFor("delivery to rpt.test", () => sink.transactions.length === 1);
    // Every connection so far was one TLS session with mx.rpt.test: all but the last failed.
    const rptFailures = sink.connections - 1;
    assert.ok(rptFailures >= 2);
    await enqueue("carol@sts.test");
    await waitFor("delivery to sts.test", () => sink.transactions.length === 2);
    await enqueue("dave@quiet.test");
    await waitFor("delivery to quiet.test", () => sink.transactions.length === 3);

    const reports = a.ctx.reportSending;
    assert.ok(reports);
    await reports.flush();
    const today = utcDay(Date.now());
    const rows = await a.store.reportSending.tlsResults(today);
    assert.deepEqual(
      rows.map((r) => [
        r.policyDomain,
        r.policyType,
        r.result,
        r.count,
        r.receivingMx,
        r.receivingIp,
        r.sendingIp,
      ]),
      [
        [
          "rpt.test",
          "no-policy-found",
          "certificate-not-trusted",
          rptFailures,
          "mx.rpt.test",
          "127.0.0.1",
          // A failed session's socket is gone: no sending IP unless outbound.sourceAddress.
          "",
        ],
        ["rpt.test", "no-policy-found", "success", 1, "mx.rpt.test", "127.0.0.1", "127.0.0.1"],
        ["sts.test", "sts", "success", 1, "mx.sts.test", "127.0.0.1", "127.0.0.1"],
      ],
      "quiet.test publishes no TLS-RPT record: nothing kept",
    );

    // The daily job: before sendHourUtc nothing; the next day, one report per domain, once.
    const tomorrow = Date.parse(`${today}T00:00:00Z`) + 86_400_000;
    assert.deepEqual(
      await reports.sendDue(tomorrow),
      { tlsrpt: 0, dmarc: 0 },
      "00:00 is before sendHourUtc (1)",
    );
    assert.deepEqual(await reports.sendDue(tomorrow + 12 * 3_600_000), { tlsrpt: 2, dmarc: 0 });
    assert.deepEqual(await reports.sendDue(tomorrow + 13 * 3_600_000), { tlsrpt: 0, dmarc: 0 }, "once a day");

    // mailto: one multipart/report through the queue to reports.test.
    const mail = await waitFor("the report mail", () =>
      sink.transactions.find((t) => t.rcpts.includes("RCPT TO:<tls-reports@reports.test> NOTIFY=NEVER")),
    );
    assert.match(mail.mailFrom, /^MAIL FROM:<> /, "from the null sender: a report never bounces");
    const text = mail.data.toString("latin1");
    const id1 =
      /^Subject: Report Domain: rpt\.test Submitter: mail\.a\.test Report-ID: <([^>\r\n]+)>\r$/m.exec(
        text,
      )?.[1];
    assert.ok(id1, text.slice(0, 2000));
    assert.match(text, /^TLS-Report-Domain: rpt\.test\r$/m);
    assert.match(text, /^TLS-Report-Submitter: mail\.a\.test\r$/m);
    assert.match(text, /^Content-Type: multipart\/report; report-type="tlsrpt";/m);
    const { payloads } = extractReports(mail.data, { maxBytes: 1 << 20 });
    assert.equal(payloads.length, 1);
    const payload = payloads[0]!;
    assert.match(payload.name, /^mail\.a\.test!rpt\.test!\d{10}!\d{10}![0-9a-f]{16}\.json\.gz$/);
    const json = JSON.parse(gunzipSync(payload.data).toString("utf8")) as TlsRptDocument;
    assert.equal(json["report-id"], id1);
    assert.equal(json["organization-name"], "mail.a.test");
    assert.equal(json["contact-info"], "postmaster@a.test");
    assert.deepEqual(json["date-range"], {
      "start-datetime": `${today}T00:00:00Z`,
      "end-datetime": `${today}T23:59:59Z`,
    });
    assert.deepEqual(json.policies, [
      {
        policy: { "policy-type": "no-policy-found", "policy-string": [], "policy-domain": "rpt.test" },
        summary: { "total-successful-session-count": 1, "total-failure-session-count": rptFailures },
        "failure-details": [
          {
            "result-type": "certificate-not-trusted",
            "receiving-mx-hostname": "mx.rpt.test",
            "receiving-ip": "127.0.0.1",
            "failed-session-count": rptFailures,
            "additional-information": json.policies[0]?.["failure-details"]?.[0]?.["additional-information"],
          },
        ],
      },
    ]);
    assert.match(
      json.policies[0]?.["failure-details"]?.[0]?.["additional-information"] ?? "",
      /self-signed certificate/i,
    );
    // The parser of reports we receive reads it as its sender meant.
    const parsed = await readReport(payload, { maxDecompressedBytes: 1 << 20, maxRecords: 1000 });
    assert.equal(parsed.kind, "tlsrpt");
    assert.equal(parsed.reportId, id1);
    assert.equal(parsed.kind === "tlsrpt" && parsed.policies[0]?.domain, "rpt.test");

    // https: the gzipped JSON POSTed as application/tlsrpt+gzip.
    assert.equal(posts.length, 1);
    assert.equal(posts[0]!.type, "application/tlsrpt+gzip");
    assert.equal(posts[0]!.path, "/v1/tlsrpt");
    const sts = JSON.parse(gunzipSync(posts[0]!.body).toString("utf8")) as TlsRptDocument;
    assert.deepEqual(sts.policies, [
      {
        policy: {
          "policy-type": "sts",
          "policy-string": ["version: STSv1", "mode: enforce", "mx: mx.sts.test", "max_age: 86400"],
          "policy-domain": "sts.test",
          "mx-host": ["mx.sts.test"],
        },
        summary: { "total-successful-session-count": 1, "total-failure-session-count": 0 },
      },
    ]);
    // The report's own delivery to reports.test was not counted (no loops; it has no record anyway).
    await reports.flush();
    assert.equal((await a.store.reportSending.tlsResults(today)).length, 3);
  });
});
