import assert from "node:assert/strict";
import { test } from "node:test";
import { checkLineEnds, normalizeLineEnds } from "./line-ends.js";

test("checkLineEnds", () => {
  const c = (s: string, max = 100) => checkLineEnds(Buffer.from(s), max);
  assert.deepEqual(c("a\r\nb\r\n"), { bareLf: false, bareCr: false, lineTooLong: false });
  assert.deepEqual(c("a\nb\r\n"), { bareLf: true, bareCr: false, lineTooLong: false });
  assert.deepEqual(c("\nb"), { bareLf: true, bareCr: false, lineTooLong: false });
  assert.deepEqual(c("a\rb\r\n"), { bareLf: false, bareCr: true, lineTooLong: false });
  assert.deepEqual(c("a\r\nb\r"), { bareLf: false, bareCr: true, lineTooLong: false });
  assert.deepEqual(c("abcdef\r\nx", 5), { bareLf: false, bareCr: false, lineTooLong: true });
  assert.deepEqual(c("abcde\r\nabcde", 5), { bareLf: false, bareCr: false, lineTooLong: false });
});

test("normalizeLineEnds", () => {
  assert.equal(
    normalizeLineEnds(Buffer.from("a\nb\rc\r\nd\xff", "latin1")).toString("latin1"),
    "a\r\nb\r\nc\r\nd\xff",
  );
});
