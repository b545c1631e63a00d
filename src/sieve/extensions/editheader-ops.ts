// RFC 5293 addheader / deleteheader over a message's raw bytes: the header split into fields
// (each kept byte for byte, so untouched fields are filed exactly as they came), edited, and
// joined back. Values a script adds are RFC 2047-encoded when not ASCII and folded (RFC 5322
// 2.2.3); deleting Received and Auto-Submitted is ignored (RFC 5293 6: trace and loop-prevention
// fields must survive a script).
import { decodeHeaderValue } from "../../mime/encoded-word.js";

/** RFC 5293 7 lets an implementation cap a value's size; Pigeonhole's default, 2 KB. */
export const MAX_ADDHEADER_VALUE_BYTES = 2048;

const PROTECTED_FROM_DELETE = new Set(["received", "auto-submitted"]);

export interface EditField {
  lname: string;
  /** The whole field as it stands in the message, CRLF included. */
  raw: string;
}

/** The message as a list of header fields and the rest (the empty line and the body). */
export class EditableMessage {
  private constructor(
    readonly fields: EditField[],
    private readonly rest: Buffer,
  ) {}

  static from(raw: Buffer): EditableMessage {
    const fields: EditField[] = [];
    let i = 0;
    const n = raw.length;
    // Fields end at a line break not followed by white space; the header at an empty line.
    while (i < n) {
      if (raw[i] === 0x0d && raw[i + 1] === 0x0a) break;
      if (raw[i] === 0x0a) break;
      let j = i;
      for (;;) {
        const lf = raw.indexOf(0x0a, j);
        if (lf === -1) {
          j = n;
          break;
        }
        j = lf + 1;
        if (j >= n || (raw[j] !== 0x20 && raw[j] !== 0x09)) break;
      }
      const text = raw.subarray(i, j).toString("latin1");
      const colon = text.indexOf(":");
      // A line without a colon ends the header (RFC 5322 3.5); it is then part of the rest.
      if (colon <= 0) break;
      fields.push({ lname: text.slice(0, colon).trimEnd().toLowerCase(), raw: text });
      i = j;
    }
    return new EditableMessage(fields, raw.subarray(i));
  }

  toBuffer(): Buffer {
    const head = Buffer.from(
      this.fields.map((f) => (f.raw.endsWith("\n") ? f.raw : `${f.raw}\r\n`)).join(""),
      "latin1",
    );
    return Buffer.concat([head, this.rest.length === 0 ? Buffer.from("\r\n") : this.rest]);
  }

  /** RFC 5293 4: addheader; first in the header unless :last. */
  add(name: string, value: string, last: boolean): void {
    const raw = `${name}: ${encodeFieldValue(value, name.length + 2)}\r\n`;
    const f = { lname: name.toLowerCase(), raw: Buffer.from(raw, "utf8").toString("latin1") };
    if (last) this.fields.push(f);
    else this.fields.unshift(f);
  }

  /** RFC 5293 5: deleteheader. `index` (1-based, from the end with `last`) picks one occurrence
   *  of the name; `matches` (given the decoded, unfolded value) narrows to the values the
   *  script's patterns match. Returns how many were deleted. */
  delete(
    name: string,
    opts: { index?: number | null; last?: boolean; matches?: (value: string) => boolean },
  ): number {
    const lname = name.toLowerCase();
    if (PROTECTED_FROM_DELETE.has(lname)) return 0;
    const positions: number[] = [];
    this.fields.forEach((f, i) => {
      if (f.lname === lname) positions.push(i);
    });
    let chosen = positions;
    if (opts.index != null) {
      const k = opts.last ? positions.length - opts.index : opts.index - 1;
      const p = positions[k];
      chosen = p === undefined ? [] : [p];
    }
    const drop = new Set(chosen.filter((i) => !opts.matches || opts.matches(fieldText(this.fields[i]!))));
    if (drop.size === 0) return 0;
    const kept = this.fields.filter((_, i) => !drop.has(i));
    this.fields.length = 0;
    this.fields.push(...kept);
    return drop.size;
  }
}

/** A field's value as tests see it: unfolded, RFC 2047 decoded, outer white space trimmed. */
export function fieldText(f: EditField): string {
  const raw = Buffer.from(f.raw, "latin1").toString("utf8");
  const value = raw.slice(raw.indexOf(":") + 1).replace(/\r?\n(?=[ \t])/g, "");
  return decodeHeaderValue(value.replace(/\r?\n$/, "")).trim();
}

/** Why a field name cannot be added or deleted, or null (RFC 5322 3.6.8 field-name). */
export function fieldNameProblem(name: string): string | null {
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) return `header field name "${name.slice(0, 80)}" is invalid`;
  return null;
}

/** Why a value cannot be added, or null: too long, or a NUL (RFC 5322 2.2: a field body is
 *  any characters but CR and LF, which here become folds, see encodeFieldValue). */
export function fieldValueProblem(value: string, maxBytes = MAX_ADDHEADER_VALUE_BYTES): string | null {
  if (Buffer.byteLength(value, "utf8") > maxBytes) return `header field value longer than ${maxBytes} bytes`;
  const nul = value.indexOf("\0");
  if (nul !== -1) return `header field value "${value.slice(0, Math.min(nul, 40))}..." is invalid (NUL)`;
  return null;
}

const ENCODED_WORD_CHARS = 42; // 42 bytes -> 56 base64 characters: a line stays within 78

/** The value as written: folds kept as CRLF WSP; non-ASCII as RFC 2047 B encoded words (on
 *  UTF-8 character boundaries), one per folded line; long ASCII folded at white space near 78. */
export function encodeFieldValue(value: string, used: number): string {
  // Line breaks in the script's text (a multi-line string) become folds: kept before white
  // space, given a space otherwise, so no line of the value can start a field of its own.
  let end = value.length;
  while (end > 0 && (value[end - 1] === "\n" || value[end - 1] === "\r")) end--;
  const v = value
    .slice(0, end)
    .replace(/\r?\n|\r/g, "\r\n")
    .replace(/\r\n(?![ \t])/g, "\r\n ");
  if (/[^\x00-\x7f]/.test(v)) {
    const words: string[] = [];
    let chunk = "";
    for (const ch of v.replace(/\r\n/g, "")) {
      if (Buffer.byteLength(chunk + ch, "utf8") > ENCODED_WORD_CHARS) {
        words.push(chunk);
        chunk = "";
      }
      chunk += ch;
    }
    if (chunk !== "") words.push(chunk);
    return words.map((w) => `=?UTF-8?B?${Buffer.from(w, "utf8").toString("base64")}?=`).join("\r\n ");
  }
  if (v.includes("\r\n")) return v;
  let out = "";
  let col = used;
  for (const word of v.split(" ")) {
    if (out !== "" && col + 1 + word.length > 78) {
      out += `\r\n ${word}`;
      col = 1 + word.length;
    } else {
      out += out === "" ? word : ` ${word}`;
      col += (out === word ? 0 : 1) + word.length;
    }
  }
  return out;
}
