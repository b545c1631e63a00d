import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLinear } from "../testing/complexity.js";
import { dropScriptAndStyle, dropTags } from "./html-strip.js";

test("dropTags: what /<[^>]*>/g dropped", () => {
  for (const s of [
    "<p>a</p>b",
    "a<b",
    "a<b>c<d",
    "<<x>>",
    "x > y < z",
    "",
    "<a href='>'>t</a>",
    "İ<b>İ</b>",
  ]) {
    // The quadratic regex as the reference, on short strings only.
    // eslint-disable-next-line regexp/no-super-linear-move
    assert.equal(dropTags(s), s.replace(/<[^>]*>/g, ""), s);
  }
});

test("dropScriptAndStyle: what /<(script|style)[^>]*>[\\s\\S]*?<\\/\\1>/gi dropped", () => {
  const re = /<(script|style)[^>]*>[\s\S]*?<\/\1>/gi;
  for (const s of [
    "a<script>x</script>b",
    "a<STYLE type=x>p{}</style>b<style>q</STYLE>c",
    "<style><script>x</script>",
    "<script>a<style>b</script>c</style>",
    "<style>no end",
    "<style no gt",
    "İİ<Script>x</SCRIPT>İ",
    "<stylesheet>x</style>y",
  ]) {
    assert.equal(dropScriptAndStyle(s), s.replace(re, ""), s);
  }
});

// Issue 18: the regexes took quadratic time on these; the loops are linear. Compared as a ratio
// (8x the input may take at most ~20x the time), never against the clock.
test("both stay linear on unclosed '<' and '<style>'", () => {
  // CPU time of n and 8n, the best of several runs (assertLinear): wall-clock time, two runs each,
  // once measured 0.4 ms for n and 28 ms for 8n on a loaded machine, linear code as it is.
  assertLinear("dropTags on '<'", (n) => "<".repeat(n), dropTags, { n: 20_000 });
  assertLinear("dropScriptAndStyle on '<style>'", (n) => "<style>".repeat(n), dropScriptAndStyle, {
    n: 20_000,
  });
});
