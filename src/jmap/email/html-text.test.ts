import assert from "node:assert/strict";
import { test } from "node:test";
import { htmlPrefixToText, htmlToText, removeStyleAndScript, removeTags } from "./html-text.js";

// The results of the regexes the scanners replaced (see html-text.ts), on the cases where their
// rules are easy to get wrong.
test("style and script elements go with their content, case-insensitively", () => {
  assert.equal(removeStyleAndScript("a<style>p{}</style>b"), "a b");
  assert.equal(removeStyleAndScript("a<STYLE type=x>p{}</Style>b<script>1</SCRIPT>c"), "a b c");
  assert.equal(removeStyleAndScript("<styles>x</style>y"), " y"); // /<(style)[^>]*>/ took it too
  assert.equal(removeStyleAndScript("<style>x</script>y"), "<style>x</script>y");
  assert.equal(removeStyleAndScript("<style>a</style>b</style>"), " b</style>");
  assert.equal(removeStyleAndScript("<style x"), "<style x");
  assert.equal(removeStyleAndScript("<style><style>a</style>"), " ");
  assert.equal(removeStyleAndScript("<style>a<script>b</style>c</script>"), " c</script>");
});

test("tags become one space; a < with no > after it stays", () => {
  assert.equal(removeTags("a<b>c</b>d"), "a c d");
  assert.equal(removeTags("a<<b>c"), "a c");
  assert.equal(removeTags("1 < 2 and 3 > 2"), "1   2");
  assert.equal(removeTags("x < y"), "x < y");
  assert.equal(removeTags("<a>b<c"), " b<c");
});

test("htmlToText: elements, tags and entities", () => {
  assert.equal(
    htmlToText(
      "<html><head><style>p{color:red}</style></head><body><p>A &amp; B&nbsp;&lt;C&gt; &quot;D&quot;</p></body></html>",
    ),
    '      A & B <C> "D"   ',
  );
});

test("htmlPrefixToText: a cut tag or a style element cut before its end is dropped", () => {
  assert.equal(htmlPrefixToText("<p>Hello</p><a hre"), " Hello ");
  assert.equal(htmlPrefixToText("<p>Hi</p><STYLE>p{color:red} .a{"), " Hi ");
  assert.equal(htmlPrefixToText("<p>Hi</p><script>var x = 1 < 2"), " Hi ");
  assert.equal(htmlPrefixToText("<style>p{}</style><p>Hi</p>"), "  Hi ");
  assert.equal(htmlPrefixToText("a < b"), "a ");
});
