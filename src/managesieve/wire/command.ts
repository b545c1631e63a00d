// ManageSieve command syntax (RFC 5804 §4): a command name (an atom), then arguments separated by
// spaces, each an atom (numbers: HAVESPACE's size) or a string: quoted ("..." with \" and \\) or
// a literal ({n+} or {n}, CRLF, then n octets). A literal's octets are read by the session
// (session.ts readCommand); this scans one line between literals. Pure functions, no I/O; one
// pass over the line, no backtracking, so time is linear in the line (hostile input before login).

export type Arg = { kind: "atom"; value: string } | { kind: "string"; value: Buffer };

export interface Command {
  /** Upper-cased command name. */
  name: string;
  args: Arg[];
}

/** A literal announced at the end of a line: its size and whether it was the client-to-server
 *  form {n+} (RFC 5804 literal-c2s); {n} is accepted the same way, with no continuation, as
 *  ManageSieve has none for literals. */
export interface LiteralMark {
  size: number;
}

export type LineScan = { ok: true; args: Arg[]; literal: LiteralMark | null } | { ok: false; error: string };

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const PLUS = 0x2b;

/** RFC 5804 §4 ATOM-CHAR: any CHAR except atom-specials ("(" / ")" / "{" / SP / CTL / "%" / "*" /
 *  DQUOTE / "\"); 8-bit octets are not CHARs. */
function atomChar(c: number): boolean {
  return (
    c > 0x20 &&
    c < 0x7f &&
    c !== 0x28 &&
    c !== 0x29 &&
    c !== LBRACE &&
    c !== 0x25 &&
    c !== 0x2a &&
    c !== DQUOTE &&
    c !== BACKSLASH
  );
}

/** Longest literal size we parse as a number (10 digits: 9,999,999,999; caps apply later). */
const MAX_SIZE_DIGITS = 10;

/** Scans the arguments on one line (after the last literal, or the whole command line). */
export function scanLine(line: Buffer): LineScan {
  const args: Arg[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i]!;
    if (c === SP) {
      i++;
      continue;
    }
    if (c === DQUOTE) {
      // quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR = SAFE-UTF8-CHAR / "\" QUOTED-SPECIALS
      const out: number[] = [];
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const q = line[j]!;
        if (q === DQUOTE) {
          closed = true;
          break;
        }
        if (q === BACKSLASH) {
          const e = line[j + 1];
          if (e !== DQUOTE && e !== BACKSLASH)
            return { ok: false, error: 'bad escape in quoted string (only \\" and \\\\)' };
          out.push(e);
          j += 2;
          continue;
        }
        if (q === 0x00 || q === 0x0d || q === 0x0a)
          return { ok: false, error: "NUL, CR or LF in quoted string" };
        out.push(q);
        j++;
      }
      if (!closed) return { ok: false, error: "unterminated quoted string" };
      args.push({ kind: "string", value: Buffer.from(out) });
      i = j + 1;
      if (i < n && line[i] !== SP) return { ok: false, error: "missing space after quoted string" };
      continue;
    }
    if (c === LBRACE) {
      // literal: "{" number ["+"] "}" and then CRLF: the line must end here.
      let j = i + 1;
      let size = 0;
      let digits = 0;
      while (j < n && line[j]! >= 0x30 && line[j]! <= 0x39) {
        size = size * 10 + (line[j]! - 0x30);
        digits++;
        j++;
        if (digits > MAX_SIZE_DIGITS) return { ok: false, error: "literal size too large" };
      }
      if (digits === 0) return { ok: false, error: "bad literal size" };
      if (line[j] === PLUS) j++;
      if (line[j] !== RBRACE || j + 1 !== n)
        return { ok: false, error: "bad literal: {n+} must end the line" };
      return { ok: true, args, literal: { size } };
    }
    if (!atomChar(c)) return { ok: false, error: "unexpected character" };
    let j = i;
    while (j < n && atomChar(line[j]!)) j++;
    if (j < n && line[j] !== SP) return { ok: false, error: "unexpected character" };
    args.push({ kind: "atom", value: line.toString("latin1", i, j) });
    i = j;
  }
  return { ok: true, args, literal: null };
}

/** The name and arguments of a whole command, once every line and literal is in. */
export function toCommand(args: Arg[]): Command | null {
  const first = args[0];
  if (first?.kind !== "atom") return null;
  return { name: first.value.toUpperCase(), args: args.slice(1) };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A string argument as UTF-8 text (RFC 5804 §4: strings are UTF-8), or null when it is not one. */
export function textOf(arg: Arg | undefined): string | null {
  if (arg?.kind !== "string") return null;
  try {
    return utf8.decode(arg.value);
  } catch {
    return null;
  }
}

/** A number argument (RFC 5804 §4: number = 1*DIGIT, 0..4294967295), or null. */
export function numberOf(arg: Arg | undefined): number | null {
  if (arg?.kind !== "atom" || !/^[0-9]{1,10}$/.test(arg.value)) return null;
  const v = Number(arg.value);
  return v <= 4294967295 ? v : null;
}

/**
 * RFC 5804 §1.6 script names: at least one character, no control characters (U+0000–U+001F,
 * U+007F–U+009F), no U+2028 / U+2029; we also cap the length at 128 characters (a name is a
 * label, and the store keeps it in an index). Null when fine, else why not.
 */
export function badScriptName(name: string): string | null {
  if (name === "") return "script name is empty";
  if ([...name].length > 128) return "script name longer than 128 characters";
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) return "script name contains control characters";
  return null;
}
