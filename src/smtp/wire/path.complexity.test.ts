// MAIL FROM / RCPT TO arguments in time linear in the line (issue 18): they are parsed before any
// authentication, on lines of up to smtp.maxLineLength (64 KiB at most).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { parseCommandLine } from "./command.js";
import { parsePathArg } from "./path.js";

/** The whole way a MAIL/RCPT line goes: split into verb and argument, then path and parameters. */
function mail(line: string): void {
  const c = parseCommandLine(Buffer.from(line));
  if (c.ok) parsePathArg(c.command.arg, c.command.verb === "MAIL" ? "FROM" : "TO");
}

// Linear ~8, quadratic ~64: 9 runs of at least 1 ms against the noise of a shared machine.
const opts = { reps: 9, minMs: 1, maxRatio: 24 };

describe("SMTP MAIL/RCPT argument parsing complexity", () => {
  test("many distinct parameters", () => {
    // Each parameter used to be checked against every earlier one for duplicates: quadratic.
    const line = (n: number) =>
      `MAIL FROM:<a@example.org>${Array.from({ length: n }, (_, i) => ` X${i}=v`).join("")}`;
    const r = parsePathArg("FROM:<a@example.org> X1=v X2=v", "FROM");
    assert.ok(r.ok && r.path.params.length === 2);
    assert.deepEqual(parsePathArg("FROM:<a@example.org> X1=v x1=w", "FROM"), {
      ok: false,
      reason: "Duplicate parameter X1",
    });
    assertLinear("MAIL n parameters", line, mail, { n: 800, ...opts });
  });

  test("many empty parameters (runs of spaces)", () => {
    assertLinear("MAIL spaces", (n) => `MAIL FROM:<a@example.org>${" ".repeat(n)}SIZE=1`, mail, {
      n: 8000,
      ...opts,
    });
  });

  test("an unterminated path full of quotes and escapes", () => {
    assertLinear("RCPT quotes", (n) => `RCPT TO:<"${'\\"'.repeat(n)}`, mail, { n: 4000, ...opts });
  });

  test("a long parameter value", () => {
    assertLinear("MAIL long value", (n) => `MAIL FROM:<a@example.org> ENVID=${"x".repeat(n)}`, mail, {
      n: 8000,
      ...opts,
    });
  });
});
