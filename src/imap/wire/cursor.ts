// A cursor over one command frame (RFC 9051 9, formal syntax): the primitives every command's
// argument grammar is built from. Errors are ParseError, answered with BAD by the dispatcher.
import type { Frame, Segment } from "./reader.js";
import { decodeMailboxName } from "./utf7.js";

export class ParseError extends Error {
  override name = "ParseError";
}

export interface CursorOptions {
  maxDepth: number;
  /** UTF8=ACCEPT / IMAP4rev2 enabled: mailbox names are UTF-8, not modified UTF-7. */
  utf8: boolean;
  /** MULTIAPPEND (RFC 3502): messages one APPEND may carry; 1 when not given. */
  maxAppendMessages?: number;
}

enum Ch {
  SP = 0x20,
  DQUOTE = 0x22,
  LPAREN = 0x28,
  RPAREN = 0x29,
  BACKSLASH = 0x5c,
  LBRACE = 0x7b,
}

// atom-specials (RFC 9051 9): ( ) { SP CTL % * " \ ]
function isAtomChar(c: number): boolean {
  if (c <= 0x20 || c >= 0x7f) return false;
  return !(
    c === 0x28 ||
    c === 0x29 ||
    c === 0x7b ||
    c === 0x25 ||
    c === 0x2a ||
    c === 0x22 ||
    c === 0x5c ||
    c === 0x5d
  );
}

export class Cursor {
  private seg = 0;
  private pos = 0;
  depth = 0;

  constructor(
    private readonly frame: Frame,
    readonly opts: CursorOptions,
  ) {}

  /** A copy that can look ahead without moving this cursor. */
  clone(): Cursor {
    const c = new Cursor(this.frame, this.opts);
    c.seg = this.seg;
    c.pos = this.pos;
    c.depth = this.depth;
    return c;
  }

  private get text(): Buffer | null {
    const s: Segment | undefined = this.frame.segments[this.seg];
    return s && s.kind === "text" ? s.data : null;
  }

  peek(): number {
    const t = this.text;
    if (!t || this.pos >= t.length) return -1;
    return t[this.pos]!;
  }

  atEnd(): boolean {
    return this.seg >= this.frame.segments.length - 1 && this.peek() === -1;
  }

  end(): void {
    if (!this.atEnd()) throw new ParseError("Unexpected extra arguments");
  }

  sp(): void {
    if (this.peek() !== Ch.SP) throw new ParseError("Expected a space");
    this.pos++;
  }

  /** Consumes a space if there is one. */
  maybeSp(): boolean {
    if (this.peek() !== Ch.SP) return false;
    this.pos++;
    return true;
  }

  char(c: string): void {
    if (this.peek() !== c.charCodeAt(0)) throw new ParseError(`Expected "${c}"`);
    this.pos++;
  }

  maybeChar(c: string): boolean {
    if (this.peek() !== c.charCodeAt(0)) return false;
    this.pos++;
    return true;
  }

  /** Bytes matching `pred` (at least one). */
  take(pred: (c: number) => boolean, what: string): string {
    const t = this.text;
    const start = this.pos;
    while (t && this.pos < t.length && pred(t[this.pos]!)) this.pos++;
    if (this.pos === start) throw new ParseError(`Expected ${what}`);
    // toString with a range decodes in place: no Buffer view made per token.
    return t!.toString("latin1", start, this.pos);
  }

  atom(): string {
    return this.take(isAtomChar, "an atom");
  }

  /** A case-insensitive keyword such as a command or fetch item name, upper-cased. */
  keyword(): string {
    return this.take(
      (c) => isAtomChar(c) && c !== 0x5b && c !== 0x3c && c !== 0x2e,
      "a keyword",
    ).toUpperCase();
  }

  /** Letters, digits, "." "-" "_" "=" — for parts of fetch items ("BINARY.PEEK"). */
  word(): string {
    return this.take(
      (c) =>
        (c >= 0x41 && c <= 0x5a) ||
        (c >= 0x61 && c <= 0x7a) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x2e ||
        c === 0x2d ||
        c === 0x3d ||
        c === 0x5f,
      "a word",
    ).toUpperCase();
  }

  number(): number {
    const s = this.take((c) => c >= 0x30 && c <= 0x39, "a number");
    if (s.length > 19) throw new ParseError("Number too large");
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw new ParseError("Number too large");
    return n;
  }

  nzNumber(): number {
    const n = this.number();
    if (n === 0) throw new ParseError("Expected a non-zero number");
    if (n > 0xffffffff) throw new ParseError("Number too large");
    return n;
  }

  /** quoted / literal (RFC 9051 9 `string`), as bytes. */
  stringBytes(): Buffer {
    const c = this.peek();
    if (c === Ch.DQUOTE) return this.quoted();
    if (c === Ch.LBRACE) return this.literal();
    throw new ParseError("Expected a string");
  }

  private quoted(): Buffer {
    const t = this.text!;
    this.pos++;
    const out: number[] = [];
    while (this.pos < t.length) {
      const c = t[this.pos++]!;
      if (c === Ch.DQUOTE) return Buffer.from(out);
      if (c === Ch.BACKSLASH) {
        const n = t[this.pos++];
        if (n !== Ch.DQUOTE && n !== Ch.BACKSLASH) throw new ParseError("Bad escape in quoted string");
        out.push(n);
      } else if (c === 0x0d || c === 0x0a || c === 0) throw new ParseError("Bad character in quoted string");
      else out.push(c);
    }
    throw new ParseError("Unterminated quoted string");
  }

  private literal(): Buffer {
    const t = this.text!;
    const close = t.indexOf(0x7d, this.pos);
    // The reader only ends a text segment after a literal announcement, so `}` must be its last byte.
    if (close !== t.length - 1 || this.seg + 1 >= this.frame.segments.length)
      throw new ParseError("Bad literal");
    const next = this.frame.segments[this.seg + 1]!;
    this.seg += 2;
    this.pos = 0;
    return next.data;
  }

  /** True when the next token is a literal (APPEND's message). */
  atLiteral(): boolean {
    return this.peek() === Ch.LBRACE || (this.peek() === 0x7e && this.text?.[this.pos + 1] === Ch.LBRACE);
  }

  /** Literal or literal8 (`~{n}`, RFC 3516) — APPEND accepts both. */
  literalBytes(): Buffer {
    this.maybeChar("~");
    if (this.peek() !== Ch.LBRACE) throw new ParseError("Expected a literal");
    return this.literal();
  }

  string(): string {
    return this.stringBytes().toString("utf8");
  }

  /** astring (RFC 9051 9): atom (with "]" allowed) or string. */
  astring(): string {
    const c = this.peek();
    if (c === Ch.DQUOTE || c === Ch.LBRACE) return this.string();
    return this.take((x) => isAtomChar(x) || x === 0x5d, "an astring");
  }

  nstring(): string | null {
    if (this.peek() === 0x4e || this.peek() === 0x6e) {
      const save = this.pos;
      const w = this.take(isAtomChar, "NIL").toUpperCase();
      if (w === "NIL") return null;
      this.pos = save;
    }
    return this.string();
  }

  /** A mailbox name, decoded from modified UTF-7 unless UTF-8 is enabled; INBOX normalized. */
  mailbox(): string {
    const raw = this.astring();
    return normalizeMailbox(raw, this.opts.utf8);
  }

  /** list-mailbox (RFC 9051 9): like astring but "%" and "*" allowed unquoted. */
  listMailbox(): string {
    const c = this.peek();
    let raw: string;
    if (c === Ch.DQUOTE || c === Ch.LBRACE) raw = this.string();
    else raw = this.take((x) => isAtomChar(x) || x === 0x5d || x === 0x25 || x === 0x2a, "a mailbox pattern");
    if (this.opts.utf8) return raw;
    // A pattern that is not valid modified UTF-7 is still a pattern (Dovecot answers OK): taken
    // as it is, it can only match names with the same characters.
    return decodeMailboxName(raw) ?? raw;
  }

  /** "(" items ")" with nesting bounded by maxDepth. */
  list<T>(item: (c: Cursor) => T, opts: { allowEmpty?: boolean } = {}): T[] {
    this.char("(");
    this.enter();
    const out: T[] = [];
    if (this.maybeChar(")")) {
      this.depth--;
      if (opts.allowEmpty === false) throw new ParseError("Empty list");
      return out;
    }
    for (;;) {
      out.push(item(this));
      if (this.maybeChar(")")) break;
      this.sp();
    }
    this.depth--;
    return out;
  }

  /** ID parameters (RFC 2971): NIL or ("key" "value" ...). */
  nstringListOrNil(): [string, string | null][] | null {
    if (this.peek() !== 0x28) {
      if (this.atom().toUpperCase() !== "NIL") throw new ParseError("Expected NIL or a list");
      return null;
    }
    const flat = this.list((c) => c.nstring());
    if (flat.length % 2 !== 0 || flat.length > 60) throw new ParseError("Bad ID parameter list");
    const out: [string, string | null][] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const k = flat[i];
      if (k === null || k === undefined) throw new ParseError("ID field name cannot be NIL");
      out.push([k, flat[i + 1] ?? null]);
    }
    return out;
  }

  enter(): void {
    if (++this.depth > this.opts.maxDepth) throw new ParseError("Too deeply nested");
  }

  /** flag (RFC 9051 9): "\" atom or keyword atom. */
  flag(): string {
    if (this.maybeChar("\\")) {
      if (this.maybeChar("*")) return "\\*";
      return "\\" + this.atom();
    }
    return this.atom();
  }

  flagList(): string[] {
    return this.list((c) => c.flag());
  }

  /** date-time (RFC 9051 9): "dd-Mon-yyyy hh:mm:ss +zzzz". */
  dateTime(): Date {
    const s = this.string();
    const d = parseDateTime(s);
    if (!d) throw new ParseError("Bad date-time");
    return d;
  }

  /** date (RFC 9051 9): d-Mon-yyyy, quoted or not; returns the UTC midnight of that day. */
  date(): Date {
    const s = this.peek() === Ch.DQUOTE ? this.string() : this.take(isAtomChar, "a date");
    const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(s);
    const mon = m ? MONTHS.indexOf(m[2]!.toLowerCase()) : -1;
    if (!m || mon < 0) throw new ParseError("Bad date");
    return new Date(Date.UTC(Number(m[3]), mon, Number(m[1])));
  }
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

export function parseDateTime(s: string): Date | null {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const mon = MONTHS.indexOf(m[2]!.toLowerCase());
  if (mon < 0) return null;
  const offset = (m[7] === "-" ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const t =
    Date.UTC(Number(m[3]), mon, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offset * 60000;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Marks a name that is not valid modified UTF-7 (RFC 3501 5.1.3). It is a name still, not a syntax
 * error (the command is well formed): with this mark, which the store refuses in any name, it
 * names no mailbox, so lookups answer NO [NONEXISTENT] and CREATE/RENAME NO [CANNOT], as Dovecot's.
 */
export const INVALID_NAME_MARK = "\0";

/** Mailbox names as stored: UTF-8, "INBOX" in upper case whatever case the client used (RFC 9051 5.1). */
export function normalizeMailbox(raw: string, utf8: boolean): string {
  const name = utf8 ? raw : decodeMailboxName(raw);
  if (name === null) return INVALID_NAME_MARK + raw;
  if (name.toUpperCase() === "INBOX") return "INBOX";
  if (name.slice(0, 6).toUpperCase() === "INBOX/") return "INBOX" + name.slice(5);
  return name;
}
