// Response encoding (RFC 9051 4, 7): turns typed items into bytes. Strings become quoted strings
// when that is safe and short, literals otherwise; 8-bit text is only quoted once the client has
// enabled UTF-8 (RFC 9051 / RFC 6855), and mailbox names are modified UTF-7 until then.
import { encodeMailboxName } from "./utf7.js";

/** A string value: quoted or literal, whichever is valid. */
export class Str {
  constructor(readonly value: string | Buffer) {}
}

/** Always a literal (message bodies and sections). `binary`: written as literal8 (`~{n}`, RFC 3516
 *  4.2) when the data holds a NUL, which a plain literal may not. */
export class Lit {
  constructor(
    readonly value: Buffer,
    readonly binary = false,
  ) {}
}

/** A mailbox name, encoded per the session's UTF-8 mode. */
export class MailboxName {
  constructor(readonly name: string) {}
}

/** Items written back to back, with no space (a multipart's children, RFC 9051 9 body-type-mpart). */
export class Joined {
  constructor(readonly items: Item[]) {}
}

/** string / number / null (NIL) / nested list. Plain strings are written as they are (atoms). */
export type Item = string | number | null | Str | Lit | MailboxName | Joined | Item[];

export const q = (v: string | Buffer | null): Str | null => (v === null ? null : new Str(v));

export interface EncodeOptions {
  utf8: boolean;
}

const MAX_QUOTED = 1024;

/** Encoding in progress: finished pieces, and the text not yet turned into bytes. */
interface Encoder {
  out: Buffer[];
  text: string;
  utf8: boolean;
}

/** Items separated by spaces, as bytes; `prefix` and `suffix` (text) around them, so a whole
 *  response line ("* ", items, CRLF) is made at once. Module-level functions rather than closures
 *  made per call: this runs once per FETCH response line. */
export function encodeItems(items: Item[], opts: EncodeOptions, prefix = "", suffix = ""): Buffer {
  const e: Encoder = { out: [], text: prefix, utf8: opts.utf8 };
  for (let i = 0; i < items.length; i++) {
    if (i > 0) e.text += " ";
    put(e, items[i]!);
  }
  e.text += suffix;
  if (e.out.length === 0) return Buffer.from(e.text, "utf8");
  flush(e);
  return e.out.length === 1 ? e.out[0]! : Buffer.concat(e.out);
}

function flush(e: Encoder): void {
  if (e.text) e.out.push(Buffer.from(e.text, "utf8"));
  e.text = "";
}

function put(e: Encoder, item: Item): void {
  if (item === null) e.text += "NIL";
  else if (typeof item === "number") e.text += String(item);
  else if (typeof item === "string") e.text += item;
  else if (Array.isArray(item)) {
    e.text += "(";
    for (let i = 0; i < item.length; i++) {
      if (i > 0) e.text += " ";
      put(e, item[i]!);
    }
    e.text += ")";
  } else if (item instanceof Joined) {
    for (const x of item.items) put(e, x);
  } else if (item instanceof Lit) {
    if (item.binary && item.value.includes(0)) e.text += "~";
    e.text += `{${item.value.length}}\r\n`;
    flush(e);
    e.out.push(item.value);
  } else {
    const v = item instanceof MailboxName ? (e.utf8 ? item.name : encodeMailboxName(item.name)) : item.value;
    const quoted = quoteIfPossible(v, e.utf8);
    if (quoted !== null) e.text += quoted;
    else {
      const buf = typeof v === "string" ? Buffer.from(v, "utf8") : v;
      e.text += `{${buf.length}}\r\n`;
      flush(e);
      e.out.push(buf);
    }
  }
}

/** The quoted form, or null when a literal is needed (CR, LF, NUL, 8-bit without UTF-8, long). */
export function quoteIfPossible(v: string | Buffer, utf8: boolean): string | null {
  const s = typeof v === "string" ? v : v.toString("latin1");
  if (s.length > MAX_QUOTED) return null;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x0d || c === 0x0a) return null;
    if (c >= 0x80) {
      if (!utf8 || typeof v !== "string") return null;
    }
    if (c === 0x22 || c === 0x5c) out += "\\";
    out += s[i];
  }
  return out + '"';
}

/** A tagged or untagged status response text (RFC 9051 7.1): `OK [CODE] text`. */
export function statusLine(
  status: "OK" | "NO" | "BAD" | "BYE" | "PREAUTH",
  code: string | null,
  text: string,
): string {
  return `${status} ${code ? `[${code}] ` : ""}${text}`;
}
