// Sieve lexical structure (RFC 5228 2.2-2.4, 8.1): identifiers, tags, numbers with K/M/G, quoted
// strings with \ escapes, multi-line "text:" strings with dot-stuffing, # and /* */ comments.
// One pass over the script, linear in its length; every error is collected with its line and
// column and the scan goes on (an unterminated string or comment ends the script).

import { MAX_DIAGNOSTICS, type SieveDiagnostic } from "./types.js";

export type TokenKind =
  | "identifier"
  | "tag"
  | "number"
  | "string"
  | "["
  | "]"
  | "("
  | ")"
  | "{"
  | "}"
  | ";"
  | ","
  | "invalid"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** Identifier or tag name (tags without the colon), lower-case; the string's value. */
  text: string;
  /** The number's value (RFC 5228 2.4.1: K = 2^10, M = 2^20, G = 2^30). */
  value: number;
  /** For strings: written as text: (multi-line). */
  multiline: boolean;
  line: number;
  column: number;
}

const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const PUNCT = "[](){};,";

/** A character that starts no token (not space, not a letter, digit, quote, colon, #, / or punctuation). */
function isStray(c: number): boolean {
  if (
    c === 0x20 ||
    c === 0x09 ||
    c === 0x0d ||
    c === 0x0a ||
    c === 0x22 ||
    c === 0x3a ||
    c === 0x23 ||
    c === 0x2f
  )
    return false;
  if (isAlpha(c) || isDigit(c)) return false;
  return !PUNCT.includes(String.fromCharCode(c));
}
/** Longest identifier or tag (Pigeonhole's limit; no command or tag name comes near it). */
export const MAX_IDENTIFIER = 32;
/** Largest number: 2^64 - 1. */
const MAX_NUMBER = 2n ** 64n - 1n;

export function tokenize(src: string, diags: SieveDiagnostic[]): Token[] {
  const out: Token[] = [];
  // A leading byte order mark (Windows editors write one) is not part of the script; columns
  // count from after it.
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = i;
  const n = src.length;
  const err = (at: number, atLine: number, atLineStart: number, message: string) =>
    diags.push({ line: atLine, column: at - atLineStart + 1, message });
  const push = (
    kind: TokenKind,
    start: number,
    text = "",
    value = 0,
    multiline = false,
    l = line,
    ls = lineStart,
  ) => out.push({ kind, text, value, multiline, line: l, column: start - ls + 1 });
  while (i < n && diags.length < MAX_DIAGNOSTICS) {
    const c = src.charCodeAt(i);
    if (c === 0x0a) {
      i++;
      line++;
      lineStart = i;
    } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
      i++;
    } else if (c === 0x23) {
      // hash-comment to the end of the line (RFC 5228 2.3)
      while (i < n && src.charCodeAt(i) !== 0x0a) i++;
    } else if (c === 0x2f && src.charCodeAt(i + 1) === 0x2a) {
      // bracket-comment: /* ... */, not nested
      const startLine = line;
      const startCol = lineStart;
      const start = i;
      i += 2;
      for (;;) {
        if (i >= n) {
          err(start, startLine, startCol, "unterminated comment");
          break;
        }
        const d = src.charCodeAt(i);
        if (d === 0x2a && src.charCodeAt(i + 1) === 0x2f) {
          i += 2;
          break;
        }
        i++;
        if (d === 0x0a) {
          line++;
          lineStart = i;
        }
      }
    } else if (c === 0x22) {
      const start = i;
      const l = line;
      const ls = lineStart;
      let text = "";
      let run = i + 1;
      i++;
      let closed = false;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (d === 0x22) {
          text += src.slice(run, i);
          i++;
          closed = true;
          break;
        }
        if (d === 0x5c && i + 1 < n) {
          // RFC 5228 2.4.2: \\ and \" are escapes; any other \x means x.
          text += src.slice(run, i);
          const e = src.charCodeAt(i + 1);
          if (e === 0x0a) {
            line++;
            lineStart = i + 2;
          }
          run = i + 1;
          i += 2;
          continue;
        }
        if (d === 0x0a) {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (!closed) {
        err(start, l, ls, "unterminated string");
        text += src.slice(run, i);
      }
      push("string", start, normalizeLineEnds(text), 0, false, l, ls);
    } else if (c === 0x3a) {
      const start = i;
      i++;
      const s = i;
      if (i < n && isAlpha(src.charCodeAt(i))) {
        while (i < n && (isAlpha(src.charCodeAt(i)) || isDigit(src.charCodeAt(i)))) i++;
        if (i - s > MAX_IDENTIFIER)
          err(start, line, lineStart, `tag too long (at most ${MAX_IDENTIFIER} characters)`);
        push("tag", start, src.slice(s, i).toLowerCase());
      } else {
        err(start, line, lineStart, 'identifier expected after ":"');
      }
    } else if (isDigit(c)) {
      const start = i;
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      const digits = src.slice(start, i);
      let value = Number(digits);
      const q = src.charCodeAt(i) | 0x20;
      let multiplier = 1;
      if (q === 0x6b || q === 0x6d || q === 0x67) {
        multiplier = q === 0x6b ? 1024 : q === 0x6d ? 1024 * 1024 : 1024 * 1024 * 1024;
        value *= multiplier;
        i++;
      }
      if (i < n && (isAlpha(src.charCodeAt(i)) || isDigit(src.charCodeAt(i)))) {
        err(start, line, lineStart, "invalid number");
        while (i < n && (isAlpha(src.charCodeAt(i)) || isDigit(src.charCodeAt(i)))) i++;
      }
      // RFC 5228 2.4.1: implementations must support numbers up to 2^31 - 1 at least; like
      // Pigeonhole we take 64-bit values and refuse larger ones rather than round them.
      if (
        digits.length + (multiplier > 1 ? 10 : 0) > 15 &&
        BigInt(digits) * BigInt(multiplier) > MAX_NUMBER
      ) {
        err(start, line, lineStart, "number too large (at most 2^64 - 1)");
      }
      push("number", start, "", value);
    } else if (isAlpha(c)) {
      const start = i;
      while (i < n && (isAlpha(src.charCodeAt(i)) || isDigit(src.charCodeAt(i)))) i++;
      const word = src.slice(start, i).toLowerCase();
      if (word === "text" && src.charCodeAt(i) === 0x3a) {
        i = multiLine(src, i + 1, start);
      } else {
        if (word.length > MAX_IDENTIFIER)
          err(start, line, lineStart, `identifier too long (at most ${MAX_IDENTIFIER} characters)`);
        push("identifier", start, word);
      }
    } else if (PUNCT.includes(src[i]!)) {
      push(src[i] as TokenKind, i);
      i++;
    } else {
      // One error for a run of characters that start no token ("$$$"), and an invalid token,
      // so the parser reports where the command broke (as Pigeonhole does: two errors).
      const start = i;
      while (i < n && isStray(src.charCodeAt(i))) i++;
      if (i === start) i++;
      err(
        start,
        line,
        lineStart,
        `unexpected character ${JSON.stringify(src.slice(start, Math.min(i, start + 8)))}`,
      );
      push("invalid", start, src.slice(start, i));
    }
  }
  push("eof", i);
  return out;

  // RFC 5228 2.4.2 multi-line: "text:" *(SP / HTAB) (hash-comment / CRLF), then lines up to a
  // line holding only "."; a line starting with ".." loses one dot.
  function multiLine(s: string, from: number, start: number): number {
    const l = line;
    const ls = lineStart;
    let j = from;
    while (j < n && (s.charCodeAt(j) === 0x20 || s.charCodeAt(j) === 0x09)) j++;
    if (s.charCodeAt(j) === 0x23) {
      while (j < n && s.charCodeAt(j) !== 0x0a) j++;
    } else if (s.charCodeAt(j) === 0x0d) j++;
    if (s.charCodeAt(j) !== 0x0a) {
      err(start, l, ls, 'line break expected after "text:"');
      while (j < n && s.charCodeAt(j) !== 0x0a) j++;
    }
    j++;
    line++;
    lineStart = j;
    const lines: string[] = [];
    let closed = false;
    while (j < n) {
      const nl = s.indexOf("\n", j);
      const end = nl === -1 ? n : nl;
      let text = s.slice(j, end > j && s.charCodeAt(end - 1) === 0x0d ? end - 1 : end);
      j = nl === -1 ? n : nl + 1;
      if (nl !== -1) {
        line++;
        lineStart = j;
      }
      if (text === ".") {
        closed = true;
        break;
      }
      if (text.startsWith("..")) text = text.slice(1);
      lines.push(text);
    }
    if (!closed) err(start, l, ls, 'unterminated multi-line string (a line with only "." ends it)');
    out.push({
      kind: "string",
      text: lines.length === 0 ? "" : `${lines.join("\r\n")}\r\n`,
      value: 0,
      multiline: true,
      line: l,
      column: start - ls + 1,
    });
    return j;
  }
}

/** Quoted strings may span lines (RFC 5228 2.4.2): their line ends are CRLF whatever the script used. */
function normalizeLineEnds(s: string): string {
  if (!s.includes("\n")) return s;
  return s.replace(/\r?\n/g, "\r\n");
}
