// RFC 5173 body: :raw, :content, :text (the default), decoded parts, bounded.
import assert from "node:assert/strict";
import { test } from "node:test";
import { actionsOf } from "../test-kit.js";
import { htmlText } from "./body.js";

const MIME = [
  "From: a@b.example",
  "Subject: parts",
  "MIME-Version: 1.0",
  'Content-Type: multipart/alternative; boundary="b1"',
  "",
  "--b1",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Transfer-Encoding: quoted-printable",
  "",
  "Caf=C3=A9 invoice number 42",
  "--b1",
  "Content-Type: text/html",
  "",
  "<html><style>p{color:red}</style><p>HTML &amp; <b>bold</b> words</p></html>",
  "--b1",
  "Content-Type: application/octet-stream",
  "Content-Transfer-Encoding: base64",
  "",
  "c2VjcmV0IGJsb2I=",
  "--b1--",
  "",
].join("\r\n");

const t = async (cond: string) =>
  (await actionsOf(`require "body"; if ${cond} { discard; }`, { raw: MIME }))[0] === "discard";

test(":text (default) searches decoded text parts, HTML without its tags", async () => {
  assert.equal(await t('body :contains "café invoice"'), true);
  assert.equal(await t('body :text :contains "html & bold words"'), true);
  assert.equal(await t('body :contains "color:red"'), false);
  assert.equal(await t('body :contains "secret blob"'), false);
});

test(":content picks parts by type; :raw is the undecoded body", async () => {
  assert.equal(await t('body :content "text/plain" :contains "café"'), true);
  assert.equal(await t('body :content "text/plain" :contains "html"'), false);
  assert.equal(await t('body :content "text" :contains "<b>bold</b>"'), true);
  assert.equal(await t('body :content "application/octet-stream" :contains "c2VjcmV0"'), true);
  assert.equal(await t('body :raw :contains "Caf=C3=A9"'), true);
  assert.equal(await t('body :raw :contains "café"'), false);
  assert.equal(await t('body :raw :contains "Subject: parts"'), false);
});

test("a plain message's body", async () => {
  assert.deepEqual(await actionsOf('require "body"; if body :contains "THE BODY" { discard; }'), ["discard"]);
});

test("htmlText is linear and drops script and style", () => {
  assert.equal(htmlText("a<script>x<y</script>b&lt;c"), "ab<c");
  assert.equal(htmlText("one<br>two<b>three</b>"), "one twothree");
  assert.equal(htmlText("<<<<"), "");
});
