import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeLoose } from "./charset.js";
import { parseStructure } from "./parse.js";
import { textOf, textPrefixOf } from "./text.js";

const msg = (header: string, body: Buffer | string) =>
  Buffer.concat([Buffer.from(header.replace(/\n/g, "\r\n") + "\r\n\r\n"), Buffer.from(body)]);

describe("textOf", () => {
  test("quoted-printable in iso-8859-1", () => {
    const raw = msg(
      "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable",
      "caf=E9=\r\n!",
    );
    assert.equal(textOf(raw, parseStructure(raw).root), "café!");
  });
  test("shift_jis 8bit, and windows-1252 via an alias", () => {
    let raw = msg("Content-Type: text/plain; charset=Shift_JIS", Buffer.from([0x93, 0xfa, 0x96, 0x7b]));
    assert.equal(textOf(raw, parseStructure(raw).root), "日本");
    raw = msg('Content-Type: text/plain; charset="cp1252"', Buffer.from([0x80]));
    assert.equal(textOf(raw, parseStructure(raw).root), "€");
  });
  test("undeclared 8-bit text: UTF-8 when valid, else windows-1252", () => {
    let raw = msg("Subject: x", "Grüße");
    assert.equal(textOf(raw, parseStructure(raw).root), "Grüße");
    raw = msg("Subject: x", Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]));
    assert.equal(textOf(raw, parseStructure(raw).root), "Grüße");
  });
  test("unknown charset falls back; non-text parts give an empty string", () => {
    let raw = msg("Content-Type: text/plain; charset=x-klingon", "qapla'");
    assert.equal(textOf(raw, parseStructure(raw).root), "qapla'");
    raw = msg("Content-Type: image/gif", "GIF89a");
    assert.equal(textOf(raw, parseStructure(raw).root), "");
  });
  test("decodeLoose with a declared utf-8 charset keeps replacement characters", () => {
    assert.equal(decodeLoose(Buffer.from([0x61, 0xff]), "UTF-8"), "a\ufffd");
  });
});

describe("textPrefixOf", () => {
  test("decodes only the first maxBytes octets of the encoded part", () => {
    const raw = msg("Content-Type: text/plain; charset=utf-8", "é".repeat(100_000));
    const { text, truncated } = textPrefixOf(raw, parseStructure(raw).root, 1001);
    assert.equal(truncated, true);
    assert.equal(text, "é".repeat(500)); // the half character at the cut is dropped, not U+FFFD
  });
  test("base64: the prefix decodes to at most maxBytes octets", () => {
    const raw = msg(
      "Content-Type: text/plain\nContent-Transfer-Encoding: base64",
      Buffer.from("abc".repeat(10_000)).toString("base64"),
    );
    const { text, truncated } = textPrefixOf(raw, parseStructure(raw).root, 400);
    assert.equal(truncated, true);
    assert.equal(text, "abc".repeat(100));
  });
  test("a part within the limit is whole, as textOf gives it", () => {
    const raw = msg("Content-Type: text/plain", "short");
    assert.deepEqual(textPrefixOf(raw, parseStructure(raw).root, 1024), { text: "short", truncated: false });
    assert.deepEqual(textPrefixOf(raw, parseStructure(raw).root, 0), { text: "short", truncated: false });
  });
});
