// Byte-level helpers for the MIME parser. The parser works on Buffers and only turns
// short slices (header fields) into strings, so a large body is never copied into a string.

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

/** Header bytes as a string. RFC 6532 allows UTF-8 in header fields, so valid UTF-8 is decoded
 *  as such; anything else (legacy 8-bit junk) falls back to latin1, one char per byte, so no byte
 *  is lost and the string can be turned back into the same bytes with Buffer.from(s, "latin1"). */
export function headerText(buf: Buffer, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) {
      try {
        return utf8Fatal.decode(buf.subarray(start, end));
      } catch {
        return buf.toString("latin1", start, end);
      }
    }
  }
  return buf.toString("latin1", start, end);
}

/** Strips SP, HT, CR and LF at both ends (String#trim would also eat NBSP, a real byte in latin1 text). */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWspCode(s.charCodeAt(a))) a++;
  while (b > a && isWspCode(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isWspCode(c: number): boolean {
  return c === SP || c === HT || c === CR || c === LF;
}
