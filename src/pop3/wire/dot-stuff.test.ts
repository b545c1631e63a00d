import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dotStuff, messageSize, stuffedPieces, topOf } from "./dot-stuff.js";

const b = (s: string) => Buffer.from(s, "latin1");

describe("dot-stuffing", () => {
  const cases: [string, string][] = [
    ["", ""],
    ["a\r\n", "a\r\n"],
    [".\r\n", "..\r\n"],
    [".a\r\n..b\r\nc.d\r\n.\r\n", "..a\r\n...b\r\nc.d\r\n..\r\n"],
    ["no final line end", "no final line end\r\n"],
    ["x\r\n.", "x\r\n..\r\n"],
    ["bare\n.lf\n", "bare\n..lf\n"],
    ["\r\n\r\n", "\r\n\r\n"],
    ["8bit \xff\xfe\r\n.\xe9\r\n", "8bit \xff\xfe\r\n..\xe9\r\n"],
  ];
  for (const [input, want] of cases) {
    test(JSON.stringify(input), () => {
      assert.equal(dotStuff(b(input)).toString("latin1"), want);
      // The size is the un-stuffed answer's: one octet less per stuffed dot.
      const unstuffed = want.replace(/(^|\n)\./g, "$1");
      assert.equal(messageSize(b(input)), Buffer.byteLength(unstuffed, "latin1"));
    });
  }

  test("pieces are slices of the body, not copies", () => {
    const body = b("a\r\n.b\r\n");
    const pieces = stuffedPieces(body);
    assert.equal(pieces[0]!.buffer, body.buffer);
    assert.equal(Buffer.concat(pieces).toString(), "a\r\n..b\r\n");
  });

  test("size is the message's, not the stuffed output's, on a large message with many dot lines", () => {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) lines.push(i % 3 === 0 ? `.${i}` : "y".repeat(i % 1200));
    const body = b(lines.join("\r\n") + "\r\n");
    const out = dotStuff(body);
    assert.equal(out.length, body.length + 1667);
    assert.equal(messageSize(body), body.length);
  });
});

describe("topOf", () => {
  const msg = b("A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n");
  test("header and n lines", () => {
    assert.equal(topOf(msg, 0).toString(), "A: 1\r\nB: 2\r\n\r\n");
    assert.equal(topOf(msg, 2).toString(), "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n");
    assert.equal(topOf(msg, 99).toString(), msg.toString());
  });
  test("a message with no body is all header", () => {
    assert.equal(topOf(b("A: 1\r\nB: 2\r\n"), 3).toString(), "A: 1\r\nB: 2\r\n");
  });
  test("the last body line without CRLF counts", () => {
    assert.equal(topOf(b("A: 1\r\n\r\nonly"), 1).toString(), "A: 1\r\n\r\nonly");
  });
  test("bare LF messages", () => {
    assert.equal(topOf(b("A: 1\n\nx\ny\n"), 1).toString(), "A: 1\n\nx\n");
  });
});
