// Content-Transfer-Encoding decoding (RFC 2045 6). Never throws: base64 skips characters outside
// its alphabet, quoted-printable keeps a malformed "=" as is. Identity encodings (7bit, 8bit,
// binary) and unknown ones pass through unchanged.

// Byte values are local consts: imported bindings cost a getter call per use under tsx's loader.
const CR = 0x0d;
const HT = 0x09;
const LF = 0x0a;
const SP = 0x20;

export function decodeTransfer(body: Buffer, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case "base64":
      return decodeBase64(body);
    case "quoted-printable":
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

const B64 = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) {
  B64["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;
}
const PAD = 0x3d;

/** RFC 2045 6.8. Characters outside the alphabet are ignored; "=" ends a quantum, so bodies made
 *  of several padded base64 runs concatenated decode run by run. A quantum's end is written in
 *  place (endQuantum), not by a closure over the loop's variables, and the output's size is
 *  integer arithmetic: the closure and a float size were where the spam filter's message view
 *  had this function recompiled (docs/ARCHITECTURE.md, "Spam classifier", Cost). */
export function decodeBase64(body: Uint8Array): Buffer {
  const n = body.length;
  // Whole quanta give 3 bytes per 4 characters, a partial one at most 2 more.
  const out = Buffer.allocUnsafe((n >>> 2) * 3 + 3);
  let o = 0;
  let acc = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = body[i]!;
    const v = B64[c]!;
    if (v >= 0) {
      acc = (acc << 6) | v;
      if (++k === 4) {
        out[o++] = (acc >> 16) & 0xff;
        out[o++] = (acc >> 8) & 0xff;
        out[o++] = acc & 0xff;
        acc = 0;
        k = 0;
      }
    } else if (c === PAD) {
      o = endQuantum(out, o, acc, k);
      acc = 0;
      k = 0;
    }
  }
  return out.subarray(0, endQuantum(out, o, acc, k));
}

/** Writes the bytes of a partial quantum of `k` characters held in `acc` at out[o]; the new o. */
function endQuantum(out: Buffer, o: number, acc: number, k: number): number {
  if (k === 2) {
    out[o] = (acc >> 4) & 0xff;
    return o + 1;
  }
  if (k === 3) {
    out[o] = (acc >> 10) & 0xff;
    out[o + 1] = (acc >> 2) & 0xff;
    return o + 2;
  }
  return o;
}

/** Hex digits' values, -1 for any other byte: one lookup, no branch for the first lower-case
 *  digit to find untaken (a branch first taken after compilation sends the function back to
 *  the interpreter, "insufficient type feedback"). */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX["0123456789ABCDEF".charCodeAt(i)] = i;
  HEX["0123456789abcdef".charCodeAt(i)] = i;
}

function hexVal(c: number): number {
  return HEX[c] ?? -1;
}

/** Index of the line end at or after i if only SP/HT lie between, else -1 (len counts as a line end). */
function lineEndAfterSpace(b: Uint8Array, i: number): number {
  let j = i;
  while (j < b.length && (b[j] === SP || b[j] === HT)) j++;
  if (j >= b.length || b[j] === LF || (b[j] === CR && (j + 1 >= b.length || b[j + 1] === LF))) return j;
  return -1;
}

/** RFC 2045 6.7. Soft line breaks ("=" at the end of a line, bare LF too) are removed, and so is
 *  trailing whitespace on a line, which rule (3) says was added in transport. */
export function decodeQuotedPrintable(b: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  let o = 0;
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c === PAD) {
      // Bounds-checked: a read past the end is undefined, and an "=" at the end of a body had
      // the compiled function thrown away (an out-of-bounds deoptimization) mid-corpus.
      const h1 = i + 1 < b.length ? hexVal(b[i + 1]!) : -1;
      const h2 = i + 2 < b.length ? hexVal(b[i + 2]!) : -1;
      if (h1 >= 0 && h2 >= 0) {
        out[o++] = h1 * 16 + h2;
        i += 3;
        continue;
      }
      const eol = lineEndAfterSpace(b, i + 1);
      if (eol !== -1) {
        // Soft line break: skip the line end itself.
        i = eol >= b.length ? eol : b[eol] === LF ? eol + 1 : Math.min(eol + 2, b.length);
        continue;
      }
      out[o++] = c;
      i++;
    } else if (c === SP || c === HT) {
      const eol = lineEndAfterSpace(b, i);
      if (eol !== -1) {
        i = eol;
        continue;
      }
      while (b[i] === SP || b[i] === HT) out[o++] = b[i++]!;
    } else {
      out[o++] = c;
      i++;
    }
  }
  return out.subarray(0, o);
}
