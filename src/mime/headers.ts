// Header block scanning (RFC 5322 2.2, 2.2.3): splits a header into fields, finds the blank line
// that ends it, and unfolds values. Robust to broken input: bare LF ends a line like CRLF, a line
// without a colon (or with an invalid field name) is skipped together with its continuation lines,
// and a header with no blank line runs to the end of the region (the body is then empty).

import { headerText, trimWsp } from "./bytes.js";

// Byte values are local consts: imported bindings cost a getter call per use under tsx's loader.
const CR = 0x0d;
const HT = 0x09;
const LF = 0x0a;
const SP = 0x20;

export interface RawField {
  name: string; // field name as written (trailing WSP before the colon removed)
  lname: string; // lower-case name, for case-insensitive matching
  start: number; // first byte of the field
  valueStart: number; // first byte after the colon
  valueEnd: number; // end of the value, before the line end of its last line
  end: number; // after the line end of its last line (exclusive)
}

export interface HeaderBlock {
  fields: RawField[];
  /** First byte after the blank line that ends the header, or `end` when there is none. */
  bodyStart: number;
}

const COLON = 0x3a;

/** Scans the header that starts at `start` within [start, end). */
export function scanHeader(buf: Buffer, start: number, end: number): HeaderBlock {
  const fields: RawField[] = [];
  const view = buf.subarray(0, end);
  let cur: RawField | null = null;
  let garbage = false; // true while inside a line that is not a field, so its continuations are skipped too
  let pos = start;
  while (pos < end) {
    const nl = view.indexOf(LF, pos);
    const lineEnd = nl === -1 ? end : nl + 1;
    const contentEnd = nl === -1 ? end : nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
    if (nl !== -1 && contentEnd === pos) return { fields, bodyStart: lineEnd }; // the blank line
    const c = buf[pos];
    if (c === SP || c === HT) {
      if (cur !== null && !garbage) {
        cur.valueEnd = contentEnd;
        cur.end = lineEnd;
      }
    } else {
      cur = newField(buf, pos, contentEnd, lineEnd);
      garbage = cur === null;
      if (cur !== null) fields.push(cur);
    }
    pos = lineEnd;
  }
  return { fields, bodyStart: end };
}

function newField(buf: Buffer, pos: number, contentEnd: number, lineEnd: number): RawField | null {
  let colon = -1;
  for (let i = pos; i < contentEnd; i++) {
    if (buf[i] === COLON) {
      colon = i;
      break;
    }
  }
  if (colon <= pos) return null;
  // RFC 5322 4.5.8 (obsolete syntax) allows WSP between the name and the colon.
  let nameEnd = colon;
  while (nameEnd > pos && (buf[nameEnd - 1] === SP || buf[nameEnd - 1] === HT)) nameEnd--;
  if (nameEnd === pos) return null;
  // RFC 5322 3.6.8: ftext is printable US-ASCII except colon; anything else (e.g. an mbox
  // "From " line, whose time contains a colon) is not a field.
  for (let i = pos; i < nameEnd; i++) {
    const b = buf[i]!;
    if (b < 33 || b > 126) return null;
  }
  const name = buf.toString("latin1", pos, nameEnd);
  return {
    name,
    lname: name.toLowerCase(),
    start: pos,
    valueStart: colon + 1,
    valueEnd: contentEnd,
    end: lineEnd,
  };
}

/** The unfolded value (RFC 5322 2.2.3: line breaks before WSP removed), trimmed of SP/HT. */
export function fieldValue(buf: Buffer, f: RawField): string {
  let s = headerText(buf, f.valueStart, f.valueEnd);
  if (s.includes("\n")) s = s.replace(/\r?\n/g, "");
  return trimWsp(s);
}

/** First value of each wanted (lower-case) field name: for single-valued fields the first occurrence wins. */
export function firstValues(
  buf: Buffer,
  fields: RawField[],
  wanted: ReadonlySet<string>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fields) {
    if (wanted.has(f.lname) && !out.has(f.lname)) out.set(f.lname, fieldValue(buf, f));
  }
  return out;
}

export interface HeaderField {
  name: string; // as written
  value: string; // unfolded and trimmed; UTF-8 when valid, else latin1
  raw: Buffer; // exact bytes of the field, including its final line end
}

/** All header fields of a header block (or of a whole message: scanning stops at the blank line). */
export function getHeaderFields(headerBytes: Buffer): HeaderField[] {
  const { fields } = scanHeader(headerBytes, 0, headerBytes.length);
  return fields.map((f) => ({
    name: f.name,
    value: fieldValue(headerBytes, f),
    raw: headerBytes.subarray(f.start, f.end),
  }));
}

const CRLF = Buffer.from("\r\n");

/** IMAP BODY[HEADER.FIELDS (...)] / BODY[HEADER.FIELDS.NOT (...)] (RFC 3501 6.4.5): the exact
 *  bytes of the matching fields (names case-insensitive), in message order, then the blank line.
 *  Lines that are not fields are never returned. A last field cut off without a line end gets CRLF. */
export function selectHeaderFields(headerBytes: Buffer, names: string[], not: boolean): Buffer {
  const set = new Set(names.map((n) => n.toLowerCase()));
  const { fields } = scanHeader(headerBytes, 0, headerBytes.length);
  const chunks: Buffer[] = [];
  for (const f of fields) {
    if (set.has(f.lname) === not) continue;
    chunks.push(headerBytes.subarray(f.start, f.end));
    if (headerBytes[f.end - 1] !== LF) chunks.push(CRLF);
  }
  chunks.push(CRLF);
  return Buffer.concat(chunks);
}
