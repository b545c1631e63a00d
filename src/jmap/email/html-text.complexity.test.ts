// HTML-to-text for previews and snippets in time linear in the part (issue 18): the regexes it
// replaced took 2 s for 80 KB of "<" and 8 s for 160 KB, on the one event loop.
import { test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { htmlToText } from "./html-text.js";

test("many < without >", () => {
  assertLinear("<", (n) => `<p>x</p>${"<".repeat(n)}`, htmlToText, { n: 2000 });
});

test("<style> and <script> repeated, never closed", () => {
  assertLinear("<style>", (n) => "<style>".repeat(n / 7), htmlToText, { n: 4000 });
  assertLinear("<script x>", (n) => "<SCRIPT x>".repeat(n / 10), htmlToText, { n: 4000 });
});

test("<style without > and elements closed once at the end", () => {
  assertLinear("<style", (n) => "<style".repeat(n / 6), htmlToText, { n: 4000 });
  assertLinear("<style>..</style>", (n) => `${"<style>a".repeat(n / 8)}</style>`, htmlToText, { n: 4000 });
});

test("ordinary markup and entities", () => {
  const chunk = '<div class="a"><p>Hello &amp; <b>world</b>&nbsp;&lt;3</p></div><style>p{}</style>';
  assertLinear("markup", (n) => chunk.repeat(Math.ceil(n / chunk.length)), htmlToText, { n: 20_000 });
});
