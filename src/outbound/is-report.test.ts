// The delivery engine does not count TLS sessions for our own reports (two reporters would
// otherwise report on each other's reports): a report is from the null sender with TLS-RPT's
// header field or the aggregate reports' Subject, read from the header only.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isReport } from "./runner.js";

test("our TLS-RPT and DMARC reports are recognised; other mail, and the body, are not", () => {
  const msg = (head: string, body = "x") => Buffer.from(`Received: by us\r\n${head}\r\n\r\n${body}\r\n`);
  assert.equal(isReport("", msg("TLS-Report-Domain: example.com")), true);
  assert.equal(
    isReport("", msg("Subject: Report Domain: example.com Submitter: us Report-ID: <1@us>")),
    true,
  );
  assert.equal(
    isReport("alice@a.test", msg("TLS-Report-Domain: example.com")),
    false,
    "not from the null sender",
  );
  assert.equal(isReport("", msg("Subject: Undelivered Mail")), false, "a DSN");
  assert.equal(isReport("", msg("Subject: hi", "\r\nTLS-Report-Domain: in the body")), false);
});
