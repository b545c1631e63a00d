// Binary content made safe to store and serve (RFC 3516 4.4): a message APPENDed as literal8 may
// hold parts with Content-Transfer-Encoding: binary, NULs and bare LFs, which BODY[] could not send
// in a plain literal (RFC 9051 4.3: no NUL) and which CRLF normalisation would corrupt. As Dovecot
// does (its binary converter at APPEND), each such leaf part is re-encoded as base64: BINARY[part]
// (format/binary.ts) then decodes it back to the octets the client sent, BODY[part] is 7-bit text.
import { parseStructure } from "./parse.js";
import type { MimePart } from "./types.js";

const MAX_PARTS_WALKED = 10000; // the parse caps parts; this bounds the walk regardless
const LINE = 76; // RFC 2045 6.8: encoded lines of at most 76 characters

/** The message with every binary leaf part base64-encoded; the same buffer when there is none. */
export function encodeBinaryParts(message: Buffer): Buffer {
  const s = parseStructure(message);
  const leaves: MimePart[] = [];
  const stack: MimePart[] = [s.root];
  let walked = 0;
  while (stack.length > 0 && walked++ < MAX_PARTS_WALKED) {
    const p = stack.pop()!;
    if (p.parts.length > 0) stack.push(...p.parts);
    else if (p.message) stack.push(p.message.root);
    else if (isBinary(message, p)) leaves.push(p);
  }
  if (leaves.length === 0) return message;
  leaves.sort((a, b) => a.headerStart - b.headerStart);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of leaves) {
    out.push(message.subarray(at, p.headerStart));
    out.push(rewriteHeader(message.subarray(p.headerStart, p.bodyStart)));
    out.push(base64Lines(message.subarray(p.bodyStart, p.bodyEnd)));
    at = p.bodyEnd;
  }
  out.push(message.subarray(at));
  return Buffer.concat(out);
}

function isBinary(message: Buffer, p: MimePart): boolean {
  if (p.encoding === "binary") return true;
  if (p.encoding === "base64" || p.encoding === "quoted-printable") return false;
  return message.subarray(p.bodyStart, p.bodyEnd).includes(0);
}

/** The part's header without its Content-Transfer-Encoding field, then "base64", then the blank
 *  line. Continuation lines (RFC 5322 2.2.3) of the dropped field go with it. */
function rewriteHeader(head: Buffer): Buffer {
  const lines = head.toString("latin1").split("\n");
  // The last two entries are the blank line's "" or "\r" and what follows its LF (""): drop both.
  while (lines.length > 0 && (lines[lines.length - 1] === "" || lines[lines.length - 1] === "\r"))
    lines.pop();
  const kept: string[] = [];
  let dropping = false;
  for (const l of lines) {
    if (dropping && (l.startsWith(" ") || l.startsWith("\t"))) continue;
    dropping = l.slice(0, 26).toLowerCase() === "content-transfer-encoding:";
    if (!dropping) kept.push(l.endsWith("\r") ? l : `${l}\r`);
  }
  kept.push("Content-Transfer-Encoding: base64\r", "\r", "");
  return Buffer.from(kept.join("\n"), "latin1");
}

function base64Lines(body: Buffer): Buffer {
  const b64 = body.toString("base64");
  const out: string[] = [];
  for (let i = 0; i < b64.length; i += LINE) out.push(b64.slice(i, i + LINE));
  return Buffer.from(out.join("\r\n"), "latin1");
}
