// The state of one script run (one message, one recipient): the message view, the actions so far,
// the implicit keep (RFC 5228 2.10.2), variables (RFC 5229), the imap4flags internal variable
// (RFC 5232 3), limits. Created per run; the compiled script itself is never written to.

import { asciiFold } from "./match.js";
import { MessageView } from "./message.js";
import type { Pos } from "./parser.js";
import type { RunLimits, SieveAction, SieveHost, SieveMessage } from "./types.js";

/** Stops the run: the result is the implicit keep with this error (RFC 5228 2.10.6). */
export class SieveRuntimeError extends Error {
  override name = "SieveRuntimeError";
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

/** Most variables one run may set, and the longest value kept (longer ones are cut, as RFC 5229 3
 *  allows: "implementations ... MAY truncate"). */
export const MAX_VARIABLES = 255;
/** Longest variable name (Pigeonhole's limit). */
export const MAX_VARIABLE_NAME = 64;
export const MAX_VARIABLE_BYTES = 4096;
/** Match variables kept: ${0}..${32} (RFC 5229 3.2 requires at least ${0}..${9}; Pigeonhole
 *  keeps 32 and refuses a reference to ${33} when compiling). */
export const MAX_MATCH_VARIABLES = 33;

const TIME_CHECK_EVERY = 256;
const MAX_WARNINGS = 20;

export class Runtime {
  msg: MessageView;
  readonly envelope: SieveMessage["envelope"];
  readonly actions: SieveAction[] = [];
  implicitKeep = true;
  stopped = false;
  /** The message after editheader, null while unchanged. */
  edited: Buffer | null = null;
  /** RFC 5229 3.2: match variables of the last successful :matches / :regex. */
  matchVars: string[] = [];
  /** Whether match variables are recorded (the script requires "variables"). */
  capturing: boolean;
  /** RFC 5232 3: the internal flags variable, used by keep/fileinto without :flags. */
  flags: string[] = [];
  redirects = 0;
  notifies = 0;
  /** The running script's own variables; an included script gets a fresh set (RFC 6609 4). */
  private vars = new Map<string, string>();
  /** RFC 6609 3.5: the names the running script declared `global`, and the one store they share
   *  across every script of the run ("global.NAME" always names it). */
  private globalNames = new Set<string>();
  private readonly globalVars = new Map<string, string>();
  private steps = 0;
  private readonly deadline: number;
  private foldCache = new WeakMap<readonly string[], readonly string[]>();
  private readonly extState = new Map<string, unknown>();

  constructor(
    readonly message: SieveMessage,
    readonly host: SieveHost,
    readonly limits: RunLimits,
    opts: { capturing: boolean },
  ) {
    this.msg = new MessageView(message.raw);
    this.envelope = message.envelope;
    this.capturing = opts.capturing;
    this.deadline = performance.now() + limits.maxRunMs;
  }

  /** Counts one command or test against maxSteps, and looks at the clock now and then. */
  step(): void {
    const s = ++this.steps;
    if (s > this.limits.maxSteps)
      throw new SieveRuntimeError(0, 0, `script took more than ${this.limits.maxSteps} steps`);
    if (s % TIME_CHECK_EVERY === 0) this.checkTime();
  }

  checkTime(): void {
    if (performance.now() > this.deadline) {
      throw new SieveRuntimeError(0, 0, `script ran longer than ${this.limits.maxRunMs} ms`);
    }
  }

  /** Problems that do not stop the run (SieveResult.warnings), at most MAX_WARNINGS. */
  readonly warnings: { line: number; column: number; message: string }[] = [];

  warn(pos: Pos, message: string): void {
    if (this.warnings.length >= MAX_WARNINGS) return;
    if (this.warnings.some((w) => w.line === pos.line && w.column === pos.column && w.message === message))
      return;
    this.warnings.push({ line: pos.line, column: pos.column, message });
  }

  fail(pos: Pos, message: string): never {
    throw new SieveRuntimeError(pos.line, pos.column, message);
  }

  /** State an extension keeps for the run (e.g. include's global variables). */
  state<T>(key: string, init: () => T): T {
    if (this.extState.has(key)) return this.extState.get(key) as T;
    const v = init();
    this.extState.set(key, v);
    return v;
  }

  /** Values folded by i;ascii-casemap, cached for the run by the (cached) value array. */
  folded(values: readonly string[]): readonly string[] {
    const hit = this.foldCache.get(values);
    if (hit !== undefined) return hit;
    let out: readonly string[] = values;
    for (let i = 0; i < values.length; i++) {
      const f = asciiFold(values[i]!);
      if (f !== values[i]) {
        const copy = values.slice();
        copy[i] = f;
        for (let j = i + 1; j < values.length; j++) copy[j] = asciiFold(values[j]!);
        out = copy;
        break;
      }
    }
    this.foldCache.set(values, out);
    return out;
  }

  /** The store a variable name lives in, and its name there. */
  private storeOf(name: string): [Map<string, string>, string] {
    if (name.startsWith("global.")) return [this.globalVars, name.slice(7)];
    if (this.globalNames.has(name)) return [this.globalVars, name];
    return [this.vars, name];
  }

  getVariable(name: string): string {
    if (this.globalVars.size === 0 && this.globalNames.size === 0) return this.vars.get(name) ?? "";
    const [store, key] = this.storeOf(name);
    return store.get(key) ?? "";
  }

  setVariable(pos: Pos, name: string, value: string): void {
    const [store, key] = this.storeOf(name);
    if (!store.has(key) && store.size >= MAX_VARIABLES)
      this.fail(pos, `more than ${MAX_VARIABLES} variables`);
    store.set(key, truncate(value, this.limits.maxVariableBytes ?? MAX_VARIABLE_BYTES));
  }

  /** RFC 6609 3.4.1 global: the running script shares this variable with the others; false
   *  when the script already has a local variable of that name. */
  declareGlobal(name: string): boolean {
    // RFC 6609 3.4.1: a name the script already set as its own cannot become global.
    if (this.vars.has(name) && !this.globalNames.has(name)) return false;
    this.globalNames.add(name);
    return true;
  }

  /** Enters an included script's variable scope (RFC 6609 4: it sees only the globals it
   *  declares); returns the including script's scope, to be given back to leaveScope. */
  enterScope(): { vars: Map<string, string>; globals: Set<string> } {
    const saved = { vars: this.vars, globals: this.globalNames };
    this.vars = new Map();
    this.globalNames = new Set();
    return saved;
  }

  leaveScope(saved: { vars: Map<string, string>; globals: Set<string> }): void {
    this.vars = saved.vars;
    this.globalNames = saved.globals;
  }

  /** Records match variables from offsets [start, end) pairs into `original`. */
  setMatchVars(offsets: readonly number[], original: string): void {
    const n = Math.min(offsets.length / 2, MAX_MATCH_VARIABLES);
    const vars = new Array<string>(n);
    for (let i = 0; i < n; i++)
      vars[i] = truncate(
        original.slice(offsets[2 * i]!, offsets[2 * i + 1]!),
        this.limits.maxVariableBytes ?? MAX_VARIABLE_BYTES,
      );
    this.matchVars = vars;
  }

  /**
   * Adds an action (RFC 5228 4.2 / 2.10): identical fileinto / redirect / keep actions are merged
   * (the later one's flags win, RFC 5232 5), anything but :copy cancels the implicit keep.
   */
  addAction(pos: Pos, action: SieveAction, opts: { cancelsKeep: boolean }): void {
    const same = this.actions.findIndex((a) => sameTarget(a, action));
    if (same !== -1) {
      const prev = this.actions[same]!;
      if (prev.type === "keep" && (action.type === "keep" || action.type === "fileinto"))
        prev.flags = action.flags;
      else if (prev.type === "fileinto" && action.type === "keep") prev.flags = action.flags;
      else if (prev.type === "fileinto" && action.type === "fileinto") {
        prev.flags = action.flags;
        prev.create ||= action.create;
      } else if (prev.type === "redirect" && action.type === "redirect") prev.copy &&= action.copy;
    } else {
      if (this.actions.length >= this.limits.maxActions) {
        this.fail(pos, `total number of actions exceeds policy limit (${this.limits.maxActions})`);
      }
      checkCompatible(this, pos, action);
      this.actions.push(action);
    }
    if (opts.cancelsKeep) this.implicitKeep = false;
  }
}

function isInbox(name: string): boolean {
  return name.length === 5 && name.toUpperCase() === "INBOX";
}

function sameTarget(a: SieveAction, b: SieveAction): boolean {
  if (a.type === "keep" && b.type === "fileinto") return isInbox(b.mailbox);
  if (a.type !== b.type) return false;
  if (a.type === "keep" || a.type === "discard") return true;
  // fileinto "INBOX" is where keep files: the same action (RFC 5228 4.2, as Pigeonhole).
  if (a.type === "fileinto" && b.type === "keep") return isInbox(a.mailbox);
  if (a.type === "fileinto" && b.type === "fileinto") return a.mailbox === b.mailbox;
  if (a.type === "redirect" && b.type === "redirect")
    return a.address.toLowerCase() === b.address.toLowerCase();
  return false;
}

/**
 * RFC 5429 2.1/2.2: reject and ereject cannot be combined with keep, fileinto or redirect, nor
 * with vacation (RFC 5230 4.7), nor with another reject; the script then fails at run time and
 * the message is kept. A redirect :copy delivers too, so it counts.
 */
function checkCompatible(rt: Runtime, pos: Pos, action: SieveAction): void {
  const delivering = (a: SieveAction) =>
    a.type === "keep" ||
    a.type === "fileinto" ||
    a.type === "redirect" ||
    a.type === "vacation" ||
    a.type === "reject";
  if (action.type === "reject") {
    const other = rt.actions.find(delivering);
    if (other !== undefined) rt.fail(pos, `reject cannot be combined with ${other.type}`);
  } else if (delivering(action) && rt.actions.some((a) => a.type === "reject")) {
    rt.fail(pos, `${action.type} cannot be combined with reject`);
  }
}

function truncate(s: string, max: number): string {
  if (s.length <= max / 4) return s;
  const b = Buffer.from(s, "utf8");
  if (b.length <= max) return s;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString("utf8");
}
