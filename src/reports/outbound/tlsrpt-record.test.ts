import assert from "node:assert/strict";
import { test } from "node:test";
import { parseReportUri, parseTlsRptRecords } from "./tlsrpt-record.js";

test("RFC 8460 3: one v=TLSRPTv1 record with mailto: and https: rua", () => {
  assert.deepEqual(
    parseTlsRptRecords([
      ["v=spf1 -all"],
      ["v=TLSRPTv1; rua=mailto:tls@example.com,", "https://reports.example.com/tlsrpt"],
    ]),
    [
      { kind: "mailto", address: "tls@example.com" },
      { kind: "https", url: "https://reports.example.com/tlsrpt" },
    ],
  );
  assert.equal(parseTlsRptRecords([]), null);
  assert.equal(
    parseTlsRptRecords([["v=TLSRPTv1; rua=mailto:a@x.test"], ["v=TLSRPTv1; rua=mailto:b@x.test"]]),
    null,
    "two records: none",
  );
  assert.equal(parseTlsRptRecords([["v=TLSRPTv1;"]]), null, "no rua");
  assert.equal(parseTlsRptRecords([["v=TLSRPTv1; rua=http://x.test/"]]), null, "http is not allowed");
});

test("report URIs: mailto without headers, https; others refused", () => {
  assert.deepEqual(parseReportUri("mailto:dmarc%2Brua@example.org?subject=x"), {
    kind: "mailto",
    address: "dmarc+rua@example.org",
  });
  assert.equal(parseReportUri("mailto:nobody"), null);
  assert.equal(parseReportUri("ftp://x"), null);
});

test("a malformed %-escape is no URI, not a throw", () => {
  assert.equal(parseReportUri("mailto:a%zz@example.org"), null);
});
