// Email/get (RFC 8621 4.2) on hostile stored messages in time linear in the message (issue 18):
// every property the webmail asks for, computed from the cached MIME structure and the body as
// the method handler does (emailObject). An HTML part of many "<" froze the server for every
// user each time its recipient opened the inbox.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStructure } from "../../mime/parse.js";
import { assertLinear } from "../../testing/complexity.js";
import { defaultJmapLimits } from "../config.js";
import { bodyLists, DEFAULT_BODY_PROPERTIES } from "./body.js";
import { DEFAULT_EMAIL_PROPERTIES, emailObject, previewOf } from "./object.js";

const PROPS = [
  ...DEFAULT_EMAIL_PROPERTIES,
  "headers",
  "bodyStructure",
  "header:Date:asDate",
  "header:From:asText",
];
const BV = {
  fetchText: false,
  fetchHtml: false,
  fetchAll: true,
  maxBytes: defaultJmapLimits().maxBodyValueBytes,
  previewScanBytes: defaultJmapLimits().previewScanBytes,
};

function message(headers: string, type: string, body: string): Buffer {
  return Buffer.from(`${headers}MIME-Version: 1.0\r\nContent-Type: ${type}\r\n\r\n${body}`);
}

function emailGet(raw: Buffer): unknown {
  const src = { meta: null, blobId: "B1", size: raw.length, structure: parseStructure(raw), body: raw };
  return emailObject(src, PROPS, DEFAULT_BODY_PROPERTIES, BV);
}

const html = (body: string) => message("Subject: x\r\n", "text/html; charset=utf-8", body);

test("text/html of many < without >", () => {
  assertLinear("html <", (n) => html("<".repeat(n)), emailGet, { n: 2000 });
});

test("text/html of <style> repeated", () => {
  assertLinear("html <style>", (n) => html("<style>".repeat(n / 7)), emailGet, { n: 4000 });
});

test("Date and Subject made of ( and [fwd: ", () => {
  const headers = (n: number) =>
    `Date: Mon, 1 Jan 2024 10:00:00 +0000 ${"(".repeat(n / 2)}\r\nSubject: ${"[fwd: ".repeat(n / 12)}\r\n`;
  assertLinear("headers", (n) => message(headers(n), "text/plain", "hi\r\n"), emailGet, { n: 3000 });
});

test("multipart/alternative with many html parts", () => {
  const part = '--b\r\nContent-Type: text/html\r\n\r\n<p>hi <a href="x">y</a> <<<\r\n';
  const make = (n: number) =>
    message("", 'multipart/alternative; boundary="b"', `${part.repeat(n / part.length)}--b--\r\n`);
  assertLinear("multipart html", make, emailGet, { n: 20_000 });
});

test("the preview reads previewScanBytes of a part, whatever its size", () => {
  const words = "word ".repeat(100);
  const huge = html(`<p>${words}</p>${"<b>more</b> ".repeat(500_000)}`);
  const s = parseStructure(huge);
  const lists = bodyLists(s);
  assert.equal(previewOf(huge, lists, 1024), words.trim().slice(0, 256));
  // Cut inside a tag: the half tag is not shown.
  const cut = html(`${"a".repeat(1020)}<span class="x">b</span>`);
  assert.equal(previewOf(cut, bodyLists(parseStructure(cut)), 1024), "a".repeat(256));
});
