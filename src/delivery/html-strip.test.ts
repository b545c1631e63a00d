import assert from "node:assert/strict";
import { test } from "node:test";
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
  const time = (f: () => void) => {
    const t0 = process.hrtime.bigint();
    f();
    return Number(process.hrtime.bigint() - t0);
  };
  const n = 20_000;
  for (const [unit, fn] of [
    ["<", dropTags],
    ["<style>", dropScriptAndStyle],
  ] as const) {
    fn(unit.repeat(n)); // warm up
    const small = Math.min(
      time(() => fn(unit.repeat(n))),
      time(() => fn(unit.repeat(n))),
    );
    const big = Math.min(
      time(() => fn(unit.repeat(8 * n))),
      time(() => fn(unit.repeat(8 * n))),
    );
    assert.ok(big < Math.max(small, 1e6) * 20, `${unit}: ${small} ns for n, ${big} ns for 8n`);
  }
});
