// "vnd.dovecot.testsuite", as far as Pigeonhole's test files use it, declared through the
// interpreter's extension framework (src/sieve/registry.ts). TEST CODE ONLY: the runner builds
// its own registry with this extension added; it is not in EXTENSIONS, so supportedExtensions and
// every user script never see it. Semantics follow Pigeonhole's src/testsuite/ (cmd-test*.c,
// tst-test-*.c):
//   test "name" { ... }              a test block; test_fail leaves it (counted as a failure)
//   test_fail "reason"               fails the current test (outside a block: the whole file)
//   test_set "message"|"envelope.from|to|orig_to|auth" value
//   test_config_set/unset/reload     Dovecot settings the host reads (spamtest, virustest)
//   test_mailbox_create "name"
//   test_message :smtp N / :folder "box" N   make a sent or filed message current (command: a
//                                    missing one fails the test; test: false)
//   test_result_reset / test_result_execute / test_result_action [match] [:index N] keys
//   test_script_compile "path" / test_script_run [:append_result] / test_error [match] [:index N] keys
//   test_multiscript [scripts]       run scripts in sequence as the global before/after ones are
//   test_binary_save/load "name"     the compiled script kept under a name (no binary format here)
//   test_message_print / test_result_print   no-ops (they print for humans)

import { ChainResult } from "../../postoffice/sieve-plan.js";
import type {
  BoundArgs,
  CommandDef,
  CompileCtx,
  Exec,
  SieveExtension,
  TestDef,
  TestFn,
} from "../registry.js";
import type { Runtime } from "../runtime.js";
import { expand, expandAll } from "../strings.js";
import type { SieveDiagnostic, SieveResult } from "../types.js";
import { executeResult } from "./execute.js";
import { actionName, adoptMessage, adoptResult, chainActions, currentResult, resetResult } from "./result.js";
import { TestFailed, type TestsuiteState } from "./state.js";

export const TESTSUITE_CAPABILITY = "vnd.dovecot.testsuite";

/** Pigeonhole's vnd.dovecot.debug, which some test files require only to log (debug_log): a
 *  no-op here, test code only like the testsuite extension. */
export const debugExtension: SieveExtension = {
  capabilities: ["vnd.dovecot.debug"],
  commands: [
    { name: "debug_log", capability: "vnd.dovecot.debug", positional: ["string"], compile: () => () => {} },
  ],
};

/** What the extension needs from the runner: compiling and running other scripts with the same
 *  registry (test_script_compile, test_script_run, test_multiscript). */
export interface TestsuiteSession {
  state: TestsuiteState;
  /** Compiles a script's text; null and the diagnostics when it does not compile. */
  compile(source: string): { script: unknown; diags: SieveDiagnostic[] };
  /** Runs a compiled script against the current message and envelope. */
  run(script: unknown): Promise<SieveResult>;
  now(): Date;
}

const str = (a: BoundArgs, ctx: CompileCtx, i: number) => ctx.string(a.positional[i]!);

export function testsuiteExtension(session: TestsuiteSession): SieveExtension {
  const { state } = session;
  const saved = new Map<string, unknown>();

  const fail = (reason: string): never => {
    state.fail(reason);
    throw new TestFailed(reason);
  };

  const testBlock: CommandDef = {
    name: "test",
    capability: TESTSUITE_CAPABILITY,
    positional: ["string"],
    block: true,
    compile(a, ctx, block): Exec {
      const name = str(a, ctx, 0);
      const body = ctx.block(block ?? []);
      const done = () => {
        state.current = null;
      };
      const caught = (e: unknown) => {
        done();
        if (!(e instanceof TestFailed)) throw e;
      };
      const pos = a.node;
      const variables = ctx.has("variables");
      return (rt) => {
        if (variables) rt.setVariable(pos, "tst.path", state.dir);
        state.tests++;
        state.current = expand(name, rt);
        let r: void | Promise<void>;
        try {
          r = body(rt);
        } catch (e) {
          caught(e);
          return;
        }
        if (r !== undefined) return r.then(done, caught);
        done();
      };
    },
  };

  const testFail: CommandDef = {
    name: "test_fail",
    capability: TESTSUITE_CAPABILITY,
    positional: ["string"],
    compile(a, ctx) {
      const reason = str(a, ctx, 0);
      return (rt) => fail(expand(reason, rt));
    },
  };

  const testSet: CommandDef = {
    name: "test_set",
    capability: TESTSUITE_CAPABILITY,
    positional: ["string", "string"],
    validate(a, ctx) {
      const what = ctx.constant(a.positional[0]!);
      const ok = what !== null && /^(message|envelope\.(from|to|orig_to|auth))$/i.test(what);
      if (!ok) ctx.error(a.positional[0]!, `unknown testsuite object "${what ?? ""}"`);
    },
    compile(a, ctx) {
      const what = (ctx.constant(a.positional[0]!) ?? "").toLowerCase();
      const value = str(a, ctx, 1);
      return (rt) => {
        const v = expand(value, rt);
        if (what === "message") state.setMessage(v);
        else state.setEnvelope(what.slice("envelope.".length), v);
        adoptMessage(rt, state);
      };
    },
  };

  const configSet: CommandDef = {
    name: "test_config_set",
    capability: TESTSUITE_CAPABILITY,
    positional: ["string", "string"],
    compile(a, ctx) {
      const key = str(a, ctx, 0);
      const value = str(a, ctx, 1);
      const pos = a.node;
      return (rt) => {
        // testsuite-variables.c: ${tst.path} is the test file's directory (settings name files
        // beside it).
        if (ctx.has("variables")) rt.setVariable(pos, "tst.path", state.dir);
        state.config.set(expand(key, rt).trim(), expand(value, rt));
      };
    },
  };

  const configUnset: CommandDef = {
    name: "test_config_unset",
    capability: TESTSUITE_CAPABILITY,
    positional: ["string"],
    compile(a, ctx) {
      const key = str(a, ctx, 0);
      return (rt) => {
        state.config.delete(expand(key, rt).trim());
      };
    },
  };

  // The host reads the settings when asked, so a reload has nothing left to do.
  const configReload: CommandDef = {
    name: "test_config_reload",
    capability: TESTSUITE_CAPABILITY,
    tags: [{ name: ":extension", value: "string" }],
    compile: () => () => {},
  };

  const mailboxCreate: CommandDef = {
    name: "test_mailbox_create",
    capability: TESTSUITE_CAPABILITY,
    positional: ["string"],
    compile(a, ctx) {
      const name = str(a, ctx, 0);
      return (rt) => state.createMailbox(expand(name, rt));
    },
  };

  const messageTags = [
    { name: ":smtp", group: "source" },
    { name: ":folder", value: "string" as const, group: "source" },
  ];
  const validateMessage = (a: BoundArgs, ctx: CompileCtx) => {
    if (!a.tags.has(":smtp") && !a.tags.has(":folder"))
      ctx.error(a.node, "test_message needs :smtp or :folder");
  };
  /** Selects the message; false when there is none at that index. */
  const selectMessage = (a: BoundArgs, ctx: CompileCtx) => {
    const folderArg = a.tags.get(":folder");
    const folder = folderArg === undefined ? null : ctx.string(folderArg);
    const index = ctx.number(a.positional[0]!);
    return (rt: Runtime): { ok: boolean; what: string } => {
      if (folder === null) {
        const ok = state.selectSent(index);
        if (ok) adoptMessage(rt, state);
        return { ok, what: `no outgoing SMTP message with index ${index}` };
      }
      const box = expand(folder, rt);
      const m = state.selectStored(box, index);
      if (m !== null) adoptMessage(rt, state, m.flags);
      return { ok: m !== null, what: `no message in folder '${box}' with index ${index}` };
    };
  };
  const messageCommand: CommandDef = {
    name: "test_message",
    capability: TESTSUITE_CAPABILITY,
    positional: ["number"],
    tags: messageTags,
    validate: validateMessage,
    compile(a, ctx) {
      const select = selectMessage(a, ctx);
      return (rt) => {
        const r = select(rt);
        if (!r.ok) fail(r.what);
      };
    },
  };
  const messageTest: TestDef = {
    name: "test_message",
    capability: TESTSUITE_CAPABILITY,
    positional: ["number"],
    tags: messageTags,
    validate: validateMessage,
    compile(a, ctx) {
      const select = selectMessage(a, ctx);
      return (rt) => select(rt).ok;
    },
  };

  const noop = (name: string): CommandDef => ({
    name,
    capability: TESTSUITE_CAPABILITY,
    compile: () => () => {},
  });

  const resultReset: CommandDef = {
    name: "test_result_reset",
    capability: TESTSUITE_CAPABILITY,
    compile: () => (rt) => {
      resetResult(rt);
      state.executed = 0;
      // cmd-test-result.c: the reset also empties the SMTP outbox.
      state.outbox = [];
      state.forgetVacations();
    },
  };

  const resultExecute: TestDef = {
    name: "test_result_execute",
    capability: TESTSUITE_CAPABILITY,
    compile: (): TestFn => (rt) => {
      state.errors = [];
      const r = currentResult(rt);
      // Executing a result twice carries out only what was added since (Pigeonhole keeps one
      // execution per result).
      const fresh = { actions: r.actions.slice(state.executed), edited: r.edited };
      state.executed = rt.actions.length;
      return executeResult(state, fresh, session.now());
    },
  };

  const indexTag = { name: ":index", value: "number" as const };
  const listTest = (name: string, values: (rt: Runtime) => string[]): TestDef => ({
    name,
    capability: TESTSUITE_CAPABILITY,
    positional: ["strings"],
    matching: true,
    tags: [indexTag],
    compile(a, ctx) {
      const match = ctx.matcher(a, ctx.strings(a.positional[0]!));
      const indexArg = a.tags.get(":index");
      const index = indexArg === undefined ? 0 : ctx.number(indexArg);
      return (rt) => {
        const all = values(rt);
        const picked = index > 0 ? all.slice(index - 1, index) : all;
        return match(picked, rt);
      };
    },
  });

  const resultAction = listTest("test_result_action", (rt) => rt.actions.map(actionName));
  const testError = listTest("test_error", () => state.errors.slice());

  const scriptCompile: TestDef = {
    name: "test_script_compile",
    capability: TESTSUITE_CAPABILITY,
    positional: ["string"],
    compile(a, ctx) {
      const path = str(a, ctx, 0);
      return (rt) => {
        const source = state.readScript(expand(path, rt));
        state.errors = [];
        state.compiled = null;
        if (source === null) {
          state.errors.push(`script '${expand(path, rt)}' not found`);
          return false;
        }
        const { script, diags } = session.compile(source);
        // test_error sees the message alone, as Pigeonhole's test error handler records it
        // (compile/errors.svtest matches "unknown * ':all' for * header test *").
        state.errors = diags.map((d) => d.message);
        // Pigeonhole's compiler logs one more error after the script's own when it gives up
        // ("validation failed"), and its tests count it (relational/errors.svtest: two bad
        // relations, three errors).
        if (script === null) state.errors.push("compilation failed");
        state.compiled = script;
        return script !== null;
      };
    },
  };

  const scriptRun: TestDef = {
    name: "test_script_run",
    capability: TESTSUITE_CAPABILITY,
    tags: [{ name: ":append_result" }],
    compile(a) {
      const append = a.tags.has(":append_result");
      return async (rt) => {
        state.errors = [];
        if (state.compiled === null) return false;
        const r = await session.run(state.compiled);
        if (!append) state.executed = 0;
        adoptResult(rt, r, append);
        // Pigeonhole's log holds the run's warnings with its errors (regex/errors.svtest counts them).
        for (const w of r.warnings ?? []) state.errors.push(`${w.line}:${w.column}: ${w.message}`);
        if (r.error !== null) state.errors.push(r.error.message);
        return r.error === null;
      };
    },
  };

  const multiscript: TestDef = {
    name: "test_multiscript",
    capability: TESTSUITE_CAPABILITY,
    positional: ["strings"],
    compile(a, ctx) {
      const paths = ctx.strings(a.positional[0]!);
      return async (rt) => {
        state.errors = [];
        let ok = true;
        const original = { message: state.message, envelope: { ...state.envelope } };
        // As the post office's sieve stage runs the global scripts and the user's: each script
        // sees the message as the ones before edited it; after the first, the chain goes on
        // while the implicit keep stands (Pigeonhole's multiscript stops there too); the chain's
        // result (ChainResult) is carried out once at the end.
        const chain = new ChainResult();
        let edited: Buffer | null = null;
        const list = expandAll(paths, rt);
        for (let i = 0; i < list.length; i++) {
          if (i > 0 && !chain.implicitKeep) break;
          const source = state.readScript(list[i]!);
          if (source === null) return false;
          const { script } = session.compile(source);
          if (script === null) return false;
          const r = await session.run(script);
          if (r.error !== null) ok = false;
          chain.add(r);
          if (r.edited !== null) {
            edited = r.edited;
            state.message = r.edited;
          }
        }
        state.message = original.message;
        ok = executeResult(state, { actions: chainActions(chain), edited }, session.now()) && ok;
        state.envelope = original.envelope;
        adoptMessage(rt, state);
        return ok;
      };
    },
  };

  const binarySave: CommandDef = {
    name: "test_binary_save",
    capability: TESTSUITE_CAPABILITY,
    positional: ["string"],
    compile(a, ctx) {
      const name = str(a, ctx, 0);
      return (rt) => {
        if (state.compiled === null) fail("no compiled script to save");
        saved.set(expand(name, rt), state.compiled);
      };
    },
  };
  const binaryLoad: CommandDef = {
    name: "test_binary_load",
    capability: TESTSUITE_CAPABILITY,
    positional: ["string"],
    compile(a, ctx) {
      const name = str(a, ctx, 0);
      return (rt) => {
        const s = saved.get(expand(name, rt));
        if (s === undefined) fail(`no saved binary '${expand(name, rt)}'`);
        state.compiled = s ?? null;
      };
    },
  };

  return {
    capabilities: [TESTSUITE_CAPABILITY],
    namespaces: ["tst"],
    commands: [
      testBlock,
      testFail,
      testSet,
      configSet,
      configUnset,
      configReload,
      mailboxCreate,
      messageCommand,
      noop("test_message_print"),
      resultReset,
      noop("test_result_print"),
      binarySave,
      binaryLoad,
    ],
    tests: [messageTest, resultExecute, resultAction, testError, scriptCompile, scriptRun, multiscript],
  };
}
