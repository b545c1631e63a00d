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
  // A token object per character: below ~100,000 tokens the run's garbage fits V8's young
  // generation and above it does not, a one-time step in the cost per token that a factor of 8
  // straddles. So these start above it, with factor 4 (quadratic would give 16).
  const opts = { n: 160_000, factor: 4, maxRatio: 10, reps: 3 };
  for (const c of ["(", ":", "a <b@c>, "]) {
    assertLinear(`address ${JSON.stringify(c)}`, (n) => c.repeat(n / c.length), parseAddressList, opts);
  }
});
