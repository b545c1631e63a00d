import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseContentType, parseDisposition } from "./params.js";

describe("parseContentType", () => {
  const cases: [string, ReturnType<typeof parseContentType>][] = [
    ["text/plain", { type: "text", subtype: "plain", params: {} }],
    ["TEXT/Plain; CHARSET=ISO-8859-1", { type: "text", subtype: "plain", params: { charset: "ISO-8859-1" } }],
    [
      'text/plain; charset=us-ascii (Plain text); format="flowed"',
      { type: "text", subtype: "plain", params: { charset: "us-ascii", format: "flowed" } },
    ],
    [
      "multipart/mixed; boundary=----=_Part_0_1.2",
      { type: "multipart", subtype: "mixed", params: { boundary: "----=_Part_0_1.2" } },
    ],
    [
      'multipart/mixed; boundary="a\\"b"; x=1; x=2',
      { type: "multipart", subtype: "mixed", params: { boundary: 'a"b', x: "1" } },
    ],
    ["(c) text / html ;charset = utf-8", { type: "text", subtype: "html", params: { charset: "utf-8" } }],
    [
      "application/pdf; name=my file.pdf; junk; =x; size=3",
      { type: "application", subtype: "pdf", params: { name: "my file.pdf", size: "3" } },
    ],
    [
      'application/pdf; name="unterminated',
      { type: "application", subtype: "pdf", params: { name: "unterminated" } },
    ],
    ["text", null],
    ["/plain", null],
    ["", null],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.deepEqual(parseContentType(input), expected));
  }
});

describe("RFC 2231 parameters", () => {
  test("charset and language, percent-decoded", () => {
    assert.deepEqual(parseDisposition("attachment; filename*=UTF-8'de'Gr%C3%BC%C3%9Fe.txt"), {
      type: "attachment",
      params: { filename: "Grüße.txt" },
    });
  });
  test("continuations out of order, mixing encoded and plain sections", () => {
    const v = "attachment; filename*1=\"-b\"; filename*2*=%E9.txt; filename*0*=iso-8859-1''%E9-a";
    assert.deepEqual(parseDisposition(v)?.params, { filename: "é-a-bé.txt" });
  });
  test("the extended form wins over the plain one; quoted extended values are decoded", () => {
    assert.deepEqual(
      parseDisposition("inline; filename=fallback.txt; filename*=\"utf-8''%E2%82%AC.txt\"")?.params,
      {
        filename: "€.txt",
      },
    );
  });
  test("unknown charset falls back to UTF-8 or windows-1252; broken escapes are kept", () => {
    assert.deepEqual(parseDisposition("a; f*=x-unknown''%C3%A9%zz")?.params, { f: "é%zz" });
    assert.deepEqual(parseDisposition("a; f*=x-unknown''%E9")?.params, { f: "é" });
  });
  test("no charset part at all", () => {
    assert.deepEqual(parseDisposition("a; f*=plain%20text")?.params, { f: "plain text" });
  });
});

describe("parseDisposition", () => {
  test("type is lower-cased; empty or parameter-only values give null", () => {
    assert.deepEqual(parseDisposition("INLINE"), { type: "inline", params: {} });
    assert.equal(parseDisposition(""), null);
    assert.equal(parseDisposition("; filename=a"), null);
  });
});
