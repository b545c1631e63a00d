// Sieve grammar (RFC 5228 8.2) to a syntax tree; meaning is checked later (validate.ts).
//   commands = *command; command = identifier arguments (";" / block); block = "{" commands "}"
//   arguments = *argument [test / test-list]; argument = string-list / number / tag
//   test = identifier arguments; test-list = "(" test *("," test) ")"
//   string-list = "[" string *("," string) "]" / string
// On an error the parser records it and skips to the end of the command (its ";" or its block),
// so one run reports every independent error. Nesting of blocks, and of tests within one command,
// is bounded (MAX_NESTING each) so a script of
// 10,000 "(" cannot exhaust the stack.

import { type Token, tokenize } from "./lexer.js";
import { MAX_DIAGNOSTICS, type SieveDiagnostic } from "./types.js";

export interface Pos {
  line: number;
  column: number;
}

export interface StringLit extends Pos {
  value: string;
  multiline: boolean;
}

export type ArgNode =
  | ({ kind: "tag"; name: string } & Pos)
  | ({ kind: "number"; value: number } & Pos)
  | ({ kind: "string"; value: StringLit } & Pos)
  | ({ kind: "list"; values: StringLit[] } & Pos);

export interface TestNode extends Pos {
  name: string;
  args: ArgNode[];
  tests: TestNode[];
  /** Written with parentheses (a test-list), even of one test. */
  testList: boolean;
}

export interface CommandNode extends TestNode {
  /** The block ({ ... }), null when the command ended with ";". */
  block: CommandNode[] | null;
}

/** Deepest nesting of blocks and tests accepted (Pigeonhole's default is 32 for blocks). */
export const MAX_NESTING = 32;
/** Most arguments one command or test may have (Pigeonhole's limit; no real one needs 10). */
export const MAX_ARGUMENTS = 32;

class Bail extends Error {}
/** Thrown once MAX_DIAGNOSTICS are recorded: parsing stops there. */
class Stop extends Error {}

export function parseSieve(src: string, diags: SieveDiagnostic[]): CommandNode[] {
  const toks = tokenize(src, diags);
  // An unterminated string or comment runs to the end: what is then missing there is no news.
  const lexErrors = diags.length;
  let p = 0;
  const peek = (): Token => toks[p]!;
  const next = (): Token => {
    const t = toks[p]!;
    if (t.kind !== "eof") p++;
    return t;
  };
  const fail = (t: Token, message: string): never => {
    if (t.kind === "eof" && lexErrors > 0) throw new Bail();
    if (diags.length >= MAX_DIAGNOSTICS) throw new Stop();
    diags.push({ line: t.line, column: t.column, message });
    throw new Bail();
  };
  const describe = (t: Token) =>
    t.kind === "eof"
      ? "end of script"
      : t.kind === "identifier"
        ? `"${t.text}"`
        : t.kind === "tag"
          ? `":${t.text}"`
          : t.kind === "number"
            ? "a number"
            : t.kind === "string"
              ? "a string"
              : t.kind === "invalid"
                ? JSON.stringify(t.text.slice(0, 8))
                : `"${t.kind}"`;

  // Skip to just after the ";" ending the current command, or over its block, or to a "}"
  // closing the enclosing block (left for the caller).
  const recover = () => {
    let depth = 0;
    for (;;) {
      const t = peek();
      if (t.kind === "eof") return;
      if (t.kind === "}" && depth === 0) return;
      p++;
      if (t.kind === "{") depth++;
      else if (t.kind === "}") {
        depth--;
        if (depth === 0) return;
      } else if (t.kind === ";" && depth === 0) return;
    }
  };

  const commands = (depth: number, inBlock: boolean): CommandNode[] => {
    const out: CommandNode[] = [];
    for (;;) {
      const t = peek();
      if (t.kind === "eof") {
        if (inBlock && lexErrors === 0 && diags.length < MAX_DIAGNOSTICS)
          diags.push({ line: t.line, column: t.column, message: 'missing "}" at end of script' });
        return out;
      }
      if (t.kind === "}") {
        if (inBlock) return out;
        if (diags.length >= MAX_DIAGNOSTICS) throw new Stop();
        diags.push({ line: t.line, column: t.column, message: 'unexpected "}"' });
        p++;
        continue;
      }
      try {
        out.push(command(depth));
      } catch (e) {
        if (!(e instanceof Bail)) throw e;
        recover();
      }
    }
  };

  const command = (depth: number): CommandNode => {
    const t = next();
    if (t.kind !== "identifier") fail(t, `command expected, found ${describe(t)}`);
    const { args, tests, testList } = argumentsOf(0, t.text);
    const end = next();
    if (end.kind === ";")
      return { name: t.text, line: t.line, column: t.column, args, tests, testList, block: null };
    if (end.kind === "{") {
      if (depth >= MAX_NESTING) {
        // Skip the whole block, so its closing braces do not close the blocks around it.
        if (diags.length >= MAX_DIAGNOSTICS) throw new Stop();
        diags.push({ line: end.line, column: end.column, message: "blocks nested too deeply" });
        for (let open = 1; open > 0; ) {
          const k = next().kind;
          if (k === "eof") throw new Bail();
          if (k === "{") open++;
          else if (k === "}") open--;
        }
        return { name: t.text, line: t.line, column: t.column, args, tests, testList, block: [] };
      }
      const block = commands(depth + 1, true);
      const close = next();
      if (close.kind !== "}") throw new Bail();
      return { name: t.text, line: t.line, column: t.column, args, tests, testList, block };
    }
    if (end.kind !== "eof") p--;
    return fail(end, `";" expected after command "${t.text}", found ${describe(end)}`);
  };

  const argumentsOf = (
    depth: number,
    name: string,
  ): { args: ArgNode[]; tests: TestNode[]; testList: boolean } => {
    const args: ArgNode[] = [];
    for (;;) {
      const t = peek();
      if (
        args.length >= MAX_ARGUMENTS &&
        (t.kind === "tag" || t.kind === "number" || t.kind === "string" || t.kind === "[")
      ) {
        fail(t, `too many arguments for "${name}" (at most ${MAX_ARGUMENTS})`);
      }
      if (t.kind === "tag") {
        p++;
        args.push({ kind: "tag", name: `:${t.text}`, line: t.line, column: t.column });
      } else if (t.kind === "number") {
        p++;
        args.push({ kind: "number", value: t.value, line: t.line, column: t.column });
      } else if (t.kind === "string") {
        p++;
        args.push({ kind: "string", value: lit(t), line: t.line, column: t.column });
      } else if (t.kind === "[") {
        p++;
        const values: StringLit[] = [];
        for (;;) {
          const s = next();
          if (s.kind !== "string") fail(s, `string expected in string list, found ${describe(s)}`);
          values.push(lit(s));
          const sep = next();
          if (sep.kind === "]") break;
          if (sep.kind !== ",") fail(sep, `"," or "]" expected in string list, found ${describe(sep)}`);
        }
        args.push({ kind: "list", values, line: t.line, column: t.column });
      } else break;
    }
    const t = peek();
    if (t.kind === "identifier") {
      if (depth >= MAX_NESTING) fail(t, "tests nested too deeply");
      return { args, tests: [test(depth + 1)], testList: false };
    }
    if (t.kind === "(") {
      if (depth >= MAX_NESTING) fail(t, "tests nested too deeply");
      p++;
      const tests: TestNode[] = [];
      for (;;) {
        const s = peek();
        if (s.kind !== "identifier") fail(s, `test expected in test list of "${name}", found ${describe(s)}`);
        tests.push(test(depth + 1));
        const sep = next();
        if (sep.kind === ")") break;
        if (sep.kind !== ",") fail(sep, `"," or ")" expected in test list, found ${describe(sep)}`);
      }
      return { args, tests, testList: true };
    }
    return { args, tests: [], testList: false };
  };

  const test = (depth: number): TestNode => {
    const t = next();
    const { args, tests, testList } = argumentsOf(depth, t.text);
    return { name: t.text, line: t.line, column: t.column, args, tests, testList };
  };

  try {
    return commands(0, false);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return [];
  }
}

function lit(t: Token): StringLit {
  return { value: t.text, multiline: t.multiline, line: t.line, column: t.column };
}
