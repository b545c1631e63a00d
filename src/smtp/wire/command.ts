// Splits a command line into verb and argument (RFC 5321 §4.1.1: verb, then SP and arguments).
// The line arrives without its CRLF. Arguments are decoded as UTF-8 (RFC 6531 allows UTF-8
// addresses); anything not valid UTF-8 is a syntax error rather than a guess at a charset.

export interface CommandLine {
  verb: string; // upper case
  arg: string; // after the first space, trailing spaces removed; "" when none
}

export type CommandParse = { ok: true; command: CommandLine } | { ok: false; reason: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function parseCommandLine(line: Buffer): CommandParse {
  let text: string;
  try {
    text = utf8.decode(line);
  } catch {
    return { ok: false, reason: "Invalid UTF-8 in command" };
  }
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(text)) return { ok: false, reason: "Control character in command" };
  const sp = text.indexOf(" ");
  const verb = (sp < 0 ? text : text.slice(0, sp)).toUpperCase();
  if (!/^[A-Z]{1,12}$/.test(verb)) return { ok: false, reason: "Syntax error, command unrecognized" };
  const arg = sp < 0 ? "" : trimBlanksEnd(text.slice(sp + 1));
  return { ok: true, command: { verb, arg } };
}

/** Drops trailing spaces and tabs. A loop, not `/[ \t]+$/`: that regex tries every start in a
 *  long run of blanks that is followed by something else, quadratic in the line length. */
function trimBlanksEnd(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x09)) end--;
  return s.slice(0, end);
}
