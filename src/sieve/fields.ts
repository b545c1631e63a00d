// Header field names in tests: checked at compile time (RFC 5322 2.2 field-name), lower-cased once,
// and the RFC 5260 6 :index / :last selection shared by header, address and date (the "index"
// extension registers the tags; the tests honour them here).
import type { ArgNode } from "./parser.js";
import type { BoundArgs, CompileCtx } from "./registry.js";
import type { Runtime } from "./runtime.js";
import { expand, type Str } from "./strings.js";

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

export function validFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}

/** The header names of a test, lower-cased: constant names are folded at compile time. A name
 *  that cannot be a field name ("subject:", RFC 5322 2.2) is no error: no header has it, so it
 *  matches nothing (as Pigeonhole's test-header.svtest expects: `header :contains "subject:" ""`
 *  compiles and is false); such a name written as a constant still reaches the message view,
 *  which simply has no field of that name. */
export function fieldNames(arg: ArgNode, ctx: CompileCtx): (rt: Runtime) => readonly string[] {
  const list: Str[] = ctx.strings(arg);
  const constant: string[] = [];
  for (const s of list) if (typeof s === "string") constant.push(s.toLowerCase());
  if (constant.length === list.length) return () => constant;
  return (rt) => list.map((s) => expand(s, rt).toLowerCase());
}

/** The values of several fields as one list (one field name: the cached array itself). */
export function gather<T>(names: readonly string[], get: (name: string) => readonly T[]): readonly T[] {
  if (names.length === 1) return get(names[0]!);
  const out: T[] = [];
  for (const n of names) {
    const v = get(n);
    for (let i = 0; i < v.length; i++) out.push(v[i]!);
  }
  return out;
}

/** RFC 5260 6: :index N picks the Nth occurrence of a field (counted from the end with :last);
 *  without :index, every value. */
export function indexPicker(args: BoundArgs, ctx: CompileCtx): <T>(values: readonly T[]) => readonly T[] {
  const idx = args.tags.get(":index");
  const last = args.tags.has(":last");
  if (idx === undefined) {
    if (last) ctx.error(args.tags.get(":last")!, '":last" needs ":index"');
    return (v) => v;
  }
  const n = ctx.number(idx);
  if (n < 1) ctx.error(idx, ":index must be 1 or more");
  return <T>(values: readonly T[]) => {
    const i = last ? values.length - n : n - 1;
    const v = values[i];
    return i >= 0 && v !== undefined ? [v] : [];
  };
}
