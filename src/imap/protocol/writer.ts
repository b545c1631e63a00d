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

export function encodeItems(items: Item[], opts: EncodeOptions): Buffer {
  const out: Buffer[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push(Buffer.from(text, "utf8"));
    text = "";
  };
  const put = (item: Item) => {
    if (item === null) text += "NIL";
    else if (typeof item === "number") text += String(item);
    else if (typeof item === "string") text += item;
    else if (Array.isArray(item)) {
      text += "(";
      item.forEach((x, i) => {
        if (i > 0) text += " ";
        put(x);
      });
      text += ")";
    } else if (item instanceof Joined) {
      for (const x of item.items) put(x);
    } else if (item instanceof Lit) {
      if (item.binary && item.value.includes(0)) text += "~";
      text += `{${item.value.length}}\r\n`;
      flush();
      out.push(item.value);
    } else {
      const v =
        item instanceof MailboxName ? (opts.utf8 ? item.name : encodeMailboxName(item.name)) : item.value;
      const quoted = quoteIfPossible(v, opts.utf8);
      if (quoted !== null) text += quoted;
      else {
        const buf = typeof v === "string" ? Buffer.from(v, "utf8") : v;
        text += `{${buf.length}}\r\n`;
        flush();
        out.push(buf);
      }
    }
  };
  items.forEach((x, i) => {
    if (i > 0) text += " ";
    put(x);
  });
  flush();
  return out.length === 1 ? out[0]! : Buffer.concat(out);
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
