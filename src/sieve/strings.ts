// Strings as compiled: a constant, or (RFC 5229 3, "variables" required) a template of literal
// text and ${name} / ${N} references expanded per run. RFC 5228 2.4.2.4 encoded-character
// (${hex:...}, ${unicode:...}) is decoded at compile time, before variables are seen.

import type { Runtime } from "./runtime.js";

export interface VarRef {
  /** Lower-case variable name (names are case-insensitive, RFC 5229 3), or null for a match variable. */
  name: string | null;
  /** Match variable number (${0}..${9}, RFC 5229 3.2). */
  index: number;
}

export class Template {
  constructor(readonly parts: readonly (string | VarRef)[]) {}
  expand(rt: Runtime): string {
    let out = "";
    for (const p of this.parts) {
      if (typeof p === "string") out += p;
      else if (p.name === null) out += rt.matchVars[p.index] ?? "";
      else out += rt.getVariable(p.name);
    }
    return out;
  }
}

export type Str = string | Template;

export function expand(s: Str, rt: Runtime): string {
  return typeof s === "string" ? s : s.expand(rt);
}

export function expandAll(list: readonly Str[], rt: Runtime): string[] {
  const out = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = expand(list[i]!, rt);
  return out;
}

/** True when every string is a constant (so keys can be prepared once at compile time). */
export function allConstant(list: readonly Str[]): list is string[] {
  for (const s of list) if (typeof s !== "string") return false;
  return true;
}

const isIdStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isIdChar = (c: number) => isIdStart(c) || (c >= 0x30 && c <= 0x39);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** Checks a variable name (RFC 5229 3: identifier *("." identifier), or digits for a match variable). */
export function variableName(s: string): { name: string | null; index: number } | null {
  if (s.length === 0) return null;
  if (isDigit(s.charCodeAt(0))) {
    for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return null;
    return { name: null, index: Number(s) };
  }
  let start = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (start) {
      if (!isIdStart(c)) return null;
      start = false;
    } else if (c === 0x2e) start = true;
    else if (!isIdChar(c)) return null;
  }
  if (start) return null;
  return { name: s.toLowerCase(), index: -1 };
}

/** Splits "${...}" references out of a string; text that is not a valid reference stays literal
 *  (RFC 5229 3: "${foo" or "${1bad}" are not references). Linear: each "${" is looked at once. */
export function compileTemplate(s: string): Str {
  if (!s.includes("${")) return s;
  const parts: (string | VarRef)[] = [];
  let lit = "";
  let i = 0;
  while (i < s.length) {
    const at = s.indexOf("${", i);
    if (at === -1) break;
    lit += s.slice(i, at);
    // The name runs to the first character that cannot be in one: a "}" there ends a reference.
    let j = at + 2;
    while (j < s.length && (isIdChar(s.charCodeAt(j)) || s.charCodeAt(j) === 0x2e)) j++;
    const ref = s.charCodeAt(j) === 0x7d ? variableName(s.slice(at + 2, j)) : null;
    if (ref === null) {
      lit += "${";
      i = at + 2;
      continue;
    }
    if (lit !== "") parts.push(lit);
    lit = "";
    parts.push(ref);
    i = j + 1;
  }
  lit += s.slice(i);
  if (lit !== "") parts.push(lit);
  if (parts.length === 1 && typeof parts[0] === "string") return parts[0];
  return parts.length === 0 ? "" : new Template(parts);
}

/** RFC 5228 2.4.2.4: ${hex:41 42} and ${unicode:1F600} in a string become the octets / characters
 *  they name; a malformed sequence is left as written. Returns null for a unicode value that is
 *  not a Unicode scalar (an error, RFC 5228 2.4.2.4), with the offending text. */
export function decodeEncodedCharacters(s: string): { value: string; error: string | null } {
  if (!s.includes("${")) return { value: s, error: null };
  let out = "";
  let i = 0;
  let error: string | null = null;
  for (;;) {
    const at = s.indexOf("${", i);
    if (at === -1) break;
    out += s.slice(i, at);
    const close = s.indexOf("}", at);
    const colon = s.indexOf(":", at);
    if (close === -1 || colon === -1 || colon > close) {
      out += "${";
      i = at + 2;
      continue;
    }
    const kind = s.slice(at + 2, colon).toLowerCase();
    const body = s.slice(colon + 1, close);
    const decoded = kind === "hex" ? hexSeq(body) : kind === "unicode" ? unicodeSeq(body) : undefined;
    if (decoded === undefined || decoded === null) {
      if (decoded === null && kind === "unicode")
        error = `invalid Unicode character in "\${${kind}:${body}}"`;
      out += "${";
      i = at + 2;
      continue;
    }
    out += decoded;
    i = close + 1;
  }
  return { value: out + s.slice(i), error };
}

const HEX_WORD = /^[0-9a-f]+$/i;

function words(body: string): string[] | null {
  const ws = body.split(/[ \t]+|\r\n/).filter((w) => w !== "");
  // RFC 5228 2.4.2.4: at least one hex-pair / unicode-hex; "${hex:}" is just text.
  if (ws.length === 0) return null;
  for (const w of ws) if (!HEX_WORD.test(w)) return null;
  return ws;
}

function hexSeq(body: string): string | undefined {
  const ws = words(body);
  if (ws === null) return undefined;
  const bytes: number[] = [];
  for (const w of ws) {
    if (w.length > 2) return undefined;
    bytes.push(Number.parseInt(w, 16));
  }
  return Buffer.from(bytes).toString("utf8");
}

function unicodeSeq(body: string): string | null | undefined {
  const ws = words(body);
  if (ws === null) return undefined;
  let out = "";
  for (const w of ws) {
    if (w.length > 6 && /[^0]/.test(w.slice(0, w.length - 6))) return null;
    const cp = Number.parseInt(w, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    out += String.fromCodePoint(cp);
  }
  return out;
}
