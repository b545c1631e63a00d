// The Sieve extension framework: every command, test, tagged argument, comparator, match type,
// address part and `set` modifier the interpreter knows is declared here, by the base language
// (src/sieve/base/) and by one file per extension (src/sieve/extensions/<name>.ts).
//
// HOW AN EXTENSION PLUGS IN
//   1. Write src/sieve/extensions/<name>.ts exporting a `SieveExtension`:
//        export const copyExtension: SieveExtension = {
//          capabilities: ["copy"],                     // strings `require` accepts (RFC capability)
//          commands: [...], tests: [...],              // new commands and tests (CommandDef/TestDef)
//          tags: [{ on: ["fileinto", "redirect"], tag: { name: ":copy" } }], // tags added to
//                                                      // commands/tests declared elsewhere
//          comparators: [...], matchTypes: [...], addressParts: [...], modifiers: [...],
//        };
//   2. Add it to EXTENSIONS below (one line). `supportedExtensions` is the union of capabilities.
//
//   A CommandDef/TestDef declares its syntax; the validator (validate.ts) checks a use against it
//   (unknown/duplicate/conflicting tags, positional count and types, tests, block) and reports
//   every problem with line and column, so `compile` only sees well-formed arguments:
//     - `capability`: what must be required to use it (null: base language). Tags, comparators,
//       match types... also carry a capability (default: the first of their extension's).
//     - `positional`: the types of the positional arguments, in order ("string" | "strings" |
//       "number"); the last `optional` of them may be left out.
//     - `tags`: its own tagged arguments; a tag with `value` consumes the next argument; tags of
//       the same `group` exclude one another.
//     - `matching: true` accepts :comparator and every registered match type (default :is and
//       i;ascii-casemap, RFC 5228 2.7.1/2.7.3); `addressPart: true` also accepts the address parts
//       (default :all). Build the test with `ctx.matcher(args, keys)` / `ctx.addressPart(args)`.
//     - `tests`: "none" | "one" | "list" (a test-list in parentheses); `block`: needs a { } block.
//     - `validate(args, ctx)`: further compile-time checks (report with ctx.error(pos, message)).
//     - `compile(args, ctx)`: returns the closure run per message: an `Exec` for commands
//       (`(rt) => void | Promise<void>`) or a `TestFn` for tests (`(rt) => boolean | Promise<...>`).
//       Return a Promise only when something asynchronous is needed (host calls): the interpreter
//       stays synchronous otherwise, which keeps a 100-rule script well under a millisecond.
//       Do everything that does not depend on the message at compile time (constants, lower-casing
//       keys, compiling patterns); compiled scripts are shared and must stay immutable.
//     - Strings are compiled by `ctx.str(lit)` / `ctx.strings(arg)` to `Str` (a plain string, or
//       a template when "variables" is required and the string has ${...}); `expand(s, rt)` gives
//       the value at run time. `ctx.constant(arg)` is the value when it cannot vary.
//   At run time the `Runtime` (runtime.ts) holds the message view (`rt.msg`: header values decoded
//   once per run, addresses, the parsed MIME structure), the host, the actions (`rt.addAction`
//   merges duplicates and cancels the implicit keep), variables, flags, and per-extension state
//   (`rt.state(key, init)`). `rt.fail(pos, message)` stops the run with a runtime error.

import { baseLanguage } from "./base/index.js";
import { bodyExtension } from "./extensions/body.js";
import { asciiNumericExtension } from "./extensions/comparator-numeric.js";
import { copyExtension } from "./extensions/copy.js";
import { dateExtension, indexExtension } from "./extensions/date.js";
import { duplicateExtension } from "./extensions/duplicate.js";
import { editheaderExtension } from "./extensions/editheader.js";
import { encodedCharacterExtension } from "./extensions/encoded-character.js";
import { enotifyExtension } from "./extensions/enotify.js";
import { envelopeExtension } from "./extensions/envelope.js";
import { environmentExtension } from "./extensions/environment.js";
import { fileintoExtension } from "./extensions/fileinto.js";
import { imap4flagsExtension } from "./extensions/imap4flags.js";
import { includeExtension } from "./extensions/include.js";
import { mailboxExtension } from "./extensions/mailbox.js";
import { regexExtension } from "./extensions/regex.js";
import { erejectExtension, rejectExtension } from "./extensions/reject.js";
import { relationalExtension } from "./extensions/relational.js";
import { spamtestExtension, virustestExtension } from "./extensions/spamtest.js";
import { subaddressExtension } from "./extensions/subaddress.js";
import { vacationExtension } from "./extensions/vacation.js";
import { variablesExtension } from "./extensions/variables.js";
import type { AddressPartDef, ComparatorDef, MatchTypeDef } from "./match.js";
import type { ArgNode, CommandNode, Pos, StringLit, TestNode } from "./parser.js";
import type { Runtime } from "./runtime.js";
import type { Str } from "./strings.js";

export type ArgType = "string" | "strings" | "number";

export interface TagDef {
  /** With the colon, lower-case: ":copy". */
  name: string;
  /** Type of the argument that follows the tag, if it takes one. */
  value?: ArgType;
  /** Tags of one group exclude one another (e.g. "match-type", "comparator", "address-part"). */
  group?: string;
  /** Capability that must be required to use it; undefined: its extension's first; null: none. */
  capability?: string | null;
}

/** A use of a command or test with its arguments sorted out. */
export interface BoundArgs {
  node: TestNode | CommandNode;
  /** Tagged arguments present: their value argument, or the tag itself when it takes none. */
  tags: Map<string, ArgNode>;
  positional: ArgNode[];
}

export type Exec = (rt: Runtime) => void | Promise<void>;
export type TestFn = (rt: Runtime) => boolean | Promise<boolean>;
export type Matcher = (values: readonly string[], rt: Runtime) => boolean;

/** The part of the address the test compares, null when it has none (e.g. :detail without +). */
export type AddressPart = (local: string, domain: string) => string | null;

export interface CompileCtx {
  /** Capabilities the script (or the including script) required so far. */
  readonly requires: ReadonlySet<string>;
  has(capability: string): boolean;
  error(pos: Pos, message: string): void;
  str(lit: StringLit): Str;
  /** A string or string-list argument as a list. */
  strings(arg: ArgNode): Str[];
  /** A "string" argument. */
  string(arg: ArgNode): Str;
  /** The value of a string argument that has no variable in it; null when it may vary. */
  constant(arg: ArgNode): string | null;
  number(arg: ArgNode): number;
  /** Compile a nested block or test. */
  block(nodes: readonly CommandNode[]): Exec;
  test(node: TestNode): TestFn;
  /** The match test for :comparator and the match type of `args`, against `keys`. */
  matcher(args: BoundArgs, keys: Str[]): Matcher;
  /** The address part (:all, :localpart, :domain, :user, :detail) of `args`. */
  addressPart(args: BoundArgs): AddressPart;
  /** A registered `set` modifier by its tag (RFC 5229 4), for `set` and any command taking them. */
  modifier(name: string): ModifierDef | undefined;
  /** Compile-time state shared by the commands of one script (e.g. include's global list). */
  state<T>(key: string, init: () => T): T;
}

interface Syntax {
  name: string;
  capability: string | null;
  positional?: ArgType[];
  /** What each positional argument is, for error messages ("header names", "key list"). */
  positionalNames?: string[];
  /** How many of the last positional arguments may be left out. */
  optional?: number;
  tags?: TagDef[];
  matching?: boolean;
  addressPart?: boolean;
  /** Accepts the registered `set` modifiers (RFC 5229 4) as tags, one per precedence. */
  modifiers?: boolean;
  tests?: "none" | "one" | "list";
  validate?(args: BoundArgs, ctx: CompileCtx): void;
}

export interface CommandDef extends Syntax {
  block?: boolean;
  compile(args: BoundArgs, ctx: CompileCtx, block: readonly CommandNode[] | null): Exec;
}

export interface TestDef extends Syntax {
  compile(args: BoundArgs, ctx: CompileCtx): TestFn;
}

/** RFC 5229 4: a modifier of `set` (:lower, :length...), applied highest precedence first. */
export interface ModifierDef {
  name: string;
  precedence: number;
  capability?: string | null;
  apply(value: string): string;
}

export interface SieveExtension {
  capabilities: readonly string[];
  commands?: CommandDef[];
  tests?: TestDef[];
  tags?: { on: readonly string[]; tag: TagDef }[];
  comparators?: ComparatorDef[];
  matchTypes?: MatchTypeDef[];
  addressParts?: AddressPartDef[];
  modifiers?: ModifierDef[];
  /** RFC 5229 3: variable namespaces the extension defines ("ns" for ${ns.name}); usable once
   *  its first capability is required. The extension's commands give the names their values. */
  namespaces?: string[];
}

/** Everything the registered extensions declare, indexed for the validator. */
export interface Registry {
  capabilities: ReadonlySet<string>;
  commands: ReadonlyMap<string, CommandDef>;
  tests: ReadonlyMap<string, TestDef>;
  extraTags: ReadonlyMap<string, TagDef[]>;
  comparators: ReadonlyMap<string, ComparatorDef>;
  matchTypes: ReadonlyMap<string, MatchTypeDef>;
  addressParts: ReadonlyMap<string, AddressPartDef>;
  modifiers: ReadonlyMap<string, ModifierDef>;
  /** Namespace (lower-case) → the capability that must be required to use it. */
  namespaces: ReadonlyMap<string, string | null>;
}

export function buildRegistry(exts: readonly SieveExtension[]): Registry {
  const capabilities = new Set<string>();
  const commands = new Map<string, CommandDef>();
  const tests = new Map<string, TestDef>();
  const extraTags = new Map<string, TagDef[]>();
  const comparators = new Map<string, ComparatorDef>();
  const matchTypes = new Map<string, MatchTypeDef>();
  const addressParts = new Map<string, AddressPartDef>();
  const modifiers = new Map<string, ModifierDef>();
  const namespaces = new Map<string, string | null>();
  for (const ext of exts) {
    const cap = ext.capabilities[0] ?? null;
    for (const c of ext.capabilities) capabilities.add(c);
    for (const c of ext.commands ?? []) commands.set(c.name, c);
    for (const t of ext.tests ?? []) tests.set(t.name, t);
    for (const { on, tag } of ext.tags ?? []) {
      const t = { ...tag, capability: tag.capability === undefined ? cap : tag.capability };
      for (const name of on) extraTags.set(name, [...(extraTags.get(name) ?? []), t]);
    }
    for (const c of ext.comparators ?? []) comparators.set(c.name, c);
    for (const m of ext.matchTypes ?? []) matchTypes.set(m.tag, m);
    for (const a of ext.addressParts ?? []) addressParts.set(a.tag, a);
    for (const m of ext.modifiers ?? [])
      modifiers.set(m.name, { ...m, capability: m.capability === undefined ? cap : m.capability });
    for (const n of ext.namespaces ?? []) namespaces.set(n.toLowerCase(), cap);
  }
  return {
    capabilities,
    commands,
    tests,
    extraTags,
    comparators,
    matchTypes,
    addressParts,
    modifiers,
    namespaces,
  };
}

// The extensions the interpreter implements, one line each (capabilities, commands and tests are
// looked up here; order matters only where two define the same name: the later one wins).

export const EXTENSIONS: readonly SieveExtension[] = [
  baseLanguage,
  fileintoExtension,
  rejectExtension,
  erejectExtension,
  envelopeExtension,
  encodedCharacterExtension,
  imap4flagsExtension,
  copyExtension,
  bodyExtension,
  variablesExtension,
  relationalExtension,
  asciiNumericExtension,
  subaddressExtension,
  mailboxExtension,
  regexExtension,
  dateExtension,
  indexExtension,
  duplicateExtension,
  editheaderExtension,
  enotifyExtension,
  environmentExtension,
  spamtestExtension,
  virustestExtension,
  vacationExtension,
  includeExtension,
];

export const REGISTRY: Registry = buildRegistry(EXTENSIONS);
