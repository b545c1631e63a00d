import assert from "node:assert/strict";
import { test } from "node:test";
import {
  EditableMessage,
  encodeFieldValue,
  fieldNameProblem,
  fieldText,
  fieldValueProblem,
} from "./editheader-ops.js";

const msg = Buffer.from(
  "Received: by example.com;\r\n Mon, 21 Nov 2011 05:25:26 +0200\r\nAuto-Submitted: yes\r\nX-A: one\r\nSubject: Frop!\r\nX-A: two\r\nX-A: three\r\n\r\nBody\r\n",
);

test("untouched, the message comes back byte for byte", () => {
  assert.deepEqual(EditableMessage.from(msg).toBuffer(), msg);
});

test("RFC 5293 4: addheader first, or last with :last", () => {
  const m = EditableMessage.from(msg);
  m.add("X-First", "1", false);
  m.add("X-Last", "2", true);
  const s = m.toBuffer().toString();
  assert.ok(s.startsWith("X-First: 1\r\nReceived:"));
  assert.ok(s.includes("X-A: three\r\nX-Last: 2\r\n\r\nBody\r\n"));
});

test("RFC 5293 5: deleteheader all, :index, :index :last, with a value match", () => {
  let m = EditableMessage.from(msg);
  assert.equal(m.delete("x-a", {}), 3);
  m = EditableMessage.from(msg);
  m.delete("X-A", { index: 2 });
  assert.deepEqual(m.fields.filter((f) => f.lname === "x-a").map(fieldText), ["one", "three"]);
  m = EditableMessage.from(msg);
  m.delete("X-A", { index: 1, last: true });
  assert.deepEqual(m.fields.filter((f) => f.lname === "x-a").map(fieldText), ["one", "two"]);
  m = EditableMessage.from(msg);
  m.delete("X-A", { matches: (v) => v.startsWith("t") });
  assert.deepEqual(m.fields.filter((f) => f.lname === "x-a").map(fieldText), ["one"]);
  m = EditableMessage.from(msg);
  assert.equal(m.delete("X-A", { index: 9 }), 0);
});

test("Received and Auto-Submitted are never deleted", () => {
  const m = EditableMessage.from(msg);
  assert.equal(m.delete("received", {}), 0);
  assert.equal(m.delete("Auto-Submitted", {}), 0);
  assert.equal(m.delete("subject", {}), 1);
  assert.deepEqual(
    m.fields.map((f) => f.lname),
    ["received", "auto-submitted", "x-a", "x-a", "x-a"],
  );
});

test("non-ASCII values become RFC 2047 encoded words that decode back", () => {
  const m = EditableMessage.from(msg);
  const value = "Ünïcödé ".repeat(20).trim();
  m.add("X-Utf8", value, true);
  const added = m.fields.at(-1)!;
  assert.ok(/^[\x00-\x7f]*$/.test(added.raw));
  for (const line of added.raw.split("\r\n")) assert.ok(line.length <= 78, line);
  assert.equal(fieldText(added), value);
});

test("long ASCII values fold at white space", () => {
  const v = encodeFieldValue("word ".repeat(40).trim(), 10);
  for (const line of v.split("\r\n")) assert.ok(line.length <= 78);
  assert.equal(v.replace(/\r\n/g, ""), "word ".repeat(40).trim());
});

test("names and values that cannot be added", () => {
  assert.equal(fieldNameProblem("X-Ok"), null);
  assert.notEqual(fieldNameProblem("X Bad"), null);
  assert.notEqual(fieldNameProblem("X:Bad"), null);
  assert.notEqual(fieldNameProblem(""), null);
  assert.equal(fieldValueProblem("a\r\n folded"), null);
  assert.equal(fieldValueProblem("a\nb"), null);
  assert.match(fieldValueProblem("Woah\0!") ?? "", /value "Woah\.\.\." is invalid/);
  // A line break never starts a field of its own: it becomes a fold.
  assert.equal(encodeFieldValue("a\r\nBcc: x@y", 5), "a\r\n Bcc: x@y");
  assert.equal(encodeFieldValue("by x\nid y;\n", 10), "by x\r\n id y;");
  assert.equal(encodeFieldValue("a\r\n\tb", 5), "a\r\n\tb");
  assert.notEqual(fieldValueProblem("x".repeat(2049)), null);
});

test("a message with no body and no empty line gets one", () => {
  const m = EditableMessage.from(Buffer.from("Subject: x\r\n"));
  m.add("X-B", "y", true);
  assert.equal(m.toBuffer().toString(), "Subject: x\r\nX-B: y\r\n\r\n");
});

test("linear: a header of 20,000 fields splits and deletes in well under a second", () => {
  const big = Buffer.from(`${"X-A: v\r\n".repeat(20_000)}\r\nbody`);
  const t0 = process.hrtime.bigint();
  const m = EditableMessage.from(big);
  assert.equal(m.delete("x-a", { index: 1, last: true }), 1);
  assert.equal(m.toBuffer().length, big.length - 8);
  assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 5000);
});
