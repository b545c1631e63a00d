import assert from "node:assert/strict";
import { test } from "node:test";
import { markPreview, markText, PREVIEW_MAX_OCTETS, termMatcher } from "./mark.js";

test("markText: escapes &, <, > and marks every match, case-insensitively", () => {
  const re = termMatcher(["café", "a<b"])!;
  assert.equal(markText("Le CAFÉ & a<b > x", re), "Le <mark>CAFÉ</mark> &amp; <mark>a&lt;b</mark> &gt; x");
  assert.equal(markText("nothing here", re), null);
  assert.equal(termMatcher(["", "  "]), null);
  // Regex characters in a term are literal.
  assert.equal(markText("cost (usd) $5", termMatcher(["(usd) $5"])!), "cost <mark>(usd) $5</mark>");
});

test("markPreview: starts shortly before the first match, at most 255 octets, never cuts a mark or entity", () => {
  const re = termMatcher(["needle"])!;
  const body = `${"hay ".repeat(100)}the needle\n\nis   here${" & more".repeat(100)}`;
  const p = markPreview(body, re)!;
  // 254 octets: the next character, "&", would take 5 more ("&amp;") and not fit.
  assert.equal(p, `${"hay ".repeat(6)}the <mark>needle</mark> is here${" &amp; more".repeat(18)} `);
  assert.equal(Buffer.byteLength(p), 254);
  assert.ok(254 <= PREVIEW_MAX_OCTETS);
  // A match that cannot fit whole is left out rather than half marked.
  const tight = markText("x".repeat(250) + "needle", re, PREVIEW_MAX_OCTETS)!;
  assert.equal(tight, "x".repeat(250));
  assert.equal(markPreview("no match at all", re), null);
});
