import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DotDecoder } from "./dot-decoder.js";
import { InputBuffer } from "./input.js";

const line = (t: ReturnType<InputBuffer["takeLine"]>) =>
  t?.kind === "line" ? t.line.toString() : (t?.kind ?? null);

describe("InputBuffer", () => {
  test("lines across chunks, CRLF and bare LF", () => {
    const b = new InputBuffer();
    b.push(Buffer.from("EHLO a"));
    assert.equal(line(b.takeLine(100)), null);
    b.push(Buffer.from("\r\nNOOP\nRSET\r"));
    assert.equal(line(b.takeLine(100)), "EHLO a");
    assert.equal(line(b.takeLine(100)), "NOOP");
    assert.equal(line(b.takeLine(100)), null);
    b.push(Buffer.from("\n"));
    assert.equal(line(b.takeLine(100)), "RSET");
  });

  test("over-long line reported once, then discarded up to its end", () => {
    const b = new InputBuffer();
    b.push(Buffer.from("x".repeat(30)));
    assert.equal(line(b.takeLine(20)), "too-long");
    b.push(Buffer.from("y".repeat(30)));
    assert.equal(line(b.takeLine(20)), null);
    b.push(Buffer.from("zz\r\nNOOP\r\n"));
    assert.equal(line(b.takeLine(20)), "NOOP");
    b.push(Buffer.from(`${"q".repeat(25)}\r\nQUIT\r\n`));
    assert.equal(line(b.takeLine(20)), "too-long");
    assert.equal(line(b.takeLine(20)), "QUIT");
  });

  test("data then commands in one chunk", () => {
    const b = new InputBuffer();
    b.push(Buffer.from("DATA\r\nhi\r\n.\r\nQUIT\r\n"));
    assert.equal(line(b.takeLine(100)), "DATA");
    const d = new DotDecoder({ maxSize: 100, maxLineLength: 100, normalize: false });
    assert.equal(b.takeData(d), true);
    assert.equal(d.result().body.toString(), "hi\r\n");
    assert.equal(line(b.takeLine(100)), "QUIT");
  });

  test("takeBytes and clear", () => {
    const b = new InputBuffer();
    b.push(Buffer.from("abcdefNOOP\r\n"));
    assert.equal(b.takeBytes(4)?.toString(), "abcd");
    assert.equal(b.takeBytes(2)?.toString(), "ef");
    b.clear();
    assert.equal(b.buffered, 0);
    assert.equal(b.takeBytes(3), null);
  });
});
