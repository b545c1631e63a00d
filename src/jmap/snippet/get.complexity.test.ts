// SearchSnippet/get (RFC 8621 5.1) bodies in time linear in the message (issue 18): the body text
// of each textBody part (HTML turned into text, as for the preview), then the marked preview;
// what searchSnippetGet computes per Email, on hostile HTML.
import { test } from "node:test";
import { parseStructure } from "../../mime/parse.js";
import { assertLinear } from "../../testing/complexity.js";
import { defaultJmapLimits } from "../config.js";
import { bodyLists } from "../email/body.js";
import { partPreviewText } from "../email/object.js";
import { markPreview, termMatcher } from "./mark.js";

const SCAN = defaultJmapLimits().previewScanBytes;
const re = termMatcher(["needle", "other"])!;

function snippet(raw: Buffer): string | null {
  const text = bodyLists(parseStructure(raw))
    .textBody.filter((r) => r.part.type === "text")
    .map((r) => partPreviewText(raw, r.part, SCAN))
    .join(" ");
  return markPreview(text, re);
}

const html = (body: string) => Buffer.from(`Content-Type: text/html\r\n\r\n${body}needle\r\n`);

test("snippet of html with many < without >", () => {
  assertLinear("snippet <", (n) => html("<".repeat(n)), snippet, { n: 2000, maxSize: SCAN });
});

test("snippet of html with <script> repeated", () => {
  assertLinear("snippet <script>", (n) => html("<script>".repeat(n / 8)), snippet, {
    n: 4000,
    maxSize: SCAN,
  });
});

test("snippet of a long text with the term at its end", () => {
  const text = (n: number) =>
    Buffer.from(`Content-Type: text/plain\r\n\r\n${"word ".repeat(n / 5)}needle\r\n`);
  assertLinear("snippet text", text, snippet, { n: 8000, maxSize: SCAN });
});
