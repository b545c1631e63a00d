// IMAP LIST/LSUB pattern matching (src/imap/commands/list-pattern.ts, RFC 9051 6.3.9): the
// bit-parallel NFA against a plain dynamic-programming matcher of the same rules, on patterns
// long enough to span several 32-bit words. Input: the pattern, then NUL-separated names.
import { ListPattern } from "../../imap/commands/list-pattern.js";
import { check, type FuzzTarget } from "../target.js";

/** The rules, written the obvious way: O(pattern × name) table, no cleverness to get wrong. */
function reference(pattern: string, name: string): boolean {
  const p = /^inbox(?=$|\/)/i.test(pattern) ? `INBOX${pattern.slice(5)}` : pattern;
  // row[j]: tokens p[i..] match name[j..]; built from the last token back.
  let row = new Uint8Array(name.length + 1);
  row[name.length] = 1;
  for (let i = p.length - 1; i >= 0; i--) {
    const c = p[i];
    const cur = new Uint8Array(name.length + 1);
    for (let j = name.length; j >= 0; j--) {
      if (c === "*") cur[j] = row[j] || (j < name.length && cur[j + 1]) ? 1 : 0;
      else if (c === "%") cur[j] = row[j] || (j < name.length && name[j] !== "/" && cur[j + 1]) ? 1 : 0;
      else cur[j] = j < name.length && name[j] === c && row[j + 1] ? 1 : 0;
    }
    row = cur;
  }
  return row[0] === 1;
}

export const listPatternTarget: FuzzTarget = {
  name: "list-pattern",
  coverage: ["src/imap/commands/list-pattern.ts"],
  dictionary: [
    "\0",
    "*",
    "%",
    "/",
    "INBOX",
    "inbox/",
    "Archive/2024",
    "a*b%c",
    "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%",
  ],
  maxLength: 1024,
  run(input) {
    const [pattern = "", ...names] = input.toString("latin1").split("\0");
    const m = new ListPattern(pattern);
    // Names made from the pattern itself (wildcards filled in), so that long patterns match and
    // the NFA's states cross from one 32-bit word to the next; and that name cut short.
    const filled = pattern.replace(/\*/g, "a/").replace(/%/g, "b");
    names.push(filled, filled.slice(0, -1), "INBOX", "Archive/2024");
    for (const name of names)
      check(
        m.matches(name) === reference(pattern, name),
        `pattern ${JSON.stringify(pattern)} on ${JSON.stringify(name)}`,
      );
  },
};
