// RFC 2047 encoded words in header text: =?charset?B|Q?text?= (RFC 2231 5 allows charset*lang).
// Whitespace between two adjacent encoded words is dropped (RFC 2047 6.2), and adjacent words in
// the same charset are decoded together, so a multi-byte character (or an ISO-2022-JP escape
// sequence) split across words still comes out whole. A word with an unknown charset or broken
// encoding is left as written. Lenient like common clients: words need not be space-separated.

import { type Decoder, getDecoder } from "./charset.js";

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;
const WSP_ONLY = /^[ \t\r\n]*$/;

interface Decoded {
  decoder: Decoder;
  label: string;
  bytes: Buffer[];
}

export function decodeHeaderValue(raw: string): string {
  if (!raw.includes("=?")) return raw;
  let out = "";
  let last = 0;
  let pending: Decoded | null = null;
  const flush = () => {
    if (pending !== null) out += pending.decoder.decode(Buffer.concat(pending.bytes));
    pending = null;
  };
  for (const m of raw.matchAll(ENCODED_WORD)) {
    const index = m.index ?? 0;
    const between = raw.slice(last, index);
    const word = decodeWord(m[1]!, m[2]!, m[3]!);
    last = index + m[0].length;
    if (word === null) {
      flush();
      out += between + m[0];
      continue;
    }
    const p = pending as Decoded | null;
    if (p !== null && WSP_ONLY.test(between)) {
      if (p.label === word.label) {
        p.bytes.push(word.bytes);
        continue;
      }
      flush();
    } else {
      flush();
      out += between;
    }
    pending = { decoder: word.decoder, label: word.label, bytes: [word.bytes] };
  }
  flush();
  return out + raw.slice(last);
}

function decodeWord(
  charsetSpec: string,
  enc: string,
  text: string,
): { decoder: Decoder; label: string; bytes: Buffer } | null {
  const star = charsetSpec.indexOf("*");
  const label = (star === -1 ? charsetSpec : charsetSpec.slice(0, star)).toLowerCase();
  const decoder = getDecoder(label);
  if (decoder === null) return null;
  const bytes = enc === "b" || enc === "B" ? decodeB(text) : decodeQ(text);
  return bytes === null ? null : { decoder, label, bytes };
}

function decodeB(text: string): Buffer | null {
  if (!BASE64_TEXT.test(text) || text.length % 4 === 1) return null;
  return Buffer.from(text, "base64");
}

/** RFC 2047 4.2: "_" is a space, "=XX" a byte; anything else must be printable ASCII. */
function decodeQ(text: string): Buffer | null {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) out.push(0x20);
    else if (c === 0x3d) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c > 0x20 && c < 0x7f) out.push(c);
    else return null;
  }
  return Buffer.from(out);
}
