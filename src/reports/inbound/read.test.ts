// Reading report messages as the big reporters send them (test-fixtures.ts): find the
// attachment, unpack it under the caps, parse it into a typed report.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { UnpackError } from "./decompress.js";
import { ReportParseError } from "./errors.js";
import { extractReports, type ReportPayload } from "./extract.js";
import { readReport } from "./read.js";
import {
  googleDmarcXml,
  googleZipMessage,
  microsoftGzipMessage,
  T_BEGIN,
  T_END,
  tlsRptMessage,
  yahooPlainMessage,
  zipMessage,
} from "./test-fixtures.js";

const D = "example.test";
const TO = `postmaster@${D}`;
const limits = { maxDecompressedBytes: 1024 * 1024, maxRecords: 1000 };

function only(message: Buffer): ReportPayload {
  const { payloads, skipped } = extractReports(message, { maxBytes: 1024 * 1024 });
  assert.deepEqual(skipped, []);
  assert.equal(payloads.length, 1);
  return payloads[0]!;
}

describe("report messages as reporters send them", () => {
  test("Google: zip attachment", async () => {
    const p = only(googleZipMessage(D, TO));
    assert.deepEqual([p.kind, p.packing], ["dmarc", "zip"]);
    const r = await readReport(p, limits);
    assert.equal(r.kind, "dmarc");
    if (r.kind !== "dmarc") return;
    assert.equal(r.org, "google.com");
    assert.equal(r.email, "noreply-dmarc-support@google.com");
    assert.equal(r.reportId, "14253467880099887766");
    assert.equal(r.begin.getTime(), T_BEGIN * 1000);
    assert.equal(r.end.getTime(), T_END * 1000);
    assert.deepEqual(r.policy, {
      domain: D,
      adkim: "r",
      aspf: "r",
      p: "quarantine",
      sp: "quarantine",
      pct: 100,
    });
    assert.deepEqual(r.records, [
      {
        sourceIp: "192.0.2.25",
        count: 12,
        disposition: "none",
        dkim: "pass",
        spf: "pass",
        headerFrom: D,
        envelopeFrom: null,
        authDkim: [{ domain: D, selector: "yubin1", result: "pass" }],
        authSpf: [{ domain: D, result: "pass" }],
      },
      {
        sourceIp: "203.0.113.99",
        count: 3,
        disposition: "quarantine",
        dkim: "fail",
        spf: "fail",
        headerFrom: D,
        envelopeFrom: null,
        authDkim: [],
        authSpf: [{ domain: "spoofer.example", result: "softfail" }],
      },
    ]);
  });

  test("Microsoft: gzip attachment, namespaced root, IPv6 source, envelope_from", async () => {
    const p = only(microsoftGzipMessage(D, TO));
    assert.deepEqual([p.kind, p.packing], ["dmarc", "gzip"]);
    const r = await readReport(p, limits);
    assert.ok(r.kind === "dmarc");
    assert.equal(r.org, "Enterprise Outlook");
    assert.equal(r.records.length, 1);
    assert.equal(r.records[0]?.sourceIp, "2001:db8::25");
    assert.equal(r.records[0]?.envelopeFrom, `bounces.${D}`);
    assert.deepEqual(r.records[0]?.authSpf, [{ domain: `bounces.${D}`, result: "fail" }]);
  });

  test("Yahoo: plain XML as the whole body", async () => {
    const p = only(yahooPlainMessage(D, TO));
    assert.deepEqual([p.kind, p.packing], ["dmarc", "plain"]);
    const r = await readReport(p, limits);
    assert.ok(r.kind === "dmarc");
    assert.equal(r.org, "Yahoo");
    assert.equal(r.reportId, "1765065600.553177");
    assert.equal(r.policy.sp, null);
    assert.deepEqual(
      r.records.map((x) => [x.sourceIp, x.count, x.dkim, x.spf]),
      [["198.51.100.7", 1, "fail", "fail"]],
    );
  });

  test("TLS-RPT: application/tlsrpt+gzip in a multipart/report", async () => {
    const p = only(tlsRptMessage(D, TO));
    assert.deepEqual([p.kind, p.packing], ["tlsrpt", "gzip"]);
    const r = await readReport(p, limits);
    assert.ok(r.kind === "tlsrpt");
    assert.equal(r.org, "Google Inc.");
    assert.equal(r.contact, "smtp-tls-reporting@google.com");
    assert.equal(r.begin.getTime(), T_BEGIN * 1000);
    assert.equal(r.end.getTime(), T_END * 1000);
    assert.deepEqual(r.policies, [
      {
        type: "sts",
        strings: ["version: STSv1", "mode: testing", `mx: mx.${D}`, "max_age: 86400"],
        domain: D,
        mxHosts: [`mx.${D}`],
        successful: 41,
        failed: 2,
        failures: [
          {
            resultType: "certificate-expired",
            sendingMtaIp: "209.85.220.41",
            receivingMxHostname: `mx.${D}`,
            receivingIp: "192.0.2.10",
            failedSessionCount: 2,
            additionalInformation: null,
            failureReasonCode: null,
          },
        ],
      },
    ]);
  });

  test("a message without a report part gives nothing; one too large is named, not read", () => {
    const plain = Buffer.from(
      "From: a@b.example\r\nTo: postmaster@example.test\r\nSubject: hi\r\n\r\nhello\r\n",
    );
    assert.deepEqual(extractReports(plain, { maxBytes: 1024 }), { payloads: [], skipped: [] });
    const big = googleZipMessage(
      D,
      TO,
      googleDmarcXml(D).replace("<feedback>", `<feedback><!-- ${"x".repeat(4000)} -->`),
    );
    const r = extractReports(big, { maxBytes: 100 });
    assert.deepEqual(r.payloads, []);
    assert.equal(r.skipped.length, 1);
  });
});

describe("hostile and broken reports", () => {
  const reject = async (
    p: ReportPayload,
    cls: typeof UnpackError | typeof ReportParseError,
    reason: string,
  ) =>
    assert.rejects(readReport(p, limits), (e: unknown) => {
      assert.ok(e instanceof cls, String(e));
      assert.equal((e as UnpackError).reason, reason, (e as Error).message);
      return true;
    });
  const payload = (
    packing: ReportPayload["packing"],
    data: Buffer,
    kind: ReportPayload["kind"] = "dmarc",
  ) => ({
    kind,
    packing,
    data,
    name: "test",
  });

  test("a gzip bomb stops at the cap", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 100_000);
    await reject(payload("gzip", bomb), UnpackError, "too-large");
  });

  test("a zip with a huge entry stops at the cap; one with many entries after a few", async () => {
    const huge = Buffer.from(zipSync({ "a.xml": new Uint8Array(64 * 1024 * 1024) }, { level: 9 }));
    assert.ok(huge.length < 200_000);
    await reject(payload("zip", huge), UnpackError, "too-large");
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i < 5000; i++) many[`f${i}.txt`] = new Uint8Array(1);
    await reject(payload("zip", Buffer.from(zipSync(many))), UnpackError, "too-many-entries");
    await reject(
      payload("zip", Buffer.from(zipSync({ "a.txt": new Uint8Array(3) }))),
      UnpackError,
      "no-report-entry",
    );
    // Not a zip at all: fflate finds no entry in it.
    await reject(payload("zip", Buffer.from("PK\x03\x04 not really a zip")), UnpackError, "no-report-entry");
    await reject(payload("gzip", Buffer.from("\x1f\x8b garbage")), UnpackError, "corrupt");
  });

  test("billion laughs: entities are never expanded", async () => {
    const lol = googleDmarcXml(D)
      .replace(
        '<?xml version="1.0" encoding="UTF-8" ?>',
        `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`).join("")}]>`,
      )
      .replace("<org_name>google.com</org_name>", "<org_name>&lol9;</org_name>");
    const r = await readReport(payload("plain", Buffer.from(lol)), limits);
    assert.ok(r.kind === "dmarc");
    assert.equal(r.org, "&lol9;");
  });

  test("an external entity (XXE) is refused, never fetched or read", async () => {
    const xxe = googleDmarcXml(D)
      .replace(
        '<?xml version="1.0" encoding="UTF-8" ?>',
        '<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
      )
      .replace("<org_name>google.com</org_name>", "<org_name>&x;</org_name>");
    await reject(payload("plain", Buffer.from(xxe)), ReportParseError, "malformed");
  });

  test("malformed XML, missing fields, bad values, too many records", async () => {
    await reject(
      payload("plain", Buffer.from("<feedback><report_metadata></feedback>")),
      ReportParseError,
      "malformed",
    );
    await reject(payload("plain", Buffer.from("<feedback></feedback>")), ReportParseError, "malformed");
    await reject(
      payload("plain", Buffer.from(googleDmarcXml(D).replace("192.0.2.25", "not-an-ip"))),
      ReportParseError,
      "malformed",
    );
    await reject(
      payload("plain", Buffer.from(googleDmarcXml(D).replace("<count>12</count>", "<count>-1</count>"))),
      ReportParseError,
      "malformed",
    );
    await assert.rejects(
      readReport(payload("plain", Buffer.from(googleDmarcXml(D))), { ...limits, maxRecords: 1 }),
      (e: unknown) => e instanceof ReportParseError && e.reason === "too-many-records",
    );
  });

  test("malformed TLS-RPT JSON and wrong types", async () => {
    await reject(payload("plain", Buffer.from("{not json"), "tlsrpt"), ReportParseError, "malformed");
    await reject(payload("plain", Buffer.from("[]"), "tlsrpt"), ReportParseError, "malformed");
    const ok = JSON.parse(
      Buffer.from((await import("./test-fixtures.js")).googleTlsRptJson(D, `mx.${D}`)).toString(),
    );
    const bad = structuredClone(ok);
    bad.policies[0].summary["total-failure-session-count"] = "2";
    await reject(payload("plain", Buffer.from(JSON.stringify(bad)), "tlsrpt"), ReportParseError, "malformed");
    const badDate = structuredClone(ok);
    badDate["date-range"]["start-datetime"] = "yesterday";
    await reject(
      payload("plain", Buffer.from(JSON.stringify(badDate)), "tlsrpt"),
      ReportParseError,
      "malformed",
    );
    const badType = structuredClone(ok);
    badType.policies[0].policy["policy-type"] = "bogus";
    await reject(
      payload("plain", Buffer.from(JSON.stringify(badType)), "tlsrpt"),
      ReportParseError,
      "malformed",
    );
  });

  test("a zip from a message: the same bomb through extract", async () => {
    const huge = Buffer.from(zipSync({ "a.xml": new Uint8Array(64 * 1024 * 1024) }, { level: 9 }));
    const p = only(zipMessage(D, TO, huge, "bomb.zip"));
    await reject(p, UnpackError, "too-large");
  });
});
