import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_MIME_DEPTH, parseStructure } from "./parse.js";
import { partAt } from "./section.js";
import type { MessageStructure, MimePart } from "./types.js";

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, "\r\n"), "latin1");
const body = (raw: Buffer, p: MimePart): string => raw.subarray(p.bodyStart, p.bodyEnd).toString("latin1");

function depthOf(p: MimePart): number {
  let d = 0;
  for (const c of p.parts) d = Math.max(d, 1 + depthOf(c));
  if (p.message) d = Math.max(d, 1 + depthOf(p.message.root));
  return d;
}

describe("multipart delimiters", () => {
  test("a line that only starts with the delimiter is content; padding after a delimiter is allowed", () => {
    const raw = crlf(
      "Content-Type: multipart/mixed; boundary=b\n\n--b \t\n\nA\n--bb\nB\n--b--  \nepilogue\n",
    );
    const s = parseStructure(raw);
    assert.equal(s.root.parts.length, 1);
    assert.equal(body(raw, s.root.parts[0]!), "A\r\n--bb\r\nB");
  });

  test("the preamble may be empty; parts without header start with the blank line", () => {
    const raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nno header\n--b\n\n\n--b--\n");
    const s = parseStructure(raw);
    const [a, b] = s.root.parts as [MimePart, MimePart];
    assert.equal(a.headerStart, raw.indexOf("--b") + 5);
    assert.equal(a.bodyStart, a.headerStart + 2);
    assert.equal(body(raw, a), "no header");
    assert.equal(`${a.type}/${a.subtype}`, "text/plain");
    // "--b CRLF CRLF CRLF --b--": empty header, then an empty body (the last CRLF is the delimiter's).
    assert.equal(b.bodyStart, b.bodyEnd);
    assert.equal(b.lines, 0);
  });

  test("adjacent delimiters give an empty part, never a negative span", () => {
    const raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\nX: y\n\nz\n--b--\n");
    const s = parseStructure(raw);
    const [a, b] = s.root.parts as [MimePart, MimePart];
    assert.equal(a.headerStart, a.bodyEnd);
    assert.equal(a.bodyStart, a.bodyEnd);
    assert.equal(body(raw, b), "z");
  });

  test("a boundary that never appears, or only a close delimiter: one synthetic text part", () => {
    for (const text of [
      "Content-Type: multipart/mixed; boundary=nope\n\nhello\n",
      "Content-Type: multipart/mixed; boundary=b\n\n--b--\n",
    ]) {
      const raw = crlf(text);
      const s = parseStructure(raw);
      assert.equal(s.root.parts.length, 1);
      const c = s.root.parts[0]!;
      assert.equal(c.headerStart, s.root.bodyStart);
      assert.equal(c.bodyEnd, raw.length);
      assert.equal(`${c.type}/${c.subtype}`, "text/plain");
    }
  });

  test("an inner multipart left open ends at the outer delimiter", () => {
    const raw = crlf(
      "Content-Type: multipart/mixed; boundary=out\n\n--out\nContent-Type: multipart/alternative; boundary=in\n\n--in\n\ninner\n--out\n\nsecond\n--out--\n",
    );
    const s = parseStructure(raw);
    assert.equal(s.root.parts.length, 2);
    const inner = partAt(s, [1, 1])!;
    assert.equal(body(raw, inner), "inner");
    assert.equal(body(raw, partAt(s, [2])!), "second");
  });

  test("quoted boundary with spaces and tspecials", () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary="a b:c=d"\n\n--a b:c=d\n\nx\n--a b:c=d--\n');
    assert.equal(body(raw, parseStructure(raw).root.parts[0]!), "x");
  });

  test("maxParts caps the number of parts; the last one takes the rest", () => {
    const raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n1\n--b\n\n2\n--b\n\n3\n--b--\n");
    const s = parseStructure(raw, { maxParts: 3 });
    assert.equal(s.root.parts.length, 2);
    assert.equal(body(raw, s.root.parts[1]!), "2\r\n--b\r\n\r\n3\r\n--b--\r\n");
    assert.equal(parseStructure(raw).root.parts.length, 3);
  });
});

describe("headers of a part", () => {
  test("names are case-insensitive and the first occurrence wins", () => {
    const raw = crlf(
      "SUBJECT: one\nsubject: two\ncontent-TYPE: Text/HTML; CharSet=UTF-8\nContent-Type: image/png\n\nx",
    );
    const s = parseStructure(raw);
    assert.equal(s.envelope.subject, "one");
    assert.equal(`${s.root.type}/${s.root.subtype}`, "text/html");
    assert.deepEqual(s.root.params, { charset: "UTF-8" });
  });

  test("folded values are unfolded; empty values are empty strings", () => {
    const raw = crlf("Subject: a\n b\n\tc\nDate:\nMessage-ID:\n <x@y>\n\n");
    const s = parseStructure(raw);
    assert.equal(s.envelope.subject, "a b\tc");
    assert.equal(s.envelope.date, "");
    assert.equal(s.envelope.messageId, "<x@y>");
  });

  test("a last header line without line end, an empty message, a lone blank line", () => {
    let s = parseStructure(Buffer.from("Subject: cut"));
    assert.equal(s.envelope.subject, "cut");
    assert.equal(s.root.bodyStart, 12);
    s = parseStructure(Buffer.alloc(0));
    assert.deepEqual([s.root.headerStart, s.root.bodyStart, s.root.bodyEnd, s.root.lines], [0, 0, 0, 0]);
    assert.equal(s.envelope.subject, null);
    s = parseStructure(Buffer.from("\r\nbody"));
    assert.deepEqual([s.root.bodyStart, s.root.bodyEnd, s.root.lines], [2, 6, 1]);
  });

  test("Content-Transfer-Encoding is a lower-case token, 7bit by default", () => {
    assert.equal(
      parseStructure(crlf("Content-Transfer-Encoding: Quoted-Printable\n\n")).root.encoding,
      "quoted-printable",
    );
    assert.equal(parseStructure(crlf("Content-Transfer-Encoding: (c) 8BIT\n\n")).root.encoding, "8bit");
    assert.equal(parseStructure(crlf("Content-Transfer-Encoding:\n\n")).root.encoding, "7bit");
    assert.equal(
      parseStructure(crlf("Content-Transfer-Encoding: x-uuencode\n\n")).root.encoding,
      "x-uuencode",
    );
  });

  test("non-text leaves have no charset default and 0 lines", () => {
    const s = parseStructure(crlf("Content-Type: application/json\n\n{}\n"));
    assert.deepEqual(s.root.params, {});
    assert.equal(s.root.lines, 0);
  });
});

describe("encapsulated messages", () => {
  test("message/rfc822 in base64 (invalid) stays a leaf", () => {
    const raw = crlf(
      "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQp5\n",
    );
    const s = parseStructure(raw);
    assert.equal(s.root.message, null);
    assert.equal(s.root.lines, 1);
    assert.equal(partAt(s, [1, 1]), null);
  });

  test("a top-level message/rfc822: 1 is the body, 1.1 the encapsulated body", () => {
    const raw = crlf("Content-Type: message/rfc822\n\nSubject: inner\n\nhi\n");
    const s = parseStructure(raw);
    assert.equal(partAt(s, [1]), s.root);
    assert.equal(s.root.message!.envelope.subject, "inner");
    assert.equal(body(raw, partAt(s, [1, 1])!), "hi\r\n");
  });

  test("message/global is encapsulated too", () => {
    const s = parseStructure(crlf("Content-Type: message/global\n\nSubject: g\n\n"));
    assert.equal(s.root.message!.envelope.subject, "g");
  });
});

describe("limits and robustness", () => {
  function nested(levels: number): Buffer {
    let text = "leaf\n";
    for (let i = levels; i > 0; i--) {
      text = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${text}\n--b${i}--\n`;
    }
    return crlf(`Subject: deep\n${text}`);
  }

  test(`nesting beyond MAX_MIME_DEPTH (${MAX_MIME_DEPTH}) is opaque`, () => {
    const s = parseStructure(nested(200));
    assert.equal(depthOf(s.root), MAX_MIME_DEPTH);
    let p: MimePart = s.root;
    while (p.parts.length > 0) p = p.parts[0]!;
    assert.equal(`${p.type}/${p.subtype}`, "multipart/mixed");
    assert.equal(p.message, null);
  });

  test("maxDepth option", () => {
    assert.equal(depthOf(parseStructure(nested(10), { maxDepth: 3 }).root), 3);
    assert.equal(depthOf(parseStructure(nested(10)).root), 10);
  });

  test("nested message/rfc822 counts toward the depth", () => {
    let text = "Subject: leaf\n\nx\n";
    for (let i = 0; i < 80; i++) text = `Content-Type: message/rfc822\n\n${text}`;
    const s = parseStructure(crlf(text));
    let m: MessageStructure = s;
    let n = 0;
    while (m.root.message) {
      m = m.root.message;
      n++;
    }
    assert.equal(n, MAX_MIME_DEPTH);
  });

  test("random bytes and truncations never throw and keep offsets in range", () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = Buffer.from(
      '\r\n\r\n--b--: ;="()<>@,\t aZ\x80\xff\x00Content-Type: multipart/mixed; boundary=b\n',
      "latin1",
    );
    const check = (p: MimePart, len: number) => {
      assert.ok(p.headerStart <= p.bodyStart && p.bodyStart <= p.bodyEnd && p.bodyEnd <= len);
      for (const c of p.parts) check(c, len);
      if (p.message) check(p.message.root, len);
    };
    for (let i = 0; i < 300; i++) {
      const n = rnd() % 400;
      const buf = Buffer.alloc(n);
      for (let j = 0; j < n; j++) buf[j] = alphabet[rnd() % alphabet.length]!;
      check(parseStructure(buf).root, n);
    }
    const whole = nested(5);
    for (let cut = 0; cut <= whole.length; cut++) check(parseStructure(whole.subarray(0, cut)).root, cut);
  });
});
