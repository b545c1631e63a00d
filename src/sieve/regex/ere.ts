// POSIX extended regular expressions (IEEE 1003.1 9.4, as draft-ietf-sieve-regex asks) matched in
// time linear in the input: the pattern is compiled to a Thompson NFA program and run as a Pike
// VM (all threads advance together, one step per input character, at most one thread per
// instruction), never by backtracking. JavaScript's RegExp is not used: a script's pattern is
// untrusted and the value comes from the network. Captures follow the leftmost, first-alternative
// preference of the VM (POSIX asks for leftmost-longest submatches; whether there is a match and
// where it starts are the same).
// Supported: literals, ".", bracket expressions with ranges, negation and [:class:], anchors
// "^" "$", groups, "|", "*", "+", "?", "{m}", "{m,}", "{m,n}" (n <= MAX_REPEAT), "\" quoting.

export const MAX_REPEAT = 255;
/** Largest compiled program: bounds both compile time and the cost per input character. */
export const MAX_PROGRAM = 10_000;
const MAX_DEPTH = 100;

type Node =
  | { t: "char"; c: number }
  | { t: "any" }
  | { t: "class"; ranges: number[]; negate: boolean }
  | { t: "bol" }
  | { t: "eol" }
  | { t: "group"; n: Node; index: number }
  | { t: "cat"; list: Node[] }
  | { t: "alt"; list: Node[] }
  | { t: "repeat"; n: Node; min: number; max: number }; // max -1: unbounded

export class RegexError extends Error {
  override name = "RegexError";
}

const CLASSES: Record<string, (c: number) => boolean> = {
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  digit: (c) => c >= 48 && c <= 57,
  alnum: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57),
  upper: (c) => c >= 65 && c <= 90,
  lower: (c) => c >= 97 && c <= 122,
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  blank: (c) => c === 32 || c === 9,
  punct: (c) =>
    (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126),
  print: (c) => c >= 32 && c <= 126,
  graph: (c) => c >= 33 && c <= 126,
  cntrl: (c) => c < 32 || c === 127,
  xdigit: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

function parse(src: string): { node: Node; groups: number } {
  let i = 0;
  let groups = 0;
  const peek = () => src.charCodeAt(i);
  const alt = (depth: number): Node => {
    if (depth > MAX_DEPTH) throw new RegexError("groups nested too deeply");
    const list = [cat(depth)];
    while (i < src.length && src[i] === "|") {
      i++;
      list.push(cat(depth));
    }
    return list.length === 1 ? list[0]! : { t: "alt", list };
  };
  const cat = (depth: number): Node => {
    const list: Node[] = [];
    while (i < src.length && src[i] !== "|" && src[i] !== ")") {
      let atom = parseAtom(depth);
      for (;;) {
        const q = src[i];
        if (q === "*" || q === "+" || q === "?") {
          i++;
          atom = { t: "repeat", n: atom, min: q === "+" ? 1 : 0, max: q === "?" ? 1 : -1 };
        } else if (q === "{") {
          const r = interval();
          if (r === null) break;
          atom = { t: "repeat", n: atom, min: r.min, max: r.max };
        } else break;
      }
      list.push(atom);
    }
    return list.length === 1 ? list[0]! : { t: "cat", list };
  };
  const number = (): number | null => {
    const s = i;
    while (i < src.length && peek() >= 48 && peek() <= 57) i++;
    return i === s ? null : Number(src.slice(s, i));
  };
  const interval = (): { min: number; max: number } | null => {
    const start = i;
    i++;
    const min = number();
    let max: number = min ?? 0;
    if (min !== null && src[i] === ",") {
      i++;
      max = number() ?? -1;
    }
    if (min === null || src[i] !== "}") {
      i = start;
      return null;
    }
    i++;
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max !== -1 && max < min)) {
      throw new RegexError(`invalid repetition {${src.slice(start + 1, i - 1)}} (at most ${MAX_REPEAT})`);
    }
    return { min, max };
  };
  const parseAtom = (depth: number): Node => {
    const c = src[i]!;
    i++;
    if (c === "(") {
      const index = ++groups;
      const n = i < src.length && src[i] === ")" ? ({ t: "cat", list: [] } as Node) : alt(depth + 1);
      if (src[i] !== ")") throw new RegexError('missing ")"');
      i++;
      return { t: "group", n, index };
    }
    if (c === ".") return { t: "any" };
    if (c === "^") return { t: "bol" };
    if (c === "$") return { t: "eol" };
    if (c === "[") return bracket();
    if (c === "\\") {
      if (i >= src.length) throw new RegexError('trailing "\\"');
      return { t: "char", c: src.charCodeAt(i++) };
    }
    if (c === "*" || c === "+" || c === "?") throw new RegexError(`"${c}" with nothing to repeat`);
    return { t: "char", c: c.charCodeAt(0) };
  };
  const bracket = (): Node => {
    const ranges: number[] = [];
    let negate = false;
    if (src[i] === "^") {
      negate = true;
      i++;
    }
    let first = true;
    for (;;) {
      if (i >= src.length) throw new RegexError('missing "]"');
      const c = src[i]!;
      if (c === "]" && !first) {
        i++;
        break;
      }
      first = false;
      if (c === "[" && (src[i + 1] === ":" || src[i + 1] === "=" || src[i + 1] === ".")) {
        const kind = src[i + 1]!;
        const end = src.indexOf(`${kind}]`, i + 2);
        if (end === -1) throw new RegexError("unterminated bracket class");
        const name = src.slice(i + 2, end);
        i = end + 2;
        if (kind === ":") {
          const test = CLASSES[name];
          if (test === undefined) throw new RegexError(`unknown character class [:${name}:]`);
          for (let ch = 0; ch < 128; ch++) if (test(ch)) ranges.push(ch, ch);
        } else for (const ch of name) ranges.push(ch.charCodeAt(0), ch.charCodeAt(0));
        continue;
      }
      const lo = c.charCodeAt(0);
      i++;
      if (src[i] === "-" && i + 1 < src.length && src[i + 1] !== "]") {
        const hi = src.charCodeAt(i + 1);
        i += 2;
        if (hi < lo) throw new RegexError("invalid range in bracket expression");
        ranges.push(lo, hi);
      } else ranges.push(lo, lo);
    }
    return { t: "class", ranges, negate };
  };
  const node = alt(0);
  if (i < src.length) throw new RegexError('unmatched ")"');
  return { node, groups };
}

// Program instructions, in flat typed arrays: op, then two operands.
const CHAR = 0;
const ANY = 1;
const CLASS = 2;
const SPLIT = 3; // a = preferred, b = other
const JMP = 4;
const SAVE = 5;
const BOL = 6;
const EOL = 7;
const MATCH = 8;

interface Program {
  op: number[];
  a: number[];
  b: number[];
  classes: { ranges: number[]; negate: boolean }[];
  slots: number;
}

function compile(node: Node, groups: number, icase: boolean): Program {
  const p: Program = { op: [], a: [], b: [], classes: [], slots: (groups + 1) * 2 };
  const emit = (op: number, a = 0, b = 0): number => {
    if (p.op.length >= MAX_PROGRAM) throw new RegexError("regular expression too complex");
    p.op.push(op);
    p.a.push(a);
    p.b.push(b);
    return p.op.length - 1;
  };
  const gen = (n: Node): void => {
    switch (n.t) {
      case "char":
        emit(CHAR, icase ? foldCode(n.c) : n.c);
        return;
      case "any":
        emit(ANY);
        return;
      case "class":
        p.classes.push({ ranges: n.ranges, negate: n.negate });
        emit(CLASS, p.classes.length - 1);
        return;
      case "bol":
        emit(BOL);
        return;
      case "eol":
        emit(EOL);
        return;
      case "group":
        emit(SAVE, n.index * 2);
        gen(n.n);
        emit(SAVE, n.index * 2 + 1);
        return;
      case "cat":
        for (const x of n.list) gen(x);
        return;
      case "alt": {
        const jumps: number[] = [];
        for (let k = 0; k < n.list.length; k++) {
          if (k < n.list.length - 1) {
            const split = emit(SPLIT);
            p.a[split] = split + 1;
            gen(n.list[k]!);
            jumps.push(emit(JMP));
            p.b[split] = p.op.length;
          } else gen(n.list[k]!);
        }
        for (const j of jumps) p.a[j] = p.op.length;
        return;
      }
      case "repeat": {
        for (let k = 0; k < n.min; k++) gen(n.n);
        if (n.max === -1) {
          const split = emit(SPLIT);
          p.a[split] = split + 1;
          gen(n.n);
          emit(JMP, split);
          p.b[split] = p.op.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            const split = emit(SPLIT);
            p.a[split] = split + 1;
            splits.push(split);
            gen(n.n);
          }
          for (const s of splits) p.b[s] = p.op.length;
        }
        return;
      }
    }
  };
  emit(SAVE, 0);
  gen(node);
  emit(SAVE, 1);
  emit(MATCH);
  return p;
}

function foldCode(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function inClass(cls: { ranges: number[]; negate: boolean }, c: number, icase: boolean): boolean {
  const r = cls.ranges;
  let hit = false;
  for (let k = 0; k < r.length && !hit; k += 2) if (c >= r[k]! && c <= r[k + 1]!) hit = true;
  if (!hit && icase && c >= 97 && c <= 122) {
    const u = c - 32;
    for (let k = 0; k < r.length && !hit; k += 2) if (u >= r[k]! && u <= r[k + 1]!) hit = true;
  }
  return hit !== cls.negate;
}

export interface Regex {
  /** Capture offsets [start, end) of the whole match then of each group (-1 when a group did not
   *  take part), or null when the value has no match. With icase, the value must already be
   *  folded (A-Z to a-z). */
  exec(value: string): number[] | null;
  readonly groups: number;
}

/** Compiles a POSIX ERE; throws RegexError with a message for the script's author. */
export function compileRegex(pattern: string, opts: { icase: boolean }): Regex {
  const { node, groups } = parse(pattern);
  const prog = compile(node, groups, opts.icase);
  return { groups, exec: (v) => run(prog, v, opts.icase) };
}

interface Thread {
  pc: number;
  caps: number[];
}

function run(p: Program, s: string, icase: boolean): number[] | null {
  const size = p.op.length;
  let clist: Thread[] = [];
  let nlist: Thread[] = [];
  const mark = new Int32Array(size).fill(-1);
  let generation = 0;
  let matched: number[] | null = null;

  // Adds a thread and follows its jumps, splits, saves and assertions (iteratively, in priority order).
  const add = (list: Thread[], pc0: number, caps0: number[], pos: number) => {
    const stack: Thread[] = [{ pc: pc0, caps: caps0 }];
    while (stack.length > 0) {
      const { pc, caps } = stack.pop()!;
      if (mark[pc] === generation) continue;
      mark[pc] = generation;
      const op = p.op[pc]!;
      if (op === JMP) stack.push({ pc: p.a[pc]!, caps });
      else if (op === SPLIT) {
        stack.push({ pc: p.b[pc]!, caps });
        stack.push({ pc: p.a[pc]!, caps });
      } else if (op === SAVE) {
        const c = caps.slice();
        c[p.a[pc]!] = pos;
        stack.push({ pc: pc + 1, caps: c });
      } else if (op === BOL) {
        if (pos === 0) stack.push({ pc: pc + 1, caps });
      } else if (op === EOL) {
        if (pos === s.length) stack.push({ pc: pc + 1, caps });
      } else list.push({ pc, caps });
    }
  };

  const empty = new Array<number>(p.slots).fill(-1);
  for (let pos = 0; pos <= s.length; pos++) {
    if (matched === null) {
      generation++;
      // A fresh thread at every position until a match is found: an unanchored search. Threads
      // already running have priority (they started further left), so it goes last.
      for (const t of clist) mark[t.pc] = generation;
      add(clist, 0, empty, pos);
    }
    if (clist.length === 0) break;
    generation++;
    const c = pos < s.length ? s.charCodeAt(pos) : -1;
    for (let k = 0; k < clist.length; k++) {
      const t = clist[k]!;
      const op = p.op[t.pc]!;
      if (op === MATCH) {
        matched = t.caps;
        break; // lower-priority threads are cut
      }
      if (c === -1) continue;
      let ok = false;
      if (op === CHAR) ok = (icase ? foldCode(c) : c) === p.a[t.pc];
      else if (op === ANY) ok = true;
      else if (op === CLASS) ok = inClass(p.classes[p.a[t.pc]!]!, c, icase);
      if (ok) add(nlist, t.pc + 1, t.caps, pos + 1);
    }
    const tmp = clist;
    clist = nlist;
    nlist = tmp;
    nlist.length = 0;
  }
  return matched;
}
