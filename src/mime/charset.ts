// Charset decoding through the WHATWG TextDecoder (Node ships full ICU), which covers the
// charsets found in mail: iso-2022-jp, shift_jis, euc-jp, iso-8859-x, windows-125x, koi8-r, gbk, big5...

import { TextDecoder } from "node:util";

/** Marker label: decoded as UTF-8 (a superset) where a charset is declared, as unknown by decodeLoose. */
const US_ASCII = "us-ascii";

export interface Decoder {
  decode(bytes: Uint8Array): string;
}

/** Node 20's TextDecoder decodes windows-1252 (and so latin1/iso-8859-1, which WHATWG maps to it)
 *  as plain ISO-8859-1, leaving 0x80-0x9F as C1 controls; mail in it uses them for €, quotes, dashes. */
const W1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";
const windows1252: Decoder = {
  decode(bytes) {
    const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
    return /[\x80-\x9f]/.test(s) ? s.replace(/[\x80-\x9f]/g, (c) => W1252_HIGH[c.charCodeAt(0) - 0x80]!) : s;
  },
};
const utf8: Decoder = new TextDecoder("utf-8");

/** Labels mail software uses that the WHATWG encoding list does not know, or that it maps badly:
 *  WHATWG turns "us-ascii" into windows-1252, but 8-bit text labelled us-ascii is nearly always UTF-8. */
const ALIASES: Record<string, string> = {
  "us-ascii": US_ASCII,
  ascii: US_ASCII,
  "ansi_x3.4-1968": US_ASCII,
  "iso-646-us": US_ASCII,
  utf8: "utf-8",
  cp932: "shift_jis",
  "x-sjis": "shift_jis",
  sjis: "shift_jis",
  "shift-jis": "shift_jis",
  "x-euc-jp": "euc-jp",
  "iso-2022-jp-1": "iso-2022-jp",
  "iso-2022-jp-2": "iso-2022-jp",
  "iso-2022-jp-3": "iso-2022-jp",
  cp936: "gbk",
  cp949: "euc-kr",
  cp950: "big5",
  "big5-hkscs": "big5",
  latin1: "iso-8859-1",
};

/** Bounded cache: labels come from untrusted mail, so unknown ones are not remembered. */
const MAX_CACHED = 128;
const decoders = new Map<string, Decoder>();

export function normalizeCharset(charset: string): string {
  let c = charset.trim().toLowerCase();
  if (c.length >= 2 && c.startsWith('"') && c.endsWith('"')) c = c.slice(1, -1).trim();
  return ALIASES[c] ?? c;
}

/** A non-fatal decoder for the charset, or null when the charset is unknown. */
export function getDecoder(charset: string): Decoder | null {
  const label = normalizeCharset(charset);
  if (label === US_ASCII) return utf8;
  const hit = decoders.get(label);
  if (hit) return hit;
  let d: Decoder;
  try {
    const td = new TextDecoder(label);
    d = td.encoding === "windows-1252" ? windows1252 : td;
  } catch {
    return null;
  }
  if (decoders.size < MAX_CACHED) decoders.set(label, d);
  return d;
}

/** Decodes bytes in the charset; null when the charset is unknown. Malformed bytes become U+FFFD. */
export function decodeCharset(bytes: Uint8Array, charset: string): string | null {
  const d = getDecoder(charset);
  return d === null ? null : d.decode(bytes);
}

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

/** Best-effort text: the declared charset when it is a real one; for us-ascii, a missing or an
 *  unknown charset, UTF-8 if the bytes are valid UTF-8, else windows-1252 (never fails). */
export function decodeLoose(bytes: Uint8Array, charset: string | null | undefined): string {
  const label = charset ? normalizeCharset(charset) : "";
  if (label !== "" && label !== "utf-8" && label !== US_ASCII) {
    const d = getDecoder(label);
    if (d) return d.decode(bytes);
  }
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    return label === "utf-8" ? utf8.decode(bytes) : windows1252.decode(bytes);
  }
}
