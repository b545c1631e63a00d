// Link extraction scans the sender's HTML and text once (issue 18): anchors never closed, tags
// never ended, "http" without a URL after it, all in time linear in the input.
import { test } from "node:test";
import { assertLinear } from "../testing/complexity.js";
import { extractLinks } from "./links.js";

const html = (s: string) => extractLinks(s, "", 1_000_000);
const text = (s: string) => extractLinks("", s, 1_000_000);

test("anchors never closed, and tags never ended", () => {
  assertLinear("<a href=x>", (n) => '<a href="x">y'.repeat(n / 14), html, { n: 4000 });
  assertLinear("<a ", (n) => "<a ".repeat(n / 3), html, { n: 4000 });
  assertLinear("<a hrefhref", (n) => `<a ${"href".repeat(n / 4)}`, html, { n: 4000 });
});

test("'http' and 'www.' without URLs, and URL-like runs", () => {
  assertLinear("http", (n) => "xhttp".repeat(n / 5), text, { n: 4000 });
  assertLinear("www.", (n) => "www.".repeat(n / 4), text, { n: 4000 });
  assertLinear("http://a", (n) => "http://a.".repeat(n / 9), text, { n: 4000 });
});
