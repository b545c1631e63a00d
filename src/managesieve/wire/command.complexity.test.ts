// ManageSieve command lines in time linear in the line (issue 18): they are scanned before login.
// Lines are bounded by managesieve.maxLineLength (64 KiB at most).
import { describe, test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { decodePlain } from "../commands/authenticate.js";
import { badScriptName, scanLine } from "./command.js";

// Linear ~8, quadratic ~64: 9 runs of at least 1 ms against the noise of a shared machine.
const opts = { reps: 9, minMs: 1, maxRatio: 24 };
const b = (s: string) => Buffer.from(s, "latin1");

describe("ManageSieve command scanning complexity", () => {
  test("many atoms, many quoted strings, runs of spaces", () => {
    // One token object per item: kept below V8's young generation (complexity.ts, `repeat`),
    // which a real line (64 KiB at most) never outgrows either.
    const small = { ...opts, n: 2000, maxSize: 40000, repeat: 8 };
    assertLinear("atoms", (n) => b(`NOOP${" a".repeat(n)}`), scanLine, small);
    assertLinear("quoted", (n) => b(`NOOP${' "x"'.repeat(n)}`), scanLine, small);
    assertLinear("spaces", (n) => b(`NOOP${" ".repeat(n)}x`), scanLine, { n: 8000, ...opts });
  });

  test("a long quoted string of escapes, unterminated; a long literal size", () => {
    assertLinear("escapes", (n) => b(`NOOP "${"\\\\".repeat(n)}`), scanLine, { n: 4000, ...opts });
    assertLinear("unterminated", (n) => b(`NOOP "${"x".repeat(n)}`), scanLine, { n: 8000, ...opts });
    assertLinear("braces", (n) => b(`NOOP ${"{".repeat(n)}`), scanLine, { n: 8000, ...opts });
    assertLinear("digits", (n) => b(`NOOP {${"9".repeat(n)}+}`), scanLine, { n: 8000, ...opts });
  });

  test("script names and SASL PLAIN responses", () => {
    assertLinear("name", (n) => "\u00e9".repeat(n), badScriptName, { n: 8000, ...opts });
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    assertLinear("PLAIN", (n) => b64(`\0alice\0${"p".repeat(n)}`), decodePlain, { n: 8000, ...opts });
    assertLinear("PLAIN NULs", (n) => b64("\0".repeat(n)), decodePlain, { n: 8000, ...opts });
    assertLinear("not base64", (n) => `${"A".repeat(n)}==!`, decodePlain, { n: 8000, ...opts });
  });
});
