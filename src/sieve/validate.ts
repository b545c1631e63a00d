// From syntax tree to runnable closures, checking meaning on the way (RFC 5228 2.10.5, 3.2, 8):
// known commands and tests, required capabilities, argument counts and types, tags, comparators,
// if/elsif/else chains. Every problem is reported with its line and column; compilation goes on
// after one, so a script with three mistakes gets three messages.

import { ALL, ASCII_CASEMAP, type ComparatorDef, IS, type MatchTypeDef } from "./match.js";
import type { ArgNode, CommandNode, Pos, StringLit, TestNode } from "./parser.js";
import type {
  ArgType,
  BoundArgs,
  CommandDef,
  CompileCtx,
  Exec,
  Matcher,
  Registry,
  TagDef,
  TestDef,
  TestFn,
} from "./registry.js";
import { MAX_MATCH_VARIABLES, type Runtime } from "./runtime.js";
import { compileTemplate, decodeEncodedCharacters, type Str } from "./strings.js";
import { MAX_DIAGNOSTICS, type SieveDiagnostic } from "./types.js";

const NEVER: TestFn = () => false;
const NOTHING: Exec = () => {};

export interface Program {
  requires: ReadonlySet<string>;
  body: Exec;
}

/** Runs commands in order until one stops the script; synchronous unless a command is not. */
export function runFrom(cmds: readonly Exec[], start: number, rt: Runtime): void | Promise<void> {
  for (let i = start; i < cmds.length; i++) {
    if (rt.stopped) return;
    const r = cmds[i]!(rt);
    if (r !== undefined) return r.then(() => runFrom(cmds, i + 1, rt));
  }
}

export function compileProgram(
  nodes: readonly CommandNode[],
  registry: Registry,
  opts: { allowed: ReadonlySet<string>; diags: SieveDiagnostic[]; requires?: ReadonlySet<string> },
): Program {
  const requires = new Set<string>(opts.requires ?? []);
  const diags = opts.diags;
  const compileState = new Map<string, unknown>();
  let unknownTags = 0;
  const error = (pos: Pos, message: string) => {
    if (diags.length < MAX_DIAGNOSTICS) diags.push({ line: pos.line, column: pos.column, message });
  };

  const str = (lit: StringLit): Str => {
    let v = lit.value;
    if (requires.has("encoded-character")) {
      const d = decodeEncodedCharacters(v);
      if (d.error !== null) error(lit, d.error);
      v = d.value;
    }
    if (!requires.has("variables")) return v;
    const t = compileTemplate(v);
    if (typeof t !== "string") {
      // RFC 5229 3: a reference into a namespace nobody defined is an error; RFC 6609 3.5
      // (include) defines "global.".
      for (const p of t.parts) {
        if (typeof p === "string") continue;
        if (p.name === null) {
          if (p.index >= MAX_MATCH_VARIABLES)
            error(lit, `match variable \${${p.index}} is beyond \${${MAX_MATCH_VARIABLES - 1}}`);
          continue;
        }
        const dot = p.name.indexOf(".");
        if (dot === -1) continue;
        const ns = p.name.slice(0, dot);
        if (ns === "global" && requires.has("include") && !p.name.includes(".", dot + 1)) continue;
        // A namespace another extension defines (RFC 5229 3), once its capability is required.
        const cap = registry.namespaces.get(ns);
        if (cap !== undefined && (cap === null || requires.has(cap))) continue;
        error(lit, `unknown variable namespace in "\${${p.name}}"`);
      }
    }
    return t;
  };

  const ctx: CompileCtx = {
    requires,
    has: (c) => requires.has(c),
    error,
    str,
    strings: (arg) =>
      arg.kind === "list" ? arg.values.map(str) : arg.kind === "string" ? [str(arg.value)] : [],
    string: (arg) => (arg.kind === "string" ? str(arg.value) : ""),
    constant: (arg) => {
      if (arg.kind !== "string") return null;
      const s = str(arg.value);
      return typeof s === "string" ? s : null;
    },
    number: (arg) => (arg.kind === "number" ? arg.value : 0),
    block: (nodes) => compileBlock(nodes),
    test: (node) => compileTest(node),
    matcher: (args, keys) => buildMatcher(args, keys),
    addressPart: (args) => {
      for (const [name] of args.tags) {
        const part = registry.addressParts.get(name);
        if (part !== undefined) return part.extract;
      }
      return ALL.extract;
    },
    modifier: (name) => registry.modifiers.get(name),
    state: <T>(key: string, init: () => T): T => {
      if (!compileState.has(key)) compileState.set(key, init());
      return compileState.get(key) as T;
    },
  };

  function capabilityOk(cap: string | null | undefined): boolean {
    return cap === null || cap === undefined || requires.has(cap);
  }

  function comparatorOf(args: BoundArgs): ComparatorDef {
    const arg = args.tags.get(":comparator");
    if (arg === undefined) return ASCII_CASEMAP;
    const name = arg.kind === "string" ? arg.value.value.toLowerCase() : "";
    const cmp = registry.comparators.get(name);
    if (cmp === undefined) {
      error(arg, `unknown comparator "${name}"`);
      return ASCII_CASEMAP;
    }
    if (!capabilityOk(cmp.capability))
      error(arg, `require "${cmp.capability}" missing for comparator "${name}"`);
    return cmp;
  }

  function matchTypeOf(args: BoundArgs): { def: MatchTypeDef; param: string | null; pos: Pos } {
    for (const [name, arg] of args.tags) {
      const def = registry.matchTypes.get(name);
      if (def === undefined) continue;
      const param = def.value === undefined ? null : arg.kind === "string" ? arg.value.value : null;
      return { def, param, pos: arg };
    }
    return { def: IS, param: null, pos: args.node };
  }

  function buildMatcher(args: BoundArgs, keys: Str[]): Matcher {
    const comparator = comparatorOf(args);
    const { def, param, pos } = matchTypeOf(args);
    const err = (m: string) => error(pos, m);
    def.validate?.({ param, comparator, error: err });
    return def.build({ comparator, param, keys, error: err, pos });
  }

  /** The tagged arguments a command or test takes: its own, those extensions add to it, and the
   *  comparator, match types, address parts or modifiers it accepts. */
  function allowedTags(def: CommandDef | TestDef): Map<string, TagDef> {
    const allowed = new Map<string, TagDef>();
    for (const t of def.tags ?? []) allowed.set(t.name, t);
    for (const t of registry.extraTags.get(def.name) ?? []) allowed.set(t.name, t);
    if (def.matching === true) {
      allowed.set(":comparator", {
        name: ":comparator",
        value: "string",
        group: "comparator",
        capability: null,
      });
      for (const m of registry.matchTypes.values()) {
        allowed.set(m.tag, { name: m.tag, value: m.value, group: "match-type", capability: m.capability });
      }
    }
    if (def.addressPart === true) {
      for (const a of registry.addressParts.values()) {
        allowed.set(a.tag, { name: a.tag, group: "address-part", capability: a.capability });
      }
    }
    if (def.modifiers === true) {
      for (const m of registry.modifiers.values()) {
        allowed.set(m.name, { name: m.name, group: `modifier-${m.precedence}`, capability: m.capability });
      }
    }
    return allowed;
  }

  /** Sorts out a use's arguments against its definition; null when they do not fit. */
  function bind(node: TestNode, def: CommandDef | TestDef, kind: "command" | "test"): BoundArgs | null {
    try {
      return bindArgs(node, def, kind);
    } catch (e) {
      if (e instanceof BindFailed) {
        // Sub-tests are checked all the same (their errors are their own), unless the error
        // was that there should be none: then they are the stray words of a missing ";".
        if (!e.subTestsRefused) {
          const allowed = allowedTags(def);
          for (const t of node.tests) {
            // `address matches "from" "x"`: a tag written without its colon reads as a test.
            if (allowed.has(`:${t.name}`))
              error(t, `missing colon before the '${t.name}' tag in the ${node.name} ${kind}`);
            else compileTest(t);
          }
        }
        return null;
      }
      throw e;
    }
  }

  function bindArgs(node: TestNode, def: CommandDef | TestDef, kind: "command" | "test"): BoundArgs | null {
    let ok = true;
    // One error per use (as Pigeonhole): after the first, the rest of its arguments are usually
    // consequences of it ("missing argument" after an unknown tag swallowed its value).
    const fail = (pos: Pos, message: string): never => {
      ok = false;
      error(pos, message);
      throw new BindFailed(false);
    };
    const refuseSubTests = (pos: Pos, message: string): never => {
      error(pos, message);
      throw new BindFailed(true);
    };
    const allowed = allowedTags(def);
    const tags = new Map<string, ArgNode>();
    const groups = new Map<string, string>();
    const positional: ArgNode[] = [];
    for (let i = 0; i < node.args.length; i++) {
      const arg = node.args[i]!;
      if (arg.kind !== "tag") {
        positional.push(arg);
        continue;
      }
      const tag = allowed.get(arg.name);
      if (tag === undefined) {
        unknownTags++;
        fail(arg, `unknown tagged argument '${arg.name}' for the ${node.name} ${kind} (argument ${i + 1})`);
        continue;
      }
      // RFC 5228 2.6.2: tagged arguments come before the positional ones.
      if (positional.length > 0) {
        fail(
          arg,
          `unexpected tagged argument '${arg.name}' after the positional arguments of the ${node.name} ${kind}`,
        );
      }
      if (!capabilityOk(tag.capability)) fail(arg, `require "${tag.capability}" missing for "${arg.name}"`);
      if (tags.has(arg.name)) fail(arg, `tagged argument "${arg.name}" given twice`);
      if (tag.group !== undefined) {
        const prev = groups.get(tag.group);
        if (prev !== undefined && prev !== arg.name)
          fail(arg, `"${arg.name}" cannot be combined with "${prev}"`);
        groups.set(tag.group, arg.name);
      }
      if (tag.value !== undefined) {
        const v = node.args[i + 1];
        if (v === undefined || v.kind === "tag" || !typeFits(v, tag.value)) {
          fail(v ?? arg, `${describeType(tag.value)} expected after '${arg.name}'`);
          continue;
        }
        i++;
        tags.set(arg.name, v);
      } else tags.set(arg.name, arg);
    }
    const want = def.positional ?? [];
    const min = want.length - (def.optional ?? 0);
    if (positional.length < min) {
      fail(
        positional[positional.length - 1] ?? node,
        `the ${node.name} ${kind} requires ${min} positional argument${min === 1 ? "" : "s"}, but ${specified(positional.length)}`,
      );
    } else if (positional.length > want.length) {
      const most = min === want.length ? `${min}` : `at most ${want.length}`;
      fail(
        positional[want.length]!,
        `the ${node.name} ${kind} requires ${most} positional argument${want.length === 1 ? "" : "s"}, but ${specified(positional.length)}`,
      );
    }
    for (let i = 0; i < Math.min(positional.length, want.length); i++) {
      const a = positional[i]!;
      if (!typeFits(a, want[i]!))
        fail(
          a,
          `the ${node.name} ${kind} expects ${describeType(want[i]!)} as argument ${i + 1}${def.positionalNames?.[i] ? ` (${def.positionalNames[i]})` : ""}, but ${describeArg(a)} was found`,
        );
    }
    const tests = def.tests ?? "none";
    if (tests === "none" && node.tests.length > 0)
      refuseSubTests(
        node.tests[0]!,
        // A word that is no test after a command is most likely the next command, its ";" forgotten.
        registry.tests.has(node.tests[0]!.name)
          ? `the ${node.name} ${kind} accepts no sub-tests, but tests are specified`
          : `missing semicolon after the ${node.name} ${kind} (found '${node.tests[0]!.name}')`,
      );
    if (tests === "one" && (node.tests.length !== 1 || node.testList))
      fail(node, `${kind} "${node.name}" needs one test`);
    if (tests === "list" && !node.testList)
      fail(node, `${kind} "${node.name}" needs a list of tests in parentheses`);
    if (!ok) return null;
    const bound: BoundArgs = { node, tags, positional };
    const before = diags.length;
    def.validate?.(bound, ctx);
    return diags.length === before ? bound : null;
  }

  function lookup<D extends CommandDef | TestDef>(
    node: TestNode,
    defs: ReadonlyMap<string, D>,
    other: ReadonlyMap<string, CommandDef | TestDef>,
    kind: "command" | "test",
  ): D | null {
    const def = defs.get(node.name);
    if (def === undefined) {
      const hint = other.has(node.name)
        ? ` (cannot use ${kind === "command" ? "test" : "command"} '${node.name}' as a ${kind})`
        : "";
      error(node, `unknown ${kind} '${node.name}'${hint}`);
      return null;
    }
    if (def.capability !== null && !requires.has(def.capability)) {
      error(node, `require "${def.capability}" missing for ${kind} "${node.name}"`);
      return null;
    }
    return def;
  }

  function compileTest(node: TestNode): TestFn {
    const def = lookup(node, registry.tests, registry.commands, "test");
    if (def === null) {
      for (const t of node.tests) compileTest(t);
      return NEVER;
    }
    const args = bind(node, def, "test");
    if (args === null) return NEVER;
    const fn = def.compile(args, ctx);
    return (rt) => {
      rt.step();
      return fn(rt);
    };
  }

  function compileCommand(node: CommandNode): Exec {
    if (node.name === "require") {
      error(node, '"require" must come before any other command');
      return NOTHING;
    }
    const def = lookup(node, registry.commands, registry.tests, "command");
    if (def === null) {
      if (node.block !== null) compileBlock(node.block);
      return NOTHING;
    }
    if (def.block === true && node.block === null) error(node, `command "${node.name}" needs a block`);
    if (def.block !== true && node.block !== null) error(node, `command "${node.name}" takes no block`);
    const args = bind(node, def, "command");
    if (args === null) {
      if (node.block !== null) compileBlock(node.block);
      return NOTHING;
    }
    const fn = def.compile(args, ctx, node.block);
    return (rt) => {
      rt.step();
      return fn(rt);
    };
  }

  // RFC 5228 3.1: if / elsif / else form one control structure; elsif and else must follow one.
  function compileChain(nodes: readonly CommandNode[], start: number): { exec: Exec; next: number } {
    const branches: { test: TestFn | null; body: Exec }[] = [];
    let i = start;
    for (; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (i > start && n.name !== "elsif" && n.name !== "else") break;
      if (n.name === "else") {
        if (n.args.length > 0 || n.tests.length > 0) error(n, '"else" takes no arguments or test');
        if (n.block === null) error(n, 'command "else" needs a block');
        branches.push({ test: null, body: compileBlock(n.block ?? []) });
        i++;
        break;
      }
      if (n.args.length > 0) error(n.args[0]!, `"${n.name}" takes no arguments before its test`);
      if (n.tests.length !== 1 || n.testList) error(n, `"${n.name}" needs one test`);
      const unknownBefore = unknownTags;
      const test = n.tests[0] === undefined ? NEVER : compileTest(n.tests[0]);
      // An unknown tag in the test already says the line is not what was meant; the missing
      // block is then left unsaid (as Pigeonhole: imap4flags/errors.svtest counts one error).
      if (n.block === null && unknownTags === unknownBefore) error(n, `command "${n.name}" needs a block`);
      branches.push({ test, body: compileBlock(n.block ?? []) });
    }
    const exec: Exec = (rt) => {
      rt.step();
      return runBranch(branches, 0, rt);
    };
    return { exec, next: i };
  }

  function compileBlock(nodes: readonly CommandNode[]): Exec {
    const execs: Exec[] = [];
    for (let i = 0; i < nodes.length; ) {
      const n = nodes[i]!;
      if (n.name === "if") {
        const { exec, next } = compileChain(nodes, i);
        execs.push(exec);
        i = next;
        continue;
      }
      if (n.name === "elsif" || n.name === "else") {
        // One error for an if-less chain: the elsif/else after it belong to it.
        error(n, `"${n.name}" without a preceding "if"`);
        if (n.block !== null) compileBlock(n.block);
        i++;
        while (
          n.name === "elsif" &&
          i < nodes.length &&
          (nodes[i]!.name === "elsif" || nodes[i]!.name === "else")
        ) {
          const m = nodes[i]!;
          if (m.block !== null) compileBlock(m.block);
          i++;
          if (m.name === "else") break;
        }
        continue;
      }
      execs.push(compileCommand(n));
      i++;
    }
    if (execs.length === 0) return NOTHING;
    if (execs.length === 1) return execs[0]!;
    return (rt) => runFrom(execs, 0, rt);
  }

  // RFC 5228 3.2: require, at the start of the script only.
  let first = 0;
  for (; first < nodes.length && nodes[first]!.name === "require"; first++) {
    const n = nodes[first]!;
    const arg = n.args[0];
    if (
      n.args.length !== 1 ||
      arg === undefined ||
      (arg.kind !== "string" && arg.kind !== "list") ||
      n.tests.length > 0
    ) {
      error(n, '"require" needs a string list of capabilities');
      continue;
    }
    if (n.block !== null) error(n, '"require" takes no block');
    for (const lit of arg.kind === "list" ? arg.values : [arg.value]) {
      const cap = lit.value;
      if (!registry.capabilities.has(cap) || !opts.allowed.has(cap))
        error(lit, `unsupported extension "${cap}"`);
      else requires.add(cap);
    }
  }
  const body = compileBlock(nodes.slice(first));
  return { requires, body };
}

class BindFailed extends Error {
  constructor(readonly subTestsRefused: boolean) {
    super("arguments do not fit");
  }
}

function runBranch(
  branches: readonly { test: TestFn | null; body: Exec }[],
  i: number,
  rt: Runtime,
): void | Promise<void> {
  for (; i < branches.length; i++) {
    const b = branches[i]!;
    if (b.test === null) return b.body(rt);
    const r = b.test(rt);
    if (r === true) return b.body(rt);
    if (r === false) continue;
    const at = i;
    return r.then((yes) => (yes ? b.body(rt) : runBranch(branches, at + 1, rt)));
  }
}

function typeFits(arg: ArgNode, type: ArgType): boolean {
  if (type === "number") return arg.kind === "number";
  if (type === "string") return arg.kind === "string";
  return arg.kind === "string" || arg.kind === "list";
}

function describeType(t: ArgType): string {
  return t === "number" ? "a number" : t === "string" ? "a string" : "a string list";
}

function describeArg(a: ArgNode): string {
  return a.kind === "number"
    ? "a number"
    : a.kind === "string"
      ? "a string"
      : a.kind === "list"
        ? "a string list"
        : "a tag";
}

function specified(n: number): string {
  return n === 1 ? "1 is specified" : `${n} are specified`;
}
