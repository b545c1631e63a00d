// POP3 command lines and the SASL PLAIN response in time linear in the line (issue 18): both are
// parsed before login. Lines are bounded by pop3.maxLineLength (64 KiB at most).
import { describe, test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { decodePlain } from "../commands/auth.js";
import { parseCommand, parseMessageNumber } from "./command.js";

// Linear ~8, quadratic ~64: 9 runs of at least 1 ms against the noise of a shared machine.
const opts = { reps: 9, minMs: 1, maxRatio: 24 };

describe("POP3 command parsing complexity", () => {
  test("many arguments", () => {
    assertLinear("TOP n args", (n) => `TOP${" 1".repeat(n)}`, parseCommand, { n: 4000, ...opts });
  });

  test("runs of spaces between arguments", () => {
    assertLinear("spaces", (n) => `USER${" ".repeat(n)}x${" ".repeat(n)}y`, parseCommand, {
      n: 4000,
      ...opts,
    });
  });

  test("a long keyword-like word and a long number", () => {
    assertLinear("keyword", (n) => "A".repeat(n), parseCommand, { n: 8000, ...opts });
    assertLinear("number", (n) => "9".repeat(n), parseMessageNumber, { n: 8000, ...opts });
  });

  test("AUTH PLAIN responses: valid, of NULs, and almost-base64", () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    assertLinear("PLAIN long password", (n) => b64(`\0alice\0${"p".repeat(n)}`), decodePlain, {
      n: 8000,
      ...opts,
    });
    assertLinear("PLAIN many NULs", (n) => b64("\0".repeat(n)), decodePlain, { n: 8000, ...opts });
    assertLinear("PLAIN not base64 at the end", (n) => `${"A".repeat(n)}==!`, decodePlain, {
      n: 8000,
      ...opts,
    });
  });
});
