import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { MISSING_DOMAIN } from "./address.js";
import { decodeHeaderValue } from "./encoded-word.js";
import { parseParts, parseStructure } from "./parse.js";
import { partAt } from "./section.js";
import { textOf } from "./text.js";
import { decodeTransfer } from "./transfer.js";
import type { MimePart } from "./types.js";

const load = (name: string): Buffer => readFileSync(new URL(`./corpus/${name}`, import.meta.url));
const body = (raw: Buffer, p: MimePart): string => raw.subarray(p.bodyStart, p.bodyEnd).toString("latin1");
const header = (raw: Buffer, p: MimePart): string =>
  raw.subarray(p.headerStart, p.bodyStart).toString("latin1");
/** Offset just after the first occurrence of `s` (at or after `from`). */
const after = (raw: Buffer, s: string, from = 0): number => {
  const i = raw.indexOf(s, from, "latin1");
  assert.notEqual(i, -1, `${s} not found`);
  return i + Buffer.byteLength(s, "latin1");
};

describe("corpus: nested multipart/mixed > multipart/alternative", () => {
  const raw = load("nested-alternative.eml");
  const s = parseStructure(raw);

  test("root is the multipart/mixed with its boundary", () => {
    assert.equal(s.root.headerStart, 0);
    assert.equal(s.root.bodyStart, after(raw, 'boundary="outer"\r\n\r\n'));
    assert.equal(s.root.bodyEnd, raw.length);
    assert.equal(`${s.root.type}/${s.root.subtype}`, "multipart/mixed");
    assert.deepEqual(s.root.params, { boundary: "outer" });
    assert.equal(s.root.parts.length, 2);
    assert.equal(s.root.lines, 0);
  });

  test("the alternative part ends before the CRLF that precedes the next delimiter", () => {
    const alt = s.root.parts[0]!;
    assert.equal(alt.headerStart, after(raw, "--outer\r\n"));
    assert.equal(header(raw, alt), "Content-Type: multipart/alternative; boundary=inner\r\n\r\n");
    assert.ok(body(raw, alt).startsWith("--inner\r\n"));
    assert.ok(body(raw, alt).endsWith("\r\n--inner--\r\n"));
    assert.equal(alt.bodyEnd, raw.indexOf("\r\n--outer\r\nContent-Type: application/pdf"));
    assert.deepEqual(alt.params, { boundary: "inner" });
  });

  test("leaf parts: exact bodies, lines, params, encodings", () => {
    const plain = partAt(s, [1, 1])!;
    assert.equal(body(raw, plain), "Hello plain");
    assert.equal(plain.lines, 1);
    assert.deepEqual(plain.params, { charset: "utf-8" });
    assert.equal(plain.encoding, "7bit");
    assert.equal(plain.disposition, null);

    const html = partAt(s, [1, 2])!;
    assert.equal(`${html.type}/${html.subtype}`, "text/html");
    assert.equal(body(raw, html), "<p>Hello =3D html</p>=\r\n<br>");
    assert.equal(html.lines, 2);
    assert.equal(html.encoding, "quoted-printable");
    assert.equal(textOf(raw, html), "<p>Hello = html</p><br>");

    const pdf = partAt(s, [2])!;
    assert.equal(`${pdf.type}/${pdf.subtype}`, "application/pdf");
    assert.deepEqual(pdf.params, { name: "doc.pdf" });
    assert.deepEqual(pdf.disposition, { type: "attachment", params: { filename: "doc.pdf" } });
    assert.equal(body(raw, pdf), "JVBERi0xLjQK");
    assert.equal(pdf.lines, 0);
    assert.equal(
      decodeTransfer(raw.subarray(pdf.bodyStart, pdf.bodyEnd), pdf.encoding).toString(),
      "%PDF-1.4\n",
    );
    assert.equal(textOf(raw, pdf), "");
  });

  test("envelope", () => {
    assert.deepEqual(s.envelope, {
      date: "Mon, 1 Jan 2024 10:00:00 +0000",
      subject: "Nested parts",
      from: [{ name: "Alice Example", mailbox: "alice", host: "example.com" }],
      sender: [{ name: "Alice Example", mailbox: "alice", host: "example.com" }],
      replyTo: [{ name: "Alice Example", mailbox: "alice", host: "example.com" }],
      to: [
        { name: "Bob", mailbox: "bob", host: "example.org" },
        { name: null, mailbox: "carol", host: "example.net" },
      ],
      cc: [],
      bcc: [],
      inReplyTo: null,
      messageId: "<nested-1@example.com>",
    });
    assert.deepEqual(s.references, []);
  });

  test("section numbers", () => {
    assert.equal(partAt(s, []), s.root);
    assert.equal(partAt(s, [1]), s.root.parts[0]);
    assert.equal(partAt(s, [3]), null);
    assert.equal(partAt(s, [1, 3]), null);
    assert.equal(partAt(s, [2, 1]), null);
    assert.equal(partAt(s, [0]), null);
  });
});

describe("corpus: message/rfc822 attachment containing a multipart", () => {
  const raw = load("rfc822-attachment.eml");
  const s = parseStructure(raw);
  const msgPart = s.root.parts[1]!;

  test("the message/rfc822 part spans the whole encapsulated message", () => {
    assert.equal(`${msgPart.type}/${msgPart.subtype}`, "message/rfc822");
    assert.deepEqual(msgPart.params, {});
    assert.deepEqual(msgPart.disposition, { type: "attachment", params: {} });
    assert.equal(msgPart.bodyStart, raw.indexOf('From: "Inner, Person"'));
    assert.ok(body(raw, msgPart).endsWith("<b>Inner</b>\r\n--b2--\r\n"));
    assert.equal(msgPart.bodyEnd, raw.indexOf("\r\n--b1--"));
    assert.equal(msgPart.lines, 16);
  });

  test("the encapsulated structure has offsets into the original message", () => {
    const m = msgPart.message!;
    assert.equal(m.root.headerStart, msgPart.bodyStart);
    assert.equal(m.root.bodyEnd, msgPart.bodyEnd);
    assert.equal(header(raw, m.root).split("\r\n")[0], 'From: "Inner, Person" <inner@example.org>');
    assert.equal(`${m.root.type}/${m.root.subtype}`, "multipart/alternative");
    assert.equal(m.envelope.subject, "inner");
    assert.equal(m.envelope.messageId, "<inner-1@example.org>");
    assert.deepEqual(m.envelope.from, [{ name: "Inner, Person", mailbox: "inner", host: "example.org" }]);
    assert.deepEqual(m.envelope.to, [{ name: null, mailbox: "someone", host: "example.net" }]);
  });

  test("section 2.1 / 2.2 are the encapsulated message's parts", () => {
    assert.equal(body(raw, partAt(s, [1])!), "See attached.");
    assert.equal(partAt(s, [2]), msgPart);
    const inner1 = partAt(s, [2, 1])!;
    assert.equal(body(raw, inner1), "Inner text");
    assert.deepEqual(inner1.params, { charset: "us-ascii" });
    const inner2 = partAt(s, [2, 2])!;
    assert.equal(body(raw, inner2), "<b>Inner</b>");
    assert.deepEqual(inner2.params, { charset: "us-ascii" });
    assert.equal(partAt(s, [2, 3]), null);
    assert.equal(partAt(s, [2, 1, 1]), null);
  });

  test("outer sender and reply-to default to from", () => {
    const from = [{ name: null, mailbox: "sender", host: "example.com" }];
    assert.deepEqual(s.envelope.from, from);
    assert.deepEqual(s.envelope.sender, from);
    assert.deepEqual(s.envelope.replyTo, from);
    assert.equal(s.envelope.date, null);
  });
});

describe("corpus: defaults and broken structure", () => {
  test("no Content-Type: text/plain; charset=us-ascii, part 1 is the body", () => {
    const raw = load("no-content-type.eml");
    const s = parseStructure(raw);
    assert.equal(`${s.root.type}/${s.root.subtype}`, "text/plain");
    assert.deepEqual(s.root.params, { charset: "us-ascii" });
    assert.equal(s.root.encoding, "7bit");
    assert.equal(s.root.bodyStart, after(raw, "Subject: plain\r\n\r\n"));
    assert.equal(body(raw, s.root), "Just text.\r\nSecond line.\r\n");
    assert.equal(s.root.lines, 2);
    assert.equal(partAt(s, [1]), s.root);
    assert.equal(partAt(s, [2]), null);
    assert.equal(partAt(s, [1, 1]), null);
  });

  test("multipart without boundary parameter: one headerless text/plain child with the whole body", () => {
    const raw = load("missing-boundary.eml");
    const s = parseStructure(raw);
    assert.equal(`${s.root.type}/${s.root.subtype}`, "multipart/mixed");
    assert.deepEqual(s.root.params, {});
    assert.equal(s.root.parts.length, 1);
    const c = s.root.parts[0]!;
    assert.equal(c.headerStart, s.root.bodyStart);
    assert.equal(c.bodyStart, s.root.bodyStart);
    assert.equal(c.bodyEnd, raw.length);
    assert.equal(body(raw, c), "--foo\r\nContent-Type: text/plain\r\n\r\ntext\r\n--foo--\r\n");
    assert.equal(`${c.type}/${c.subtype}`, "text/plain");
    assert.deepEqual(c.params, { charset: "us-ascii" });
    assert.equal(c.lines, 5);
    assert.equal(partAt(s, [1]), c);
  });

  test("boundary never closed: the last part runs to the end of the message", () => {
    const raw = load("unclosed-boundary.eml");
    const s = parseStructure(raw);
    assert.equal(s.root.parts.length, 2);
    const [a, b] = s.root.parts as [MimePart, MimePart];
    assert.equal(a.headerStart, after(raw, "preamble\r\n--zz\r\n"));
    assert.equal(body(raw, a), "first");
    assert.equal(b.headerStart, after(raw, "first\r\n--zz\r\n"));
    assert.equal(body(raw, b), "second, never closed\r\n");
    assert.equal(b.bodyEnd, raw.length);
    assert.equal(b.lines, 1);
  });

  test("header without blank line: header to the end, empty body", () => {
    const raw = load("header-only.eml");
    const s = parseStructure(raw);
    assert.equal(s.root.bodyStart, raw.length);
    assert.equal(s.root.bodyEnd, raw.length);
    assert.equal(s.root.lines, 0);
    assert.equal(s.envelope.subject, "only headers");
  });

  test("broken header lines are skipped; an invalid Content-Type means text/plain", () => {
    const raw = load("broken-headers.eml");
    const s = parseStructure(raw);
    assert.equal(s.envelope.subject, "broken headers");
    assert.deepEqual(s.envelope.from, []); // the mbox "From " line is not a field
    assert.equal(`${s.root.type}/${s.root.subtype}`, "text/plain");
    assert.deepEqual(s.root.params, { charset: "us-ascii" });
    assert.equal(s.root.encoding, "base64");
    assert.equal(body(raw, s.root), "aGVsbG8=\r\n");
    assert.equal(textOf(raw, s.root), "hello");
  });

  test("multipart/digest children default to message/rfc822", () => {
    const raw = load("digest.eml");
    const s = parseStructure(raw);
    const [d1, d2] = s.root.parts as [MimePart, MimePart];
    assert.equal(`${d1.type}/${d1.subtype}`, "message/rfc822");
    assert.equal(d1.bodyStart, d1.headerStart + 2); // empty header: just the blank line
    assert.equal(body(raw, d1), "From: one@example.com\r\nSubject: first\r\n\r\nBody one");
    assert.equal(d1.lines, 4);
    assert.equal(d1.message!.envelope.subject, "first");
    assert.equal(body(raw, partAt(s, [1, 1])!), "Body one");
    assert.equal(`${d2.type}/${d2.subtype}`, "text/plain");
    assert.equal(body(raw, d2), "Not a message");
  });
});

describe("corpus: encodings and charsets", () => {
  test("UTF-8 encoded words: raw in the envelope, decodable, split character joined", () => {
    const raw = load("encoded-utf8.eml");
    const s = parseStructure(raw);
    const subj = s.envelope.subject!;
    assert.equal(subj, "=?UTF-8?B?Y2Fmw6k=?= =?UTF-8?Q?_=E2=98?= =?UTF-8?Q?=95_time?="); // unfolded
    assert.equal(decodeHeaderValue(subj), "café ☕ time");
    const from = s.envelope.from[0]!;
    assert.equal(from.name, "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?=");
    assert.equal(decodeHeaderValue(from.name!), "Jörg Müller");
    assert.equal(decodeHeaderValue(s.envelope.to[0]!.name!), "山田");
    assert.equal(s.root.encoding, "base64");
    assert.equal(textOf(raw, s.root), "Grüße\r\n");
  });

  test("ISO-2022-JP subject, name and body", () => {
    const raw = load("iso-2022-jp.eml");
    const s = parseStructure(raw);
    assert.equal(decodeHeaderValue(s.envelope.subject!), "日本語");
    assert.equal(decodeHeaderValue(s.envelope.from[0]!.name!), "山田");
    assert.deepEqual(s.root.params, { charset: "ISO-2022-JP" });
    assert.equal(body(raw, s.root), "\x1b$B$3$s$K$A$O\x1b(B\r\n");
    assert.equal(textOf(raw, s.root), "こんにちは\r\n");
    assert.equal(s.root.lines, 1);
  });

  test("RFC 2231 continuations and charsets in parameters", () => {
    const raw = load("rfc2231-filename.eml");
    const s = parseStructure(raw);
    const [a, b] = s.root.parts as [MimePart, MimePart];
    assert.deepEqual(a.params, { name: "日本語.txt" });
    assert.deepEqual(a.disposition, { type: "attachment", params: { filename: "résumé.txt" } });
    assert.equal(body(raw, a), "aGk=");
    assert.deepEqual(b.params, { charset: "us-ascii", format: "flowed" });
    assert.deepEqual(b.disposition, { type: "inline", params: { filename: "longname.txt" } });
    assert.equal(body(raw, b), "x");
  });

  test("8-bit headers (RFC 6532 UTF-8) and 8-bit body", () => {
    const raw = load("eight-bit.eml");
    const s = parseStructure(raw);
    assert.equal(s.envelope.subject, "Übergrößenträger");
    assert.deepEqual(s.envelope.from, [{ name: "Renée", mailbox: "renee", host: "example.fr" }]);
    assert.equal(s.root.encoding, "8bit");
    assert.equal(raw.subarray(s.root.bodyStart, s.root.bodyEnd).toString("utf8"), "Grüße aus Köln\r\n");
    assert.equal(textOf(raw, s.root), "Grüße aus Köln\r\n");
    assert.equal(s.root.lines, 1);
  });

  test("bare LF line ends", () => {
    const raw = load("bare-lf.eml");
    const s = parseStructure(raw);
    assert.equal(s.root.bodyStart, after(raw, 'boundary="lf"\n\n'));
    const [a, b] = s.root.parts as [MimePart, MimePart];
    assert.equal(a.headerStart, after(raw, "\n--lf\n"));
    assert.equal(header(raw, a), "Content-Type: text/plain\n\n");
    assert.equal(body(raw, a), "line one\nline two");
    assert.equal(a.lines, 2);
    assert.equal(`${b.type}/${b.subtype}`, "text/html");
    assert.equal(body(raw, b), "<p>x</p>");
    assert.equal(b.bodyEnd, raw.indexOf("\n--lf--"));
    assert.equal(b.lines, 1);
  });

  test("base64 attachment with every Content-* field", () => {
    const raw = load("base64-attachment.eml");
    const s = parseStructure(raw);
    assert.deepEqual(s.root.params, { boundary: "=_b64" });
    const [t, img] = s.root.parts as [MimePart, MimePart];
    assert.equal(body(raw, t), "See the image.");
    assert.equal(`${img.type}/${img.subtype}`, "image/png");
    assert.deepEqual(img.params, { name: "dot.png" });
    assert.equal(img.encoding, "base64");
    assert.equal(img.id, "<dot@example.com>");
    assert.equal(img.description, "A dot");
    assert.equal(img.md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
    assert.deepEqual(img.language, ["en", "de"]);
    assert.equal(img.location, "http://example.com/dot.png");
    assert.deepEqual(img.disposition, { type: "attachment", params: { filename: "dot.png" } });
    assert.equal(body(raw, img), "iVBORw0KGgo=\r\nAAAA");
    const bin = decodeTransfer(raw.subarray(img.bodyStart, img.bodyEnd), img.encoding);
    assert.deepEqual([...bin], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]);
  });
});

describe("corpus: addresses", () => {
  const s = parseStructure(load("groups.eml"));
  test("groups, comments as names, routes, quoted local parts, missing domains", () => {
    assert.deepEqual(s.envelope.from, [{ name: "Doe, John", mailbox: "john", host: "example.com" }]);
    assert.deepEqual(s.envelope.sender, [{ name: "Sec Retary", mailbox: "secretary", host: "example.com" }]);
    assert.deepEqual(s.envelope.replyTo, [
      { name: null, adl: "@relay.example", mailbox: "replies", host: "example.com" },
    ]);
    assert.deepEqual(s.envelope.to, [
      { name: null, mailbox: "undisclosed-recipients", host: null },
      { name: null, mailbox: null, host: null },
    ]);
    assert.deepEqual(s.envelope.cc, [
      { name: null, mailbox: "Friends", host: null },
      { name: null, mailbox: "alice", host: "example.com" },
      { name: 'Bob "B" Smith', mailbox: "bob", host: "example.org" },
      { name: null, mailbox: null, host: null },
      { name: null, mailbox: "dave", host: "example.net" },
    ]);
    assert.deepEqual(s.envelope.bcc, [
      { name: "John Q. Public", mailbox: "jqp", host: "example.com" },
      { name: null, mailbox: '"john doe"', host: "example.com" },
      { name: null, mailbox: "broken", host: MISSING_DOMAIN },
    ]);
  });
  test("message ids and references", () => {
    assert.equal(s.envelope.inReplyTo, "<parent@example.com> (comment)");
    assert.equal(s.envelope.messageId, "<groups-1@example.com>");
    assert.deepEqual(s.references, ["<root@example.com>", "<parent@example.com>"]);
  });
});

describe("parseParts", () => {
  /** parseStructure's tree with every line count 0, which is what parseParts leaves out. */
  const withoutLines = (p: MimePart): MimePart => ({
    ...p,
    lines: 0,
    parts: p.parts.map(withoutLines),
    message: p.message === null ? null : { ...p.message, root: withoutLines(p.message.root) },
  });
  const names = readdirSync(new URL("./corpus/", import.meta.url)).filter((n) => n.endsWith(".eml"));

  test("gives parseStructure's tree without line counts, for every corpus message", () => {
    assert.ok(names.length >= 10);
    for (const name of names) {
      const raw = load(name);
      assert.deepEqual(withoutLines(parseParts(raw)), withoutLines(parseStructure(raw).root), name);
    }
  });

  test("keeps the part limit", () => {
    const raw = load("nested-alternative.eml");
    assert.deepEqual(
      withoutLines(parseParts(raw, { maxParts: 2 })),
      withoutLines(parseStructure(raw, { maxParts: 2 }).root),
    );
  });
});
