// Content-Type and Content-Disposition parsing (RFC 2045 5.1, RFC 2183) with RFC 2231 parameter
// continuations and charsets. Lenient where real mail is sloppy: unquoted values with spaces or
// tspecials ("boundary=----=_Part_1") are taken up to the next ';', comments are skipped, a
// parameter without '=' is ignored, and the first occurrence of a parameter wins.

import { decodeLoose } from "./charset.js";

export interface ContentType {
  type: string; // lower-case
  subtype: string; // lower-case
  params: Record<string, string>;
}

export interface Disposition {
  type: string; // lower-case
  params: Record<string, string>;
}

/** Parses a Content-Type value; null when the type/subtype is syntactically invalid (RFC 2045 5.2
 *  then says to treat the part as text/plain; the caller applies that default). */
export function parseContentType(value: string): ContentType | null {
  let i = skipCfws(value, 0);
  const t = readToken(value, i);
  i = skipCfws(value, t.end);
  if (t.text === "" || value[i] !== "/") return null;
  i = skipCfws(value, i + 1);
  const st = readToken(value, i);
  if (st.text === "") return null;
  return {
    type: t.text.toLowerCase(),
    subtype: st.text.toLowerCase(),
    params: parseParams(value, st.end),
  };
}

/** Parses a Content-Disposition value; null when it has no disposition type. */
export function parseDisposition(value: string): Disposition | null {
  const i = skipCfws(value, 0);
  const t = readToken(value, i);
  if (t.text === "") return null;
  return { type: t.text.toLowerCase(), params: parseParams(value, t.end) };
}

interface Section {
  value: string;
  encoded: boolean;
}

/** Parses `; name=value` pairs starting at `from`. Keys are lower-case; RFC 2231 values are decoded. */
export function parseParams(s: string, from: number): Record<string, string> {
  const plain = new Map<string, string>();
  const extended = new Map<string, Map<number, Section>>();
  let i = from;
  for (;;) {
    i = s.indexOf(";", i);
    if (i === -1) break;
    i = skipCfws(s, i + 1);
    const nameTok = readToken(s, i);
    i = skipCfws(s, nameTok.end);
    if (nameTok.text === "" || s[i] !== "=") continue;
    const v = readValue(s, skipCfws(s, i + 1));
    i = v.end;
    addParam(nameTok.text.toLowerCase(), v, plain, extended);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of plain) out[k] = v;
  // RFC 2231: the extended form wins over a plain parameter of the same name.
  for (const [k, sections] of extended) out[k] = joinSections(sections);
  return out;
}

function addParam(
  name: string,
  v: { text: string },
  plain: Map<string, string>,
  extended: Map<string, Map<number, Section>>,
): void {
  // RFC 2231 3 and 4: name*=charset'lang'%XX, name*0=..., name*1*=...
  const m = /^([^*]+)\*(?:(\d{1,4})\*?)?$/.exec(name);
  if (m === null) {
    if (!plain.has(name)) plain.set(name, v.text);
    return;
  }
  const base = m[1]!;
  const index = m[2] === undefined ? 0 : Number(m[2]);
  const encoded = m[2] === undefined || name.endsWith("*");
  let sections = extended.get(base);
  if (sections === undefined) {
    sections = new Map();
    extended.set(base, sections);
  }
  // Some mailers quote extended values; they are decoded all the same.
  if (!sections.has(index)) sections.set(index, { value: v.text, encoded });
}

function joinSections(sections: Map<number, Section>): string {
  const ordered = [...sections.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  let charset = "";
  let out = "";
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) out += decodeLoose(Uint8Array.from(bytes), charset);
    bytes = [];
  };
  ordered.forEach((sec, n) => {
    if (!sec.encoded) {
      flush();
      out += sec.value;
      return;
    }
    let text = sec.value;
    if (n === 0) {
      // charset'language'value; the language is not kept.
      const q1 = text.indexOf("'");
      const q2 = q1 === -1 ? -1 : text.indexOf("'", q1 + 1);
      if (q2 !== -1) {
        charset = text.slice(0, q1);
        text = text.slice(q2 + 1);
      }
    }
    percentDecode(text, bytes);
  });
  flush();
  return out;
}

function percentDecode(s: string, out: number[]): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      out.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      for (const b of Buffer.from(s[i]!, "utf8")) out.push(b);
    }
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** RFC 2045 token: any CHAR except SPACE, CTLs and tspecials. */
const TSPECIALS = '()<>@,;:\\"/[]?=';

function isTokenChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c > 0x20 && c !== 0x7f && !TSPECIALS.includes(ch);
}

function readToken(s: string, i: number): { text: string; end: number } {
  let j = i;
  while (j < s.length && isTokenChar(s[j]!)) j++;
  return { text: s.slice(i, j), end: j };
}

function readValue(s: string, i: number): { text: string; end: number } {
  if (s[i] === '"') {
    const q = readQuoted(s, i);
    return { text: q.text, end: q.end };
  }
  // Lenient token: up to whitespace, ';' or a comment.
  let j = i;
  while (j < s.length && s[j] !== ";" && s[j] !== "(" && s[j] !== " " && s[j] !== "\t") j++;
  const after = skipCfws(s, j);
  if (after >= s.length || s[after] === ";") return { text: s.slice(i, j), end: after };
  // More text before the next ';' (e.g. `name=my file.pdf`): take it all, trimmed.
  let k = s.indexOf(";", after);
  if (k === -1) k = s.length;
  return { text: s.slice(i, k).trim(), end: k };
}

/** A quoted-string starting at s[i] === '"'; backslash escapes removed; unterminated runs to the end.
 *  Sliced between escapes rather than built a character at a time (linear on megabytes of one
 *  unclosed quote, issue 18). */
export function readQuoted(s: string, i: number): { text: string; end: number } {
  const pieces: string[] = [];
  let from = i + 1;
  let j = i + 1;
  while (j < s.length) {
    const ch = s[j]!;
    if (ch === '"') {
      pieces.push(s.slice(from, j));
      return { text: pieces.join(""), end: j + 1 };
    }
    if (ch === "\\" && j + 1 < s.length) {
      pieces.push(s.slice(from, j));
      from = j + 1;
      j += 2;
      continue;
    }
    j++;
  }
  pieces.push(s.slice(from, j));
  return { text: pieces.join(""), end: j };
}

/** Skips whitespace and (nested) comments (RFC 5322 3.2.2 CFWS). */
export function skipCfws(s: string, i: number): number {
  let j = i;
  while (j < s.length) {
    const ch = s[j];
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n") {
      j++;
    } else if (ch === "(") {
      j = skipComment(s, j);
    } else {
      break;
    }
  }
  return j;
}

/** Skips a comment starting at s[i] === '('; returns the index after it (or the end if unbalanced). */
export function skipComment(s: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < s.length) {
    const ch = s[j];
    if (ch === "\\") {
      j += 2;
      continue;
    }
    if (ch === "(") depth++;
    else if (ch === ")") {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return s.length;
}
