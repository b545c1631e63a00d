// Issue 18: a command's trailing blanks were cut with /[ \t]+$/, which rescans a run of blanks
// from each of its starts when something else follows it: quadratic in the line length.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { parseCommandLine } from "./command.js";

test("a command argument of many blanks then a letter is parsed in linear time", () => {
  const line = (n: number) => Buffer.from(`MAIL ${" \t".repeat(n)}x \t `);
  const r = parseCommandLine(line(2));
  assert.deepEqual(r, { ok: true, command: { verb: "MAIL", arg: " \t \tx" } });
  assertLinear("MAIL blanks", line, parseCommandLine, { n: 4000 });
});
