import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { getHeaderFields, scanHeader, selectHeaderFields } from "./headers.js";

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, "\r\n"), "latin1");

const HEADER = crlf(
  "From: a@example.com\nSubject: Hello\n  world\nX-Empty:\nto : b@example.com\nnot a field\n folded garbage\nSubject: second\n\nbody: not a header\n",
);

describe("scanHeader", () => {
  test("finds the blank line and field extents", () => {
    const h = scanHeader(HEADER, 0, HEADER.length);
    assert.equal(h.bodyStart, HEADER.indexOf("body:"));
    assert.deepEqual(
      h.fields.map((f) => HEADER.subarray(f.start, f.end).toString("latin1")),
      [
        "From: a@example.com\r\n",
        "Subject: Hello\r\n  world\r\n",
        "X-Empty:\r\n",
        "to : b@example.com\r\n",
        "Subject: second\r\n",
      ],
    );
  });

  test("stays inside its region and handles bare LF and a leading continuation line", () => {
    const buf = Buffer.from(" orphan\nA: 1\nB: 2\n\nrest", "latin1");
    const h = scanHeader(buf, 0, 11);
    assert.deepEqual(
      h.fields.map((f) => f.name),
      ["A"],
    );
    assert.equal(h.fields[0]!.end, 11);
    assert.equal(h.bodyStart, 11);
    assert.equal(scanHeader(buf, 0, buf.length).bodyStart, buf.indexOf("rest"));
  });
});

describe("getHeaderFields", () => {
  test("names as written, unfolded trimmed values, exact raw bytes", () => {
    const fields = getHeaderFields(HEADER);
    assert.deepEqual(
      fields.map((f) => [f.name, f.value]),
      [
        ["From", "a@example.com"],
        ["Subject", "Hello  world"],
        ["X-Empty", ""],
        ["to", "b@example.com"],
        ["Subject", "second"],
      ],
    );
    assert.equal(fields[1]!.raw.toString("latin1"), "Subject: Hello\r\n  world\r\n");
  });

  test("8-bit values: UTF-8 when valid, else latin1", () => {
    const buf = Buffer.concat([
      Buffer.from("A: Grüße\r\nB: caf"),
      Buffer.from([0xe9]),
      Buffer.from("\r\n\r\n"),
    ]);
    assert.deepEqual(
      getHeaderFields(buf).map((f) => f.value),
      ["Grüße", "café"],
    );
  });
});

describe("selectHeaderFields", () => {
  test("HEADER.FIELDS keeps matching fields in message order, exact bytes, then CRLF", () => {
    assert.equal(
      selectHeaderFields(HEADER, ["SUBJECT", "To"], false).toString("latin1"),
      "Subject: Hello\r\n  world\r\nto : b@example.com\r\nSubject: second\r\n\r\n",
    );
  });

  test("HEADER.FIELDS.NOT keeps the others (never the broken lines)", () => {
    assert.equal(
      selectHeaderFields(HEADER, ["subject", "to"], true).toString("latin1"),
      "From: a@example.com\r\nX-Empty:\r\n\r\n",
    );
  });

  test("no match gives just the blank line; a cut-off last field gets a CRLF", () => {
    assert.equal(selectHeaderFields(HEADER, ["x-none"], false).toString(), "\r\n");
    assert.equal(selectHeaderFields(Buffer.from("A: 1\nB: 2"), ["b"], false).toString(), "B: 2\r\n\r\n");
    assert.equal(selectHeaderFields(Buffer.from("A: 1\nB: 2\n\n"), ["a"], false).toString(), "A: 1\n\r\n");
  });
});
