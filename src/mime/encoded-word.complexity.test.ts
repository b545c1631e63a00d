// RFC 2047 encoded-word decoding in time linear in the header (issue 18): Subjects and display
// names are decoded for SORT keys, the webmail list and JMAP's Text and Addresses forms.
import { test } from "node:test";
import { assertLinear } from "../testing/complexity.js";
import { parseAddressList } from "./address.js";
import { decodeHeaderValue } from "./encoded-word.js";

test("many =? and broken encoded words", () => {
  const opts = { n: 20_000, reps: 3 };
  assertLinear("=?", (n) => "=?".repeat(n / 2), decodeHeaderValue, opts);
  assertLinear("=?utf-8?q?", (n) => `${"=?utf-8?q?".repeat(n / 10)}?=`, decodeHeaderValue, opts);
  assertLinear("unknown charsets", (n) => "=?x-no?q?a?= ".repeat(n / 13), decodeHeaderValue, opts);
});

test("adjacent encoded words joined", () => {
  const opts = { n: 20_000, reps: 3 };
  assertLinear("q words", (n) => "=?utf-8?q?caf=C3=A9?= ".repeat(n / 22), decodeHeaderValue, opts);
  assertLinear(
    "charset change",
    (n) => "=?utf-8?q?a?= =?latin1?q?b?= ".repeat(n / 30),
    decodeHeaderValue,
    opts,
  );
});

test("address lists made of one character repeated", () => {
  // A token object per character: inputs stay below the size where one run's tokens outgrow
  // V8's young generation (see the repeat option of assertLinear).
  const opts = { n: 4000, maxSize: 40_000, repeat: 10, minMs: 1 };
  for (const c of [":", "<", "a <b@c>, ", "<@a,", "@", "(c)a"]) {
    assertLinear(`address ${JSON.stringify(c)}`, (n) => c.repeat(n / c.length), parseAddressList, opts);
  }
});

test("an unclosed comment or quoted string of megabytes", () => {
  // One token: built a character at a time, its text cost more than linear time in garbage
  // collection (a 2.5 MB comment: 55x the time of a 320 KB one).
  const opts = { n: 20_000 };
  assertLinear("((((", (n) => "(".repeat(n), parseAddressList, opts);
  assertLinear("(aaaa", (n) => `(${"a".repeat(n)}`, parseAddressList, opts);
  assertLinear('"aaaa', (n) => `"${"a".repeat(n)}`, parseAddressList, opts);
});
