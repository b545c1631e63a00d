// POP3 command-line syntax (RFC 1939 §3, RFC 2449 §3): a case-insensitive keyword of 3-4
// printable characters, then arguments separated by spaces. Pure functions, no I/O.

export interface Command {
  name: string; // upper-cased keyword
  args: string[]; // space-separated arguments (runs of spaces tolerated)
  rest: string; // everything after the keyword and one space, verbatim (PASS: spaces belong to the password)
}

export type ParseResult = { ok: true; command: Command } | { ok: false; reason: "empty" | "bad-keyword" };

const KEYWORD = /^[A-Za-z]{1,16}$/;

export function parseCommand(line: string): ParseResult {
  if (line.trim() === "") return { ok: false, reason: "empty" };
  const sp = line.indexOf(" ");
  const keyword = sp < 0 ? line : line.slice(0, sp);
  if (!KEYWORD.test(keyword)) return { ok: false, reason: "bad-keyword" };
  const rest = sp < 0 ? "" : line.slice(sp + 1);
  const args = rest.split(" ").filter((a) => a !== "");
  return { ok: true, command: { name: keyword.toUpperCase(), args, rest } };
}

/** A message-number argument (RFC 1939 §5: "msg"), a positive decimal integer. Null if malformed. */
export function parseMessageNumber(s: string | undefined): number | null {
  if (s === undefined || !/^[0-9]{1,9}$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 ? n : null;
}

/** TOP's line count: a non-negative decimal integer (RFC 1939 §7). Null if malformed. */
export function parseLineCount(s: string | undefined): number | null {
  if (s === undefined || !/^[0-9]{1,9}$/.test(s)) return null;
  return Number(s);
}
