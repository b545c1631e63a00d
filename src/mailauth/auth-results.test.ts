import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { authservIdOf, stripOwnAuthResults } from "./auth-results.js";

describe("Authentication-Results authserv-id (RFC 8601 §2.2)", () => {
  test("token, version, comments, quoted-string", () => {
    const cases: [string, string | null][] = [
      ["mx.b.test; dkim=pass", "mx.b.test"],
      ["  mx.b.test 1; spf=pass", "mx.b.test"],
      ["(comment (nested)) MX.B.TEST;none", "MX.B.TEST"],
      ['"mx.b.test"; none', "mx.b.test"],
      ['"mx\\".b"; none', 'mx".b'],
      ["mx.b.test(c); none", "mx.b.test"],
      ["", null],
      ["   (unclosed", null],
      ['"unclosed', null],
    ];
    for (const [v, want] of cases) assert.equal(authservIdOf(v), want, v);
  });
});

describe("stripOwnAuthResults (RFC 8601 §5)", () => {
  test("removes only fields naming us, folded ones whole; the rest byte for byte", () => {
    const msg = Buffer.from(
      "Authentication-Results: mx.b.test;\r\n dkim=pass header.i=@bank.test\r\n" +
        "Received: from x by y; Mon, 5 Jan 2026 10:00:00 +0000\r\n" +
        "Authentication-Results: other.test; spf=fail\r\n" +
        "authentication-results:   MX.B.Test 1; dmarc=pass\r\n" +
        "Subject: hi\r\n\r\n" +
        "Authentication-Results: mx.b.test; in the body stays\r\n",
    );
    assert.equal(
      stripOwnAuthResults(msg, "mx.b.test").toString(),
      "Received: from x by y; Mon, 5 Jan 2026 10:00:00 +0000\r\n" +
        "Authentication-Results: other.test; spf=fail\r\n" +
        "Subject: hi\r\n\r\n" +
        "Authentication-Results: mx.b.test; in the body stays\r\n",
    );
  });

  test("the same buffer when nothing matches; a lookalike name is not ours", () => {
    const msg = Buffer.from("Authentication-Results: mx.b.test.evil; none\r\nSubject: x\r\n\r\nbody\r\n");
    assert.equal(stripOwnAuthResults(msg, "mx.b.test"), msg);
  });
});
