// Issue 18: checkLineEnds (BDAT content, port 25, before any authentication) looked for the next
// CR from every line start: a message of bare LFs and no CR rescanned to its end at each LF.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { checkLineEnds } from "./line-ends.js";

test("a BDAT chunk of bare LFs, or of LFs then one CR at the end, is checked in linear time", () => {
  assert.deepEqual(checkLineEnds(Buffer.from("a\nb\n\r"), 1000), {
    bareLf: true,
    bareCr: true,
    lineTooLong: false,
  });
  assertLinear(
    "bare LFs",
    (n) => Buffer.alloc(n, 10),
    (b) => checkLineEnds(b, 100000),
    { n: 20000 },
  );
  assertLinear(
    "bare LFs then CR",
    (n) => Buffer.concat([Buffer.alloc(n, 10), Buffer.from("\r")]),
    (b) => checkLineEnds(b, 100000),
    { n: 20000 },
  );
});
