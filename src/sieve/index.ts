// The Sieve interpreter's entry points (contract: types.ts). compileSieve parses and checks once
// (the result is immutable and may be cached and run concurrently); runSieve evaluates it for one
// message and recipient. See registry.ts for how extensions plug in, ARCHITECTURE.md for why Yubin
// has its own interpreter.

import { parseSieve } from "./parser.js";
import { REGISTRY, type Registry } from "./registry.js";
import { Runtime, SieveRuntimeError } from "./runtime.js";
import {
  type CompiledScript,
  type CompileOptions,
  type RunLimits,
  type SieveAction,
  SieveCompileError,
  type SieveDiagnostic,
  type SieveHost,
  type SieveMessage,
  type SieveResult,
} from "./types.js";
import { compileProgram, type Program } from "./validate.js";

/** The capability strings of every extension implemented (ManageSieve SIEVE, JMAP sieveExtensions). */
export const supportedExtensions: ReadonlySet<string> = REGISTRY.capabilities;

function compileInternal(source: string, opts: CompileOptions, diags: SieveDiagnostic[]): Program {
  return compileWithRegistry(source, REGISTRY, { ...opts, diags });
}

/**
 * Compiles against a given registry (the Pigeonhole runner adds its test-only extensions):
 * size check, parse, then (only when the syntax is right) meaning; diagnostics in script order.
 */
export function compileWithRegistry(
  source: string,
  registry: Registry,
  opts: CompileOptions & { diags: SieveDiagnostic[] },
): Program {
  const { diags } = opts;
  const max = opts.maxScriptBytes;
  if (max !== undefined && Buffer.byteLength(source, "utf8") > max) {
    diags.push({ line: 1, column: 1, message: `script is larger than ${max} bytes` });
    return { requires: new Set(), body: () => {} };
  }
  const nodes = parseSieve(source, diags);
  // Meaning is checked only once the syntax is right (as Pigeonhole): a stray token often makes
  // the commands after it look wrong in ways that are no news to the author.
  if (diags.length > 0) return { requires: new Set(), body: () => {} };
  const program = compileProgram(nodes, registry, {
    allowed: opts.extensions ?? registry.capabilities,
    diags,
  });
  diags.sort((a, b) => a.line - b.line || a.column - b.column);
  return program;
}

/** Parses and checks a script; throws SieveCompileError with every problem found. */
export function compileSieve(source: string, opts: CompileOptions = {}): CompiledScript {
  const diags: SieveDiagnostic[] = [];
  const program = compileInternal(source, opts, diags);
  if (diags.length > 0) throw new SieveCompileError(diags);
  return Object.freeze({ requires: program.requires, program });
}

/** The problems in a script (empty: valid). */
export function checkSieve(source: string, opts: CompileOptions = {}): SieveDiagnostic[] {
  const diags: SieveDiagnostic[] = [];
  compileInternal(source, opts, diags);
  return diags;
}

/**
 * Runs a compiled script for one message and recipient. A runtime error (a limit, an impossible
 * action combination, RFC 5228 2.10.6) gives exactly the implicit keep and the error. Errors
 * thrown by the host (the store failing) are not the script's and propagate, so the caller can
 * defer the delivery instead of filing it wrongly.
 */
export async function runSieve(
  script: CompiledScript,
  message: SieveMessage,
  host: SieveHost,
  limits: RunLimits,
): Promise<SieveResult> {
  const program = script.program as Program;
  const rt = new Runtime(message, host, limits, { capturing: program.requires.has("variables") });
  try {
    const r = program.body(rt);
    if (r !== undefined) await r;
    rt.checkTime();
  } catch (e) {
    if (!(e instanceof SieveRuntimeError)) throw e;
    return {
      actions: [{ type: "keep", flags: [], implicit: true }],
      edited: null,
      error: { line: e.line, column: e.column, message: e.message },
    };
  }
  const actions: SieveAction[] = rt.actions;
  if (rt.implicitKeep) actions.push({ type: "keep", flags: rt.flags.slice(), implicit: true });
  return rt.warnings.length > 0
    ? { actions, edited: rt.edited, error: null, warnings: rt.warnings }
    : { actions, edited: rt.edited, error: null };
}
