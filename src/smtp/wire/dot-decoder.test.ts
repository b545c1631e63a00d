import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DotDecoder } from "./dot-decoder.js";

const opts = { maxSize: 1 << 20, maxLineLength: 1000, normalize: false };

/** Feed `input` in pieces of `step` bytes; return the decoded result and what was left over. */
function decode(input: string, step = input.length || 1, o = opts) {
  const d = new DotDecoder(o);
  const buf = Buffer.from(input, "latin1");
  for (let i = 0; i < buf.length; i += step) {
    const piece = buf.subarray(i, i + step);
    const end = d.write(piece);
    if (end >= 0) {
      const r = d.result();
      return { ...r, body: r.body.toString("latin1"), rest: buf.subarray(i + end).toString("latin1") };
    }
  }
  return null;
}

describe("DotDecoder", () => {
  const cases: [string, string, string, string][] = [
    ["simple", "Subject: x\r\n\r\nhello\r\n.\r\n", "Subject: x\r\n\r\nhello\r\n", ""],
    ["empty message", ".\r\n", "", ""],
    ["unstuffs a leading dot", "a\r\n..b\r\n.\r\n", "a\r\n.b\r\n", ""],
    ["a stuffed lone dot is content", "a\r\n..\r\nb\r\n.\r\n", "a\r\n.\r\nb\r\n", ""],
    ["leftover is kept", "a\r\n.\r\nQUIT\r\n", "a\r\n", "QUIT\r\n"],
    ["dot not at line start", "a.\r\n.\r\n", "a.\r\n", ""],
    ["dot then text", "a\r\n.x\r\n.\r\n", "a\r\nx\r\n", ""],
  ];
  for (const [name, input, body, rest] of cases) {
    test(name, () => {
      for (const step of [1, 2, 3, 7, input.length]) {
        const r = decode(input, step);
        assert.ok(r, `step ${step}: end found`);
        assert.equal(r.body, body, `step ${step}`);
        assert.equal(r.rest, rest, `step ${step}`);
        assert.equal(r.bareLf || r.bareCr, false);
      }
    });
  }

  // SMTP smuggling: none of these may end the message; the real end comes later.
  const smuggling: [string, string][] = [
    ["LF.LF", "a\n.\nMAIL FROM:<x@y>\r\n"],
    ["CR.CR", "a\r.\rMAIL FROM:<x@y>\r\n"],
    ["LF.CRLF", "a\n.\r\nMAIL FROM:<x@y>\r\n"],
    ["CRLF.LF", "a\r\n.\nMAIL FROM:<x@y>\r\n"],
    ["CRLF.CR", "a\r\n.\rMAIL FROM:<x@y>\r\n"],
    ["CR.CRLF", "a\r.\r\nMAIL FROM:<x@y>\r\n"],
  ];
  for (const [name, evil] of smuggling) {
    test(`smuggling ${name} does not end the data`, () => {
      for (const step of [1, 2, 5, 1000]) {
        const r = decode(`${evil}.\r\nNEXT`, step);
        assert.ok(r);
        assert.equal(r.rest, "NEXT", `step ${step}`);
        assert.ok(r.bareLf || r.bareCr, "flagged");
        assert.ok(r.body.includes("MAIL FROM:<x@y>"), "smuggled text stays inside the message");
      }
    });
  }

  test("normalize writes bare LF and CR as CRLF but still never ends on them", () => {
    for (const step of [1, 2, 3, 100]) {
      const r = decode("a\nb\rc\r\r\nd\r.\r\n.\r\n", step, { ...opts, normalize: true });
      assert.ok(r);
      assert.equal(r.body, "a\r\nb\r\nc\r\n\r\nd\r\n.\r\n", `step ${step}`);
      assert.equal(r.bareLf, true);
      assert.equal(r.bareCr, true);
      const raw = decode("b\rc\r\r\n.\r\n", step);
      assert.equal(raw?.body, "b\rc\r\r\n", `step ${step}`);
    }
  });

  test("too big: keeps scanning, stores nothing", () => {
    const r = decode(`${"x".repeat(50)}\r\n.\r\nREST`, 4, { ...opts, maxSize: 20 });
    assert.ok(r);
    assert.equal(r.tooBig, true);
    assert.equal(r.body, "");
    assert.equal(r.size, 52);
    assert.equal(r.rest, "REST");
  });

  test("over-long line is flagged", () => {
    const r = decode(`${"x".repeat(1001)}\r\n.\r\n`, 100);
    assert.ok(r);
    assert.equal(r.lineTooLong, true);
    const ok = decode(`${"x".repeat(1000)}\r\n.\r\n`, 100);
    assert.equal(ok?.lineTooLong, false);
  });

  test("no end yet returns null", () => {
    assert.equal(decode("a\r\n.\r"), null);
    assert.equal(decode("a\r\n."), null);
  });
});
