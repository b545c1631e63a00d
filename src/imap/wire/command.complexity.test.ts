// The IMAP command parser in time linear in the command (issue 18): it runs on every command any
// client sends, before login too, so one super-linear step would let one command stall the server.
// Each input is a whole frame as the reader hands it over (lines and literals); the sizes stay
// within what the reader lets through (maxLineBytes 64 KiB by default, up to 16 MiB by config).
import { describe, test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { parseCommand } from "./command.js";
import type { Frame, Segment } from "./reader.js";

const opts = { maxDepth: 16, utf8: false, maxAppendMessages: 1000 };
const text = (s: string): Segment => ({ kind: "text", data: Buffer.from(s) });
const line = (s: string): Frame => ({ segments: [text(s)] });

/** Parses, ignoring the syntax errors hostile input is made of: only the time counts. */
function parse(f: Frame): void {
  try {
    parseCommand(f, opts);
  } catch {
    // BAD for the client; the parser must still have been quick about it
  }
}

const linear = (name: string, make: (n: number) => Frame, n: number) =>
  test(name, () => {
    // Linear parsing measured 17-20 ns/char from 16 KiB to 512 KiB, with single runs twice as
    // slow now and then on this shared machine: hence 9 runs, at least 1 ms each, and a bar of 24
    // (linear ~8, quadratic ~64). Past ~1 MiB garbage collection makes the ratio meaningless, and
    // a 512 KB atom (one large string) crossed the bar once in a clean CI run (27.6): the large
    // input stays within 300 KB, where quadratic code still shows ~64.
    assertLinear(name, make, parse, { n, reps: 9, minMs: 1, maxRatio: 24, maxSize: 300_000 });
  });

describe("IMAP command parser complexity", () => {
  linear(
    "nested parentheses up to the depth limit, repeated",
    (n) => line(`a SEARCH ${"((((ALL)))) ".repeat(n)}`),
    500,
  );
  linear("unbalanced '(' × n", (n) => line(`a SEARCH ${"(".repeat(n)}`), 5000);
  linear("FETCH item lists of n items", (n) => line(`a FETCH 1 (${"FLAGS UID ".repeat(n)}BODY[])`), 500);
  linear(
    "sequence set 1,2,3,…",
    (n) => line(`a FETCH ${Array.from({ length: n }, (_, i) => i + 1).join(",")} FLAGS`),
    2000,
  );
  linear(
    "sequence set of ranges 1:2,4:5,…",
    (n) =>
      line(`a UID FETCH ${Array.from({ length: n }, (_, i) => `${3 * i + 1}:${3 * i + 2}`).join(",")} FLAGS`),
    1000,
  );
  linear("SEARCH with n ORs side by side", (n) => line(`a SEARCH ${"OR SEEN UNSEEN ".repeat(n)}`), 500);
  linear(
    "SEARCH with n × OR nested (refused at the depth limit)",
    (n) => line(`a SEARCH ${"OR ".repeat(n)}${"ALL ".repeat(n + 1)}`),
    2000,
  );
  linear(
    "SEARCH with n literal arguments",
    (n) => {
      const segments: Segment[] = [];
      for (let i = 0; i < n; i++) {
        segments.push(text(`${i === 0 ? "a SEARCH" : ""} SUBJECT {5}`));
        segments.push({ kind: "literal", data: Buffer.from("hello") });
      }
      segments.push(text(""));
      return { segments };
    },
    500,
  );
  linear("quoted strings full of escapes", (n) => line(`a LOGIN "${'\\"\\\\'.repeat(n)}" "x"`), 2000);
  linear("a long atom", (n) => line(`a SELECT ${"x".repeat(n)}`), 8000);
  linear("STORE with n flags", (n) => line(`a STORE 1 +FLAGS (${"\\Seen $Label ".repeat(n)})`), 500);
  linear("modified UTF-7 mailbox name", (n) => line(`a SELECT "${"&AMkA6QDp-".repeat(n)}"`), 1000);
});
