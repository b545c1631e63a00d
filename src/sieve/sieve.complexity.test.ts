// The interpreter on hostile input, in time linear in it (issue 18's rule for network input):
// the script's lexer and parser (scripts come from users), :matches patterns full of stars against
// long values, :regex (a Pike VM, never backtracking), header decoding, the body test.
import { test } from "node:test";
import { assertLinear } from "../testing/complexity.js";
import { htmlText } from "./extensions/body.js";
import { checkSieve, compileSieve, runSieve } from "./index.js";
import { compileRegex } from "./regex/ere.js";
import { LIMITS, testHost } from "./test-kit.js";
import { compileWildcard } from "./wildcard.js";

test("lexer and parser: long scripts of many commands, strings, comments, nested tests", () => {
  const opts = { n: 2000, maxSize: 40_000, repeat: 5, minMs: 1 };
  assertLinear(
    "commands",
    (n) => 'if header :contains "subject" "x" { keep; }\n'.repeat(n / 40),
    (s) => checkSieve(s),
    opts,
  );
  assertLinear(
    "a long string",
    (n) => `redirect "${"a".repeat(n)}";`,
    (s) => checkSieve(s),
    { n: 20_000 },
  );
  assertLinear(
    "escapes",
    (n) => `keep "${"\\\\".repeat(n / 2)}";`,
    (s) => checkSieve(s),
    { n: 20_000 },
  );
  assertLinear(
    "multi-line",
    (n) => `keep text:\n${"..x\n".repeat(n / 4)}.\n;`,
    (s) => checkSieve(s),
    { n: 20_000 },
  );
  assertLinear(
    "unterminated comment",
    (n) => `/*${"*".repeat(n)}`,
    (s) => checkSieve(s),
    { n: 20_000 },
  );
  assertLinear(
    "errors",
    (n) => "}".repeat(n),
    (s) => checkSieve(s),
    opts,
  );
  assertLinear(
    "variables",
    (n) => `require "variables"; set "a" "${"$".concat("{a}$", "{").repeat(n / 6)}";`,
    (s) => checkSieve(s),
    opts,
  );
});

test(":matches: many stars and ? against long values", () => {
  const opts = { n: 20_000, reps: 3 };
  const stars = compileWildcard("*a*a*a*a*a*a*a*a*b");
  assertLinear(
    "stars, no match",
    (n) => "a".repeat(n),
    (v) => stars.match(v),
    opts,
  );
  const qs = compileWildcard("*a?a?a?a?a?a?b*");
  assertLinear(
    "? segments, no match",
    (n) => "a".repeat(n),
    (v) => qs.match(v),
    opts,
  );
  const many = compileWildcard(`${"*a".repeat(200)}*b`);
  assertLinear(
    "200 stars",
    (n) => "a".repeat(n),
    (v) => many.match(v),
    opts,
  );
});

test(":regex: the classic backtracking traps run in linear time", () => {
  const opts = { n: 5_000, reps: 3 };
  for (const re of ["(a+)+b", "(a|a)*b", "(a|aa)*c", "^(a*)*$x", "a{0,50}a{0,50}b", "(.*a){10}b"]) {
    const r = compileRegex(re, { icase: false });
    assertLinear(
      re,
      (n) => "a".repeat(n),
      (v) => r.exec(v),
      opts,
    );
  }
});

test("a script run on a message with many long header fields and a big HTML body", async () => {
  const script = compileSieve(
    'require ["body", "regex", "variables"]; if anyof (header :matches "subject" "*x*y*z", header :regex "x-h" "(a|b)*c", address :contains "to" "q", body :contains "zzz") { discard; }',
  );
  const make = (n: number) =>
    Buffer.from(
      `Subject: ${"=?utf-8?q?a?= ".repeat(n / 14)}\r\nX-H: ${"ab".repeat(n / 4)}\r\nTo: ${"a@b, ".repeat(n / 20)}\r\nContent-Type: text/html\r\n\r\n${"<p>x</p>".repeat(n / 16)}`,
    );
  // Each run is awaited inside a synchronous measurement by driving the microtasks out of band:
  // the interpreter is synchronous when the host is not asked anything, so the promise is settled.
  assertLinear(
    "message",
    make,
    (raw) => {
      void runSieve(
        script,
        { raw, envelope: { from: "a@b.example", to: "c@d.example" } },
        testHost(),
        LIMITS,
      );
    },
    { n: 20_000, reps: 3 },
  );
  assertLinear("html", (n) => "<style>".repeat(n / 7), htmlText, { n: 20_000 });
});
