// Search snippets read as text and marks (mail/snippet.ts), on jsdom's standard HTML parser.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseHtml } from "../testing/dom";
import { snippetParts } from "./snippet";

test("text and <mark> parts, entities decoded", () => {
  assert.deepEqual(snippetParts("the <mark>notes</mark> &amp; more", parseHtml), [
    { text: "the ", mark: false },
    { text: "notes", mark: true },
    { text: " & more", mark: false },
  ]);
});

test("other markup from a hostile server is text, never an element", () => {
  const parts = snippetParts("<img src=x onerror=alert(1)><b>bold</b><mark><i>x</i></mark>", parseHtml);
  assert.deepEqual(parts, [
    { text: "", mark: false },
    { text: "bold", mark: false },
    { text: "x", mark: true },
  ]);
});
