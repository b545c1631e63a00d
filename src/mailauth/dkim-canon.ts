// DKIM canonicalization and hashing (RFC 6376 §3.4, §3.5, §3.7), shared by our signer
// (dkim-sign.ts) and verifier (dkim-verify.ts), so what one hashes the other hashes too.
//
// Why our own and not mailauth's: mailauth canonicalizes header fields with JavaScript's \s, which
// on its latin1 strings also matches bytes 0x0B, 0x0C and 0xA0, so a raw UTF-8 header holding "à"
// (C3 A0) or the Cyrillic "Р" (D0 A0) is hashed differently from every other implementation: its
// signatures fail at receivers and good signatures from others fail here. RFC 6376 §3.4.2 says
// WSP, which is SP and HTAB only (RFC 5234 B.1); that is all we fold here.
//
// Everything is linear in the input: one pass over the header, one over the body; the body is
// fed to the hash in slices with a turn of the event loop between them (see BODY_SLICE).
import { createHash, type Hash } from "node:crypto";
import { type RawField, scanHeader } from "../mime/headers.js";

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

export type Canon = "simple" | "relaxed";
export type HashAlgo = "sha256" | "sha1";

/** A body this large is hashed in parts with a yield between them (a 25 MB message would hold
 *  the event loop for a quarter of a second in one go). */
export const BODY_SLICE = 256 * 1024;

// ---- tag lists (RFC 6376 §3.2) ----

/** tag=value pairs; null when the list is malformed (a tag without "=", a bad name, a duplicate,
 *  which §3.2 says makes the whole list invalid). Values have surrounding FWS removed. */
export function parseTagList(text: string): Map<string, string> | null {
  const tags = new Map<string, string>();
  for (const spec of text.split(";")) {
    const eq = spec.indexOf("=");
    if (eq < 0) {
      if (spec.replace(/[ \t\r\n]/g, "") === "") continue; // empty spec (a trailing ";") is allowed
      return null;
    }
    const name = spec.slice(0, eq).replace(/[ \t\r\n]/g, "");
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || tags.has(name)) return null;
    tags.set(name, trimFws(spec.slice(eq + 1)));
  }
  return tags;
}

function trimFws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isFwsChar(s.charCodeAt(a))) a++;
  while (b > a && isFwsChar(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

function isFwsChar(c: number): boolean {
  return c === SP || c === HT || c === CR || c === LF;
}

/** base64 with FWS removed (b=, bh=, p=); null when it is not base64. */
export function base64Value(v: string): Buffer | null {
  const s = v.replace(/[ \t\r\n]/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  return Buffer.from(s, "base64");
}

// ---- header fields (RFC 6376 §3.4.1, §3.4.2, §5.4.2) ----

export interface ParsedHeader {
  fields: RawField[];
  bodyStart: number;
}

export function parseHeader(msg: Buffer): ParsedHeader {
  return scanHeader(msg, 0, msg.length);
}

/** The fields an h= list names, each name taking the bottom-most instance not taken yet
 *  (§5.4.2); a name with no instance left contributes nothing (the "null string"). */
export function selectFields(fields: RawField[], names: string[]): RawField[] {
  // Instances per name, in message order; each use takes the last one left. Linear in fields plus
  // names, however long a hostile h= list is.
  const byName = new Map<string, RawField[]>();
  for (const f of fields) {
    const list = byName.get(f.lname);
    if (list) list.push(f);
    else byName.set(f.lname, [f]);
  }
  const out: RawField[] = [];
  for (const n of names) {
    const f = byName.get(n.toLowerCase())?.pop();
    if (f) out.push(f);
  }
  return out;
}

/** One field canonicalized, with CRLF after it. The field is msg[f.start, f.valueEnd). */
export function canonField(msg: Buffer, f: RawField, canon: Canon): Buffer {
  return canonFieldBytes(msg.subarray(f.start, f.valueEnd), canon, true);
}

/** Canonical form of a field's bytes (name, colon, value with its folds, no final line end). */
export function canonFieldBytes(raw: Buffer, canon: Canon, crlf: boolean): Buffer {
  if (canon === "simple") {
    // §3.4.1: unchanged. A field ended by a bare LF is taken as ended by CRLF (as mailauth does).
    return crlf ? Buffer.concat([raw, CRLF_BUF]) : raw;
  }
  // §3.4.2: name in lower case, unfold, WSP runs to one SP, no WSP at the end of the value nor
  // around the colon.
  const out = Buffer.allocUnsafe(raw.length + 2);
  let n = 0;
  let i = 0;
  const colon = raw.indexOf(COLON);
  const nameEnd = colon < 0 ? raw.length : colon;
  let nameLast = nameEnd;
  while (nameLast > 0 && (raw[nameLast - 1] === SP || raw[nameLast - 1] === HT)) nameLast--;
  for (; i < nameLast; i++) {
    const c = raw[i]!;
    out[n++] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
  }
  if (colon >= 0) {
    out[n++] = COLON;
    i = colon + 1;
    let pendingSpace = false;
    let started = false;
    for (; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === LF || (c === CR && raw[i + 1] === LF)) continue; // unfold
      if (c === SP || c === HT) {
        pendingSpace = started;
        continue;
      }
      if (pendingSpace) {
        out[n++] = SP;
        pendingSpace = false;
      }
      started = true;
      out[n++] = c;
    }
  }
  if (crlf) {
    out[n++] = CR;
    out[n++] = LF;
  }
  return out.subarray(0, n);
}

const CRLF_BUF = Buffer.from("\r\n");

/** The signature field with the value of its b= tag deleted (§3.7: "including all surrounding
 *  whitespace"), the rest as written. */
export function withoutSignatureValue(raw: Buffer): Buffer {
  const s = raw.toString("latin1");
  const colon = s.indexOf(":");
  let pos = colon + 1;
  for (const spec of s.slice(pos).split(";")) {
    const eq = spec.indexOf("=");
    if (eq >= 0 && spec.slice(0, eq).replace(/[ \t\r\n]/g, "") === "b")
      return Buffer.from(s.slice(0, pos + eq + 1) + s.slice(pos + spec.length), "latin1");
    pos += spec.length + 1;
  }
  return raw;
}

/** The data the header signature covers (§3.7): the h= fields, then the signature field with an
 *  empty b= and no final CRLF. */
export function headerHashInput(
  msg: Buffer,
  selected: RawField[],
  signatureField: Buffer,
  canon: Canon,
): Buffer {
  const parts = selected.map((f) => canonField(msg, f, canon));
  parts.push(canonFieldBytes(withoutSignatureValue(signatureField), canon, false));
  return Buffer.concat(parts);
}

// ---- body (RFC 6376 §3.4.3, §3.4.4, §3.4.5) ----

export interface BodyHash {
  hash: Buffer;
  /** Octets of the whole canonical body. */
  canonLength: number;
  /** Octets of it that were hashed (less than canonLength with l=). */
  hashedLength: number;
}

/** Hash of the canonical body msg[start..], at most `limit` octets of it (the l= tag). */
export async function bodyHash(
  msg: Buffer,
  start: number,
  opts: { canon: Canon; algo: HashAlgo; limit?: number | null },
): Promise<BodyHash> {
  const sink = new LimitedHash(createHash(opts.algo), opts.limit ?? null);
  const body = msg.subarray(Math.min(start, msg.length));
  if (opts.canon === "simple") await simpleBody(body, sink);
  else await relaxedBody(body, sink);
  return { hash: sink.hash.digest(), canonLength: sink.total, hashedLength: sink.hashed };
}

class LimitedHash {
  total = 0;
  hashed = 0;
  constructor(
    readonly hash: Hash,
    private readonly limit: number | null,
  ) {}
  write(b: Buffer): void {
    this.total += b.length;
    let part = b;
    if (this.limit !== null) {
      const room = this.limit - this.hashed;
      if (room <= 0) return;
      if (part.length > room) part = part.subarray(0, room);
    }
    this.hashed += part.length;
    this.hash.update(part);
  }
}

const yieldTurn = () => new Promise<void>((r) => setImmediate(r));

/** §3.4.3: as is, but trailing empty lines removed and a final CRLF added when missing; an empty
 *  body is one CRLF. A bare LF is taken as CRLF. */
async function simpleBody(body: Buffer, sink: LimitedHash): Promise<void> {
  let pendingEmpty = 0;
  let wrote = false;
  let sinceYield = 0;
  let pos = 0;
  while (pos < body.length) {
    const nl = body.indexOf(LF, pos);
    const lineEnd = nl < 0 ? body.length : nl + 1;
    const contentEnd = nl < 0 ? body.length : nl > pos && body[nl - 1] === CR ? nl - 1 : nl;
    if (contentEnd === pos) pendingEmpty++;
    else {
      for (; pendingEmpty > 0; pendingEmpty--) sink.write(CRLF_BUF);
      sink.write(body.subarray(pos, contentEnd));
      sink.write(CRLF_BUF);
      wrote = true;
    }
    sinceYield += lineEnd - pos;
    pos = lineEnd;
    if (sinceYield >= BODY_SLICE && pos < body.length) {
      sinceYield = 0;
      await yieldTurn();
    }
  }
  if (!wrote) sink.write(CRLF_BUF);
}

/** §3.4.4: WSP at the end of lines removed, other WSP runs to one SP, trailing empty lines
 *  removed, CRLF added to a last line without one; an empty body stays empty. */
async function relaxedBody(body: Buffer, sink: LimitedHash): Promise<void> {
  // Canonical lines are collected in `out` (never longer than their source plus CRLF) and hashed
  // a slice at a time, so a body of many short lines costs few hash calls.
  const out = Buffer.allocUnsafe(Math.min(body.length, BODY_SLICE) + 2);
  let n = 0;
  let pendingEmpty = 0;
  let pos = 0;
  let sinceYield = 0;
  const flush = () => {
    if (n > 0) sink.write(out.subarray(0, n));
    n = 0;
  };
  while (pos < body.length) {
    const nl = body.indexOf(LF, pos);
    const lineEnd = nl < 0 ? body.length : nl + 1;
    const contentEnd = nl < 0 ? body.length : nl > pos && body[nl - 1] === CR ? nl - 1 : nl;
    let last = contentEnd; // drop WSP at the end of the line
    while (last > pos && (body[last - 1] === SP || body[last - 1] === HT)) last--;
    if (last === pos) pendingEmpty++;
    else {
      // Empty lines canonicalize to more bytes than their source when it had bare LFs, so neither
      // they nor the line after them can be assumed to fit what is left of `out`: each is checked.
      for (; pendingEmpty > 0; pendingEmpty--) {
        if (n + 2 > out.length) flush();
        out[n++] = CR;
        out[n++] = LF;
      }
      if (last - pos + 2 > out.length) {
        flush();
        sink.write(relaxLine(body, pos, last));
      } else {
        if (n + last - pos + 2 > out.length) flush();
        n = relaxInto(body, pos, last, out, n);
      }
    }
    sinceYield += lineEnd - pos;
    pos = lineEnd;
    if (sinceYield >= BODY_SLICE && pos < body.length) {
      sinceYield = 0;
      flush();
      await yieldTurn();
    }
  }
  flush();
}

/** One relaxed line with CRLF, for lines longer than the scratch buffer. */
function relaxLine(body: Buffer, from: number, to: number): Buffer {
  const out = Buffer.allocUnsafe(to - from + 2);
  return out.subarray(0, relaxInto(body, from, to, out, 0));
}

/** Writes body[from, to) relaxed (WSP runs to one SP), then CRLF, into `out` at `n`; returns the
 *  new end. `out` has room for to - from + 2 bytes from `n`. */
function relaxInto(body: Buffer, from: number, to: number, out: Buffer, n: number): number {
  let space = false;
  for (let i = from; i < to; i++) {
    const c = body[i]!;
    if (c === SP || c === HT) space = true;
    else {
      if (space) {
        out[n++] = SP;
        space = false;
      }
      out[n++] = c;
    }
  }
  out[n++] = CR;
  out[n++] = LF;
  return n;
}
