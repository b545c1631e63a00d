// RFC 5232 imap4flags: setflag / addflag / removeflag [<variablename: string>] <list-of-flags>
// change the internal flags variable (or a named variable, with "variables"); hasflag
// [MATCH-TYPE] [COMPARATOR] [<variable-list>] <list-of-flags> tests them; keep and fileinto take
// :flags <list-of-flags> (read by flags.ts flagsFor), else the internal variable's value.
import { flagList } from "../flags.js";
import type { ArgNode } from "../parser.js";
import type { CommandDef, CompileCtx, SieveExtension } from "../registry.js";
import type { Runtime } from "../runtime.js";
import { expandAll, type Str, variableName } from "../strings.js";

type Op = "setflag" | "addflag" | "removeflag";

/** The variable a flag command or hasflag names (constant, lower-case), checked at compile time. */
function variableArg(arg: ArgNode, ctx: CompileCtx, what: string): string[] {
  if (!ctx.has("variables")) {
    ctx.error(arg, `require "variables" missing for the variable name of "${what}"`);
    return [];
  }
  const lits = arg.kind === "list" ? arg.values : arg.kind === "string" ? [arg.value] : [];
  const out: string[] = [];
  for (const l of lits) {
    const v = variableName(l.value);
    if (v === null || v.name === null) ctx.error(l, `invalid variable name "${l.value}"`);
    else out.push(v.name);
  }
  return out;
}

function current(rt: Runtime, name: string | null): string[] {
  return name === null ? rt.flags : flagList([rt.getVariable(name)]);
}

function flagCommand(op: Op): CommandDef {
  return {
    name: op,
    capability: "imap4flags",
    positional: ["strings", "strings"],
    optional: 1,
    validate(a, ctx) {
      if (a.positional.length === 2 && a.positional[0]!.kind !== "string") {
        ctx.error(a.positional[0]!, `"${op}" takes one variable name`);
      }
    },
    compile(a, ctx) {
      const two = a.positional.length === 2;
      const name = two ? (variableArg(a.positional[0]!, ctx, op)[0] ?? null) : null;
      const list: Str[] = ctx.strings(a.positional[two ? 1 : 0]!);
      const pos = a.node;
      return (rt) => {
        const given = flagList(expandAll(list, rt));
        let next: string[];
        if (op === "setflag") next = given;
        else if (op === "addflag") next = flagList([...current(rt, name), ...given]);
        else {
          const drop = new Set(given.map((f) => f.toLowerCase()));
          next = current(rt, name).filter((f) => !drop.has(f.toLowerCase()));
        }
        if (name === null) rt.flags = next;
        else rt.setVariable(pos, name, next.join(" "));
      };
    },
  };
}

export const imap4flagsExtension: SieveExtension = {
  capabilities: ["imap4flags"],
  commands: [flagCommand("setflag"), flagCommand("addflag"), flagCommand("removeflag")],
  tags: [{ on: ["keep", "fileinto"], tag: { name: ":flags", value: "strings" } }],
  tests: [
    {
      name: "hasflag",
      capability: "imap4flags",
      positional: ["strings", "strings"],
      optional: 1,
      matching: true,
      compile(a, ctx) {
        const two = a.positional.length === 2;
        const names = two ? variableArg(a.positional[0]!, ctx, "hasflag") : null;
        // RFC 5232 4: the keys are a list-of-flags too, each string space-separated flags
        // (`hasflag :is "b A"` is true after `setflag "A B"`). A key with a variable in it is
        // compared whole.
        const keys = ctx
          .strings(a.positional[two ? 1 : 0]!)
          .flatMap((k): Str[] => (typeof k === "string" ? k.split(" ").filter((f) => f !== "") : [k]));
        const match = ctx.matcher(a, keys);
        return (rt) => {
          // RFC 5232 4: each flag is one value (so :count counts flags).
          const flags = names === null ? rt.flags : flagList(names.map((n) => rt.getVariable(n)));
          return match(flags, rt);
        };
      },
    },
  ],
};
