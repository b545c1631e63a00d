// Canonicalization tables (RFC 6376 §3.4) and tag lists (§3.2): the pieces both our signer and
// our verifier stand on.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { cpuMsOf } from "../testing/cpu-time.js";
import {
  BODY_SLICE,
  bodyHash,
  canonFieldBytes,
  parseHeader,
  parseTagList,
  selectFields,
  withoutSignatureValue,
} from "./dkim-canon.js";

const L = (s: string) => Buffer.from(s, "latin1");
const relaxedField = (s: string) => canonFieldBytes(L(s), "relaxed", true).toString("latin1");

describe("header canonicalization", () => {
  test("relaxed: lower-case name, unfolded, WSP runs to one SP, none around the colon or at the end", () => {
    assert.equal(relaxedField("SubJect :  a \t b\r\n\t c  \t"), "subject:a b c\r\n");
    assert.equal(relaxedField("To:x"), "to:x\r\n");
    assert.equal(relaxedField("X-Empty:   "), "x-empty:\r\n");
  });

  test("relaxed: only SP and HTAB are whitespace, not 0xA0, 0x0B or 0x0C (mailauth's bug)", () => {
    // "voilà" in raw UTF-8 is 76 6F 69 6C C3 A0: the A0 is part of a character, not a space.
    assert.equal(relaxedField("Subject: voil\xc3\xa0 \xc3\xa0"), "subject:voil\xc3\xa0 \xc3\xa0\r\n");
    assert.equal(relaxedField("Subject: a\x0bb \x0c"), "subject:a\x0bb \x0c\r\n");
  });

  test("simple: the bytes as written", () => {
    const raw = "SubJect :  a \r\n b ";
    assert.equal(canonFieldBytes(L(raw), "simple", true).toString("latin1"), `${raw}\r\n`);
  });

  test("the b= value is deleted with its whitespace, nothing else (bh= stays)", () => {
    const f = "DKIM-Signature: v=1; bh=abc=; b=AAA\r\n BBB ; d=x";
    assert.equal(withoutSignatureValue(L(f)).toString("latin1"), "DKIM-Signature: v=1; bh=abc=; b=; d=x");
    assert.equal(
      withoutSignatureValue(L("DKIM-Signature: b = xyz")).toString("latin1"),
      "DKIM-Signature: b =",
    );
  });

  test("h= picks the bottom-most unused instance; a name listed more often than present adds nothing", () => {
    const msg = L("From: a\r\nTo: 1\r\nTo: 2\r\nSubject: s\r\n\r\nbody\r\n");
    const h = parseHeader(msg);
    const picked = selectFields(h.fields, ["to", "To", "to", "from"]).map((f) =>
      msg.toString("latin1", f.start, f.valueEnd),
    );
    assert.deepEqual(picked, ["To: 2", "To: 1", "From: a"]);
  });
});

describe("hostile headers stay linear", () => {
  test("50,000 fields and an h= of 50,000 names; a signature value of 200,000 empty tags", () => {
    const msg = L(`${"To: x\r\n".repeat(50_000)}\r\n`);
    // In CPU time: a loaded CI machine inflates wall-clock time, not work.
    const ms = cpuMsOf(() => {
      const picked = selectFields(
        parseHeader(msg).fields,
        Array.from({ length: 50_000 }, () => "to"),
      );
      assert.equal(picked.length, 50_000);
      const sig = L(`DKIM-Signature: ${";".repeat(200_000)} b=abc`);
      assert.equal(
        withoutSignatureValue(sig).toString("latin1"),
        `DKIM-Signature: ${";".repeat(200_000)} b=`,
      );
    });
    assert.ok(ms < 1000, `took ${ms} ms of CPU`);
  });
});

describe("tag lists", () => {
  test("values trimmed of FWS, a trailing ; allowed, duplicates and bare words refused", () => {
    const t = parseTagList(" v=1;\r\n a = rsa-sha256 ; b=AB\r\n CD;");
    assert.deepEqual(
      [...(t ?? [])],
      [
        ["v", "1"],
        ["a", "rsa-sha256"],
        ["b", "AB\r\n CD"],
      ],
    );
    assert.equal(parseTagList("v=1; v=1"), null);
    assert.equal(parseTagList("v=1; junk"), null);
  });
});

describe("body canonicalization", () => {
  const sha = (s: string) => createHash("sha256").update(L(s)).digest();
  const cases: [string, string, string, string][] = [
    // [name, body, relaxed form, simple form]
    ["empty body", "", "", "\r\n"],
    ["only empty lines", "\r\n\r\n", "", "\r\n"],
    ["trailing empty lines", "a\r\n\r\n\r\n", "a\r\n", "a\r\n"],
    ["whitespace-only last lines", "a\r\n \r\n\t\r\n", "a\r\n", "a\r\n \r\n\t\r\n"],
    ["WSP runs and line ends", "a  \t b \t\r\n  c\r\n", "a b\r\n c\r\n", "a  \t b \t\r\n  c\r\n"],
    ["no final CRLF", "a b", "a b\r\n", "a b\r\n"],
    ["inner empty lines kept", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n"],
    ["8-bit bytes are not whitespace", "x\xa0\r\n", "x\xa0\r\n", "x\xa0\r\n"],
  ];
  for (const [name, body, relaxed, simple] of cases) {
    test(name, async () => {
      const msg = L(`A: b\r\n\r\n${body}`);
      const start = parseHeader(msg).bodyStart;
      const r = await bodyHash(msg, start, { canon: "relaxed", algo: "sha256" });
      assert.deepEqual(r.hash, sha(relaxed), "relaxed");
      assert.equal(r.canonLength, relaxed.length);
      const s = await bodyHash(msg, start, { canon: "simple", algo: "sha256" });
      assert.deepEqual(s.hash, sha(simple), "simple");
    });
  }

  test("l= hashes only that many canonical octets and reports the rest", async () => {
    const msg = L("A: b\r\n\r\nhello  world\r\nmore\r\n");
    const r = await bodyHash(msg, parseHeader(msg).bodyStart, { canon: "relaxed", algo: "sha256", limit: 5 });
    assert.deepEqual(r.hash, sha("hello"));
    assert.equal(r.hashedLength, 5);
    assert.equal(r.canonLength, "hello world\r\nmore\r\n".length);
  });

  test("a line after empty lines that filled the scratch buffer is hashed whole (bare LF ends lines too)", async () => {
    // 40 bare-LF empty lines become 80 canonical bytes: more than their source, so the line after
    // them no longer fits what is left of a buffer sized from the body.
    const body = `a\n${"\n".repeat(40)}${"b".repeat(50)}\n`;
    const msg = L(`A: b\r\n\r\n${body}`);
    const r = await bodyHash(msg, parseHeader(msg).bodyStart, { canon: "relaxed", algo: "sha256" });
    assert.deepEqual(r.hash, sha(`a\r\n${"\r\n".repeat(40)}${"b".repeat(50)}\r\n`));
  });

  test("a body of many slices (and a line longer than one) hashes as one piece would", async () => {
    const line = `${"x ".repeat(100)}\t \r\n`;
    const long = `${"y  ".repeat(BODY_SLICE)}\r\n`;
    const body = line.repeat(Math.ceil((3 * BODY_SLICE) / line.length)) + long + line;
    const msg = L(`A: b\r\n\r\n${body}`);
    const r = await bodyHash(msg, parseHeader(msg).bodyStart, { canon: "relaxed", algo: "sha256" });
    const expected = body
      .split("\r\n")
      .map((l) => l.replace(/[ \t]+/g, " ").replace(/ $/, ""))
      .join("\r\n");
    assert.deepEqual(r.hash, sha(expected));
  });
});
