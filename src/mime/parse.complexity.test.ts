// The MIME structure parser in time linear in the message (issue 18): it runs on every message
// at delivery, so a super-linear step would let any sender stall the server.
import { test } from "node:test";
import { assertLinear } from "../testing/complexity.js";
import { parseStructure } from "./parse.js";

const buf = (s: string) => Buffer.from(s);

test("many parts, and many lines that start like a delimiter", () => {
  const part = "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n";
  const many = (n: number) =>
    buf(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${part.repeat(n / part.length)}--b--\r\n`);
  assertLinear("parts", many, parseStructure, { n: 20_000, reps: 3 });
  const near = (n: number) =>
    buf(`Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n${"--bx\r\n".repeat(n / 6)}`);
  assertLinear("delimiter prefixes", near, parseStructure, { n: 20_000, reps: 3 });
});

test("deep nesting, multiparts and messages", () => {
  // Each level opens a multipart whose one child is the next level; the body is at the bottom.
  const nested = (n: number) => {
    const depth = 40;
    let open = "";
    let close = "";
    for (let d = 0; d < depth; d++) {
      open +=
        d % 2 === 0
          ? `Content-Type: multipart/mixed; boundary=b${d}\r\n\r\n--b${d}\r\n`
          : "Content-Type: message/rfc822\r\n\r\n";
      close = (d % 2 === 0 ? `\r\n--b${d}--\r\n` : "") + close;
    }
    return buf(`${open}\r\n${"line\r\n".repeat(n / 6)}${close}`);
  };
  assertLinear("nesting", nested, parseStructure, { n: 20_000, reps: 3 });
});

test("long folded header fields, and many of them", () => {
  const folded = (n: number) =>
    buf(`Subject: ${"word\r\n ".repeat(n / 7)}x\r\nContent-Type: text/plain\r\n\r\nbody\r\n`);
  assertLinear("folded", folded, parseStructure, { n: 20_000, reps: 3 });
  const fields = (n: number) => buf(`${"X-A: b\r\n".repeat(n / 8)}\r\nbody\r\n`);
  assertLinear("many fields", fields, parseStructure, { n: 20_000, reps: 3 });
  const colonless = (n: number) => buf(`${"x".repeat(n)}\r\n${"y\r\n".repeat(n / 3)}\r\n`);
  assertLinear("lines without colon", colonless, parseStructure, { n: 20_000, reps: 3 });
});

test("Content-Type parameters: comments and quotes", () => {
  const ct = (v: string) => buf(`Content-Type: ${v}\r\n\r\nx\r\n`);
  assertLinear(";(", (n) => ct(`text/plain${";(".repeat(n / 2)}`), parseStructure, { n: 20_000, reps: 3 });
  assertLinear('"', (n) => ct(`text/plain; a="${"\\\\".repeat(n / 2)}`), parseStructure, {
    n: 20_000,
    reps: 3,
  });
});
