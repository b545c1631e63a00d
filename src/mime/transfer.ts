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
 *  of several padded base64 runs concatenated decode run by run. */
export function decodeBase64(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(Math.floor((body.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let n = 0;
  const flush = () => {
    if (n === 2) out[o++] = (acc >> 4) & 0xff;
    else if (n === 3) {
      out[o++] = (acc >> 10) & 0xff;
      out[o++] = (acc >> 2) & 0xff;
    }
    acc = 0;
    n = 0;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const v = B64[c]!;
    if (v >= 0) {
      acc = (acc << 6) | v;
      if (++n === 4) {
        out[o++] = (acc >> 16) & 0xff;
        out[o++] = (acc >> 8) & 0xff;
        out[o++] = acc & 0xff;
        acc = 0;
        n = 0;
      }
    } else if (c === PAD) {
      flush();
    }
  }
  flush();
  return out.subarray(0, o);
}

function hexVal(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
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
      const h1 = hexVal(b[i + 1]);
      const h2 = hexVal(b[i + 2]);
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
