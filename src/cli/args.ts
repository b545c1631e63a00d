// Minimal argv parsing: positional words and --flags (boolean, or --flag value / --flag=value).
import { UsageError } from "./errors.js";

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
  /** Every value of each value flag, in order, for flags that may be repeated (`flags` keeps the last). */
  lists?: Map<string, string[]>;
}

export function parseArgs(argv: string[], valueFlags: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const set = (name: string, v: string) => {
    flags.set(name, v);
    lists.set(name, [...(lists.get(name) ?? []), v]);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) set(name, a.slice(eq + 1));
      else if (valueFlags.includes(name)) {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        set(name, v);
      } else flags.set(name, true);
    } else positional.push(a);
  }
  return { positional, flags, lists };
}

/** Reject flags a command does not know, naming the first one. */
export function onlyFlags(args: ParsedArgs, allowed: readonly string[]): void {
  for (const f of args.flags.keys()) if (!allowed.includes(f)) throw new UsageError(`unknown option --${f}`);
}

export function intFlag(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  if (v === true || !/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  return Number(v);
}
