// IMAP flag lists as Sieve handles them (RFC 5232 2, 3): a string list whose strings may each hold
// several space-separated flags; duplicates (case-insensitive, RFC 3501 2.3.2) are dropped.
import type { BoundArgs, CompileCtx } from "./registry.js";
import type { Runtime } from "./runtime.js";
import { expandAll, type Str } from "./strings.js";

/** Most flags one list may hold: a bound on what a script can make the store write per message. */
export const MAX_FLAGS = 64;

export function flagList(strings: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const s of strings) {
    for (const f of s.split(" ")) {
      if (f === "") continue;
      const k = f.toLowerCase();
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(f);
      if (out.length >= MAX_FLAGS) return out;
    }
  }
  return out;
}

/** The flags keep / fileinto file with: their :flags (RFC 5232 5), else the internal variable
 *  when imap4flags is required, else none. */
export function flagsFor(args: BoundArgs, ctx: CompileCtx): (rt: Runtime) => string[] {
  const arg = args.tags.get(":flags");
  if (arg !== undefined) {
    const list: Str[] = ctx.strings(arg);
    return (rt) => flagList(expandAll(list, rt));
  }
  if (ctx.has("imap4flags")) return (rt) => rt.flags.slice();
  return () => [];
}
