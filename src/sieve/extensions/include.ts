// RFC 6609 include, return and global:
//   include [":personal" / ":global"] [":once"] [":optional"] <value: string>
//   return
//   global <value: string-list>          (with "variables")
// Included scripts come from the host (the account's scripts, or the admin's global directory)
// when the include runs, are compiled once per text (a small cache shared by every run: compiled
// scripts are immutable) and run in the same run: their actions join the including script's, and
// they see only the variables they declare global (Runtime.enterScope). Nesting is bounded by
// RunLimits.maxIncludeDepth and a script including itself, directly or not, is a runtime error.
import type { Pos } from "../parser.js";
import type { CommandDef, CompileCtx, Exec, SieveExtension } from "../registry.js";
import type { Runtime } from "../runtime.js";
import { expand, expandAll } from "../strings.js";
import type { CompiledScript, IncludeLocation } from "../types.js";
import type { Program } from "../validate.js";

/** Compiled included scripts kept, by text (a few hundred covers every account's includes of a
 *  busy server; a miss only costs a compile). */
const CACHE_ENTRIES = 256;
const cache = new Map<string, CompiledScript>();

async function compiled(source: string): Promise<CompiledScript> {
  const hit = cache.get(source);
  if (hit !== undefined) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  // A dynamic import: index.ts builds the registry that lists this extension.
  const { compileSieve } = await import("../index.js");
  const c = compileSieve(source);
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(source, c);
  return c;
}

/** RFC 6609 3.2 and RFC 5804 1.6: a script name is not a path and has no control characters. */
export function scriptNameProblem(name: string): string | null {
  if (name === "") return "include: empty script name";
  if (name.length > 512) return "include: script name too long";
  if (name.includes("/")) return `include: script name "${name.slice(0, 80)}" contains "/"`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what is refused
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) {
    return "include: script name contains a control character";
  }
  return null;
}

interface IncludeState {
  /** "location:name" of the scripts being run, outermost first. */
  stack: string[];
  /** Every script included so far in this run (:once). */
  done: Set<string>;
  /** A `return` is unwinding the current script. */
  returning: boolean;
}

const state = (rt: Runtime): IncludeState =>
  rt.state<IncludeState>("include", () => ({ stack: [], done: new Set(), returning: false }));

async function runIncluded(
  rt: Runtime,
  pos: Pos,
  o: { name: string; location: IncludeLocation; once: boolean; optional: boolean },
): Promise<void> {
  const st = state(rt);
  const key = `${o.location}:${o.name}`;
  if (o.once && st.done.has(key)) return;
  if (st.stack.includes(key))
    rt.fail(pos, `include: "${o.name}" includes itself (${[...st.stack, key].join(" -> ")})`);
  if (st.stack.length >= rt.limits.maxIncludeDepth) {
    rt.fail(pos, `include: nested deeper than ${rt.limits.maxIncludeDepth}`);
  }
  const source = await rt.host.include(o.name, o.location);
  if (source === null) {
    if (o.optional) return;
    rt.fail(pos, `include: ${o.location} script "${o.name}" does not exist`);
  }
  let script: CompiledScript;
  try {
    script = await compiled(source);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return rt.fail(pos, `include: ${o.location} script "${o.name}": ${msg}`);
  }
  st.done.add(key);
  st.stack.push(key);
  const scope = rt.enterScope();
  try {
    const r = (script.program as Program).body(rt);
    if (r !== undefined) await r;
  } finally {
    rt.leaveScope(scope);
    st.stack.pop();
  }
  // RFC 6609 3.3: return ends the included script only; stop (not returning) ends them all.
  if (st.returning) {
    st.returning = false;
    rt.stopped = false;
  }
}

function constantName(arg: Parameters<CompileCtx["constant"]>[0], ctx: CompileCtx): void {
  const c = ctx.constant(arg);
  // RFC 6609 3.2: the script name is a constant string, not subject to variable expansion
  // (Pigeonhole's compile/errors.svtest refuses include "${name}").
  if (c === null) {
    ctx.error(arg, "the include script name must be a constant string (no variables)");
    return;
  }
  const p = scriptNameProblem(c);
  if (p !== null) ctx.error(arg, p);
}

export const includeCommand: CommandDef = {
  name: "include",
  capability: "include",
  positional: ["string"],
  tags: [
    { name: ":personal", group: "location" },
    { name: ":global", group: "location" },
    { name: ":once" },
    { name: ":optional" },
  ],
  validate(a, ctx) {
    constantName(a.positional[0]!, ctx);
  },
  compile(a, ctx): Exec {
    const pos = a.node;
    const name = ctx.string(a.positional[0]!);
    const location: IncludeLocation = a.tags.has(":global") ? "global" : "personal";
    const once = a.tags.has(":once");
    const optional = a.tags.has(":optional");
    return (rt) => {
      const n = expand(name, rt);
      const p = scriptNameProblem(n);
      if (p !== null) rt.fail(pos, p);
      return runIncluded(rt, pos, { name: n, location, once, optional });
    };
  },
};

export const returnCommand: CommandDef = {
  name: "return",
  capability: "include",
  compile: (): Exec => (rt) => {
    state(rt).returning = true;
    rt.stopped = true;
  },
};

export const globalCommand: CommandDef = {
  name: "global",
  capability: "include",
  positional: ["strings"],
  validate(a, ctx) {
    if (!ctx.has("variables")) ctx.error(a.node, 'command "global" needs require "variables"');
    // RFC 6609 3.4.1: constant names, no match variables, no namespace prefix.
    for (const s of ctx.strings(a.positional[0]!)) {
      if (typeof s !== "string") ctx.error(a.positional[0]!, "global variable names must be constant");
      else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) {
        ctx.error(a.positional[0]!, `invalid variable name "${s.slice(0, 80)}"`);
      }
    }
  },
  compile(a, ctx): Exec {
    const pos = a.node;
    const names = ctx.strings(a.positional[0]!);
    return (rt) => {
      for (const n of expandAll(names, rt)) {
        if (!rt.declareGlobal(n.toLowerCase()))
          rt.fail(pos, `variable "${n}" was set before it was declared global`);
      }
    };
  },
};

export const includeExtension: SieveExtension = {
  capabilities: ["include"],
  commands: [includeCommand, returnCommand, globalCommand],
};
