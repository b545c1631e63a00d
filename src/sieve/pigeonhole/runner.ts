// Runs Pigeonhole test files (.svtest) through Yubin's interpreter: compile the file with the
// registry plus the test-only vnd.dovecot.testsuite extension, run it once against its own state
// (the test blocks run in order, as in Pigeonhole's `testsuite` program), and judge it as
// Pigeonhole's testsuite_testcase_result does: the file passes when no test failed; a file of
// tests/failures/ passes when every test failed or the file was refused (`testsuite -F`).
import { defaultsOf } from "../../config/dsl.js";
import { sieveSection } from "../config.js";
import { compileWithRegistry, runSieve, supportedExtensions } from "../index.js";
import { parseSieve } from "../parser.js";
import { buildRegistry, EXTENSIONS, type Registry } from "../registry.js";
import type { CompiledScript, RunLimits, SieveDiagnostic, SieveResult } from "../types.js";
import { expectsFailure, groupOf, notApplicable } from "./groups.js";
import { testsuiteHost } from "./host.js";
import type { FileOutcome } from "./report.js";
import { type Failure, TestFailed, TestsuiteState } from "./state.js";
import type { SuiteFile } from "./suite.js";
import { debugExtension, testsuiteExtension } from "./testsuite.js";

const defaults = defaultsOf(sieveSection);

/** Scripts a test runs (test_script_run, test_multiscript) get Yubin's default limits; the time
 *  limit is raised so a busy shared machine does not fail a test by the clock. */
export const SCRIPT_LIMITS: RunLimits = {
  maxSteps: defaults.maxSteps,
  maxActions: defaults.maxActions,
  maxRedirects: defaults.maxRedirects,
  maxNotify: defaults.maxNotify,
  maxIncludeDepth: defaults.maxIncludeDepth,
  maxRunMs: 10_000,
};

/** Dovecot settings a test file sets (test_config_set) that are [sieve] keys in Yubin too. */
const LIMIT_SETTINGS: [string, keyof RunLimits][] = [
  ["sieve_max_actions", "maxActions"],
  ["sieve_max_redirects", "maxRedirects"],
  ["sieve_notify_max_notifications", "maxNotify"],
  ["sieve_include_max_nesting_depth", "maxIncludeDepth"],
];

/** SCRIPT_LIMITS with the test file's settings of the same limits applied. */
export function scriptLimits(config: ReadonlyMap<string, string>): RunLimits {
  const out = { ...SCRIPT_LIMITS };
  for (const [setting, key] of LIMIT_SETTINGS) {
    const v = Number.parseInt(config.get(setting) ?? "", 10);
    if (Number.isSafeInteger(v) && v >= 0) out[key] = v;
  }
  return out;
}

/** The test file itself runs every test block in one run: more steps and actions, 60 s. */
const FILE_LIMITS: RunLimits = { ...SCRIPT_LIMITS, maxSteps: 10_000_000, maxActions: 1000, maxRunMs: 60_000 };

export interface FileRun {
  tests: number;
  failures: Failure[];
  /** The file did not compile: its diagnostics. */
  compileErrors: SieveDiagnostic[] | null;
}

function compileWith(
  registry: Registry,
  source: string,
): { script: CompiledScript | null; diags: SieveDiagnostic[] } {
  // The interpreter's own compile path (syntax first, meaning once the syntax is right).
  const diags: SieveDiagnostic[] = [];
  const program = compileWithRegistry(source, registry, { diags });
  return { script: diags.length > 0 ? null : Object.freeze({ requires: program.requires, program }), diags };
}

/** Runs one test file's text, with `dir` as the base of the scripts it names. */
export async function runSvtest(
  text: string,
  dir: string,
  opts: { now?: Date; root?: string } = {},
): Promise<FileRun> {
  const state = new TestsuiteState(dir, opts.root);
  const host = testsuiteHost(state, { now: opts.now });
  const now = () => opts.now ?? new Date();
  let registry: Registry | null = null;
  const compile = (source: string) => compileWith(registry!, source);
  const run = async (script: unknown, limits: RunLimits): Promise<SieveResult> => {
    try {
      return await runSieve(script as CompiledScript, state.sieveMessage(), host, limits);
    } catch (e) {
      // test_fail in a script run by the test (a subtest) fails the test and ends that run.
      if (!(e instanceof TestFailed)) throw e;
      return {
        actions: [{ type: "keep", flags: [] }],
        edited: null,
        error: { line: 0, column: 0, message: e.message },
      };
    }
  };
  const ext = testsuiteExtension({ state, compile, run: (s) => run(s, scriptLimits(state.config)), now });
  registry = buildRegistry([...EXTENSIONS, ext, debugExtension]);

  const main = compile(text);
  if (main.script === null) return { tests: 0, failures: [], compileErrors: main.diags };
  try {
    const r = await runSieve(main.script, state.sieveMessage(), host, FILE_LIMITS);
    if (r.error !== null) {
      state.failures.push({
        test: state.current,
        reason: `test script execution aborted due to error: line ${r.error.line}, column ${r.error.column}: ${r.error.message}`,
      });
    }
  } catch (e) {
    // test_fail outside a test block ends the file (already counted).
    if (!(e instanceof TestFailed)) {
      state.failures.push({
        test: state.current,
        reason: `crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      });
    }
  }
  return { tests: state.tests, failures: state.failures, compileErrors: null };
}

/** The capabilities a file requires (its leading require commands, read without compiling). */
export function requiresOf(text: string): string[] {
  const diags: SieveDiagnostic[] = [];
  const out: string[] = [];
  for (const n of parseSieve(text, diags)) {
    if (n.name !== "require") break;
    for (const a of n.args) {
      if (a.kind === "string") out.push(a.value.value);
      else if (a.kind === "list") out.push(...a.values.map((v) => v.value));
    }
  }
  return out;
}

function firstFailure(r: FileRun): string | null {
  if (r.compileErrors !== null) {
    const d = r.compileErrors[0];
    return d ? `does not compile: line ${d.line}, column ${d.column}: ${d.message}` : "does not compile";
  }
  const f = r.failures[0];
  if (!f) return null;
  const hint = f.errors ? ` (errors: ${f.errors.join(" | ")})` : "";
  return `${f.test === null ? f.reason : `test "${f.test}": ${f.reason}`}${hint}`;
}

/** Runs (or, for a group not applicable, lists) one file of the suite. */
export async function runSuiteFile(
  file: SuiteFile,
  supported: ReadonlySet<string> = supportedExtensions,
): Promise<FileOutcome> {
  const requires = requiresOf(file.text);
  const group = groupOf(file.rel);
  const na = group === null ? "in no group" : notApplicable(group, supported);
  if (na !== null) return { rel: file.rel, status: "n/a", tests: 0, failed: 0, detail: na, requires };
  const r = await runSvtest(file.text, file.dir, { root: file.root });
  const failed = r.compileErrors !== null ? 1 : r.failures.length;
  let pass: boolean;
  if (expectsFailure(file.rel)) {
    // Pigeonhole's -F: as many failures as tests (a file that does not compile counts as failed).
    // A crash is never the clean refusal those files want.
    const crashed = r.failures.some((f) => f.reason.startsWith("crashed:"));
    pass = !crashed && (r.compileErrors !== null || failed >= r.tests);
  } else pass = r.compileErrors === null && r.failures.length === 0;
  return {
    rel: file.rel,
    status: pass ? "pass" : "fail",
    tests: r.tests,
    failed,
    detail: pass ? null : expectsFailure(file.rel) ? "expected every test to fail" : firstFailure(r),
    requires,
  };
}
