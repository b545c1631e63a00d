// RFC 5229 variables: set [MODIFIER] <name: string> <value: string>, the string test, and ${...}
// expansion in every string (strings.ts; match variables from :matches / :regex). Sizes and counts
// are bounded (runtime.ts MAX_VARIABLES, MAX_VARIABLE_BYTES).
import type { ModifierDef, SieveExtension } from "../registry.js";
import { MAX_VARIABLE_NAME, MAX_VARIABLES } from "../runtime.js";
import { expand, expandAll, variableName } from "../strings.js";

/** RFC 5229 4: ":quotewildcard" puts a backslash before *, ? and \ (so the value matches itself). */
export function quoteWildcard(s: string): string {
  let out = "";
  for (const c of s) out += c === "*" || c === "?" || c === "\\" ? `\\${c}` : c;
  return out;
}

const firstUpper = (s: string) => {
  const c = s.codePointAt(0);
  if (c === undefined) return s;
  const ch = String.fromCodePoint(c);
  return ch.toUpperCase() + s.slice(ch.length);
};
const firstLower = (s: string) => {
  const c = s.codePointAt(0);
  if (c === undefined) return s;
  const ch = String.fromCodePoint(c);
  return ch.toLowerCase() + s.slice(ch.length);
};

/** RFC 5229 4 modifiers, precedence 40 (:lower/:upper) down to 10 (:length). */
export const MODIFIERS: ModifierDef[] = [
  { name: ":lower", precedence: 40, apply: (s) => s.toLowerCase() },
  { name: ":upper", precedence: 40, apply: (s) => s.toUpperCase() },
  { name: ":lowerfirst", precedence: 30, apply: firstLower },
  { name: ":upperfirst", precedence: 30, apply: firstUpper },
  { name: ":quotewildcard", precedence: 20, apply: quoteWildcard },
  // RFC 5229 4: the length in characters (Unicode code points), not octets.
  { name: ":length", precedence: 10, apply: (s) => String([...s].length) },
];

export const variablesExtension: SieveExtension = {
  capabilities: ["variables"],
  modifiers: MODIFIERS,
  commands: [
    {
      name: "set",
      capability: "variables",
      positional: ["string", "string"],
      modifiers: true,
      validate(a, ctx) {
        const arg = a.positional[0]!;
        const name = arg.kind === "string" ? arg.value.value : "";
        const v = variableName(name);
        // RFC 5229 3: a namespace must be known; RFC 6609 3.5 (include) defines "global.".
        const dot = name.indexOf(".");
        const namespaceOk =
          dot === -1 ||
          (name.slice(0, dot).toLowerCase() === "global" &&
            ctx.has("include") &&
            !name.includes(".", dot + 1));
        if (v === null || v.name === null || !namespaceOk) ctx.error(arg, `invalid variable name "${name}"`);
        else if (name.length > MAX_VARIABLE_NAME)
          ctx.error(arg, `variable name longer than ${MAX_VARIABLE_NAME} characters`);
        else {
          // The script may set at most MAX_VARIABLES different variables (reported once).
          const names = ctx.state("variables:names", () => new Set<string>());
          names.add(v.name);
          if (names.size === MAX_VARIABLES + 1) ctx.error(arg, `more than ${MAX_VARIABLES} variables`);
        }
      },
      compile(a, ctx) {
        const arg = a.positional[0]!;
        const name = (arg.kind === "string" ? arg.value.value : "").toLowerCase();
        const value = ctx.string(a.positional[1]!);
        const mods: ModifierDef[] = [];
        for (const tag of a.tags.keys()) {
          const m = ctx.modifier(tag);
          if (m !== undefined) mods.push(m);
        }
        mods.sort((x, y) => y.precedence - x.precedence);
        const pos = a.node;
        return (rt) => {
          let v = expand(value, rt);
          for (const m of mods) v = m.apply(v);
          rt.setVariable(pos, name, v);
        };
      },
    },
  ],
  tests: [
    {
      // RFC 5229 5 string [MATCH-TYPE] [COMPARATOR] <source: string-list> <key-list>
      name: "string",
      capability: "variables",
      positional: ["strings", "strings"],
      matching: true,
      compile(a, ctx) {
        const source = ctx.strings(a.positional[0]!);
        const match = ctx.matcher(a, ctx.strings(a.positional[1]!));
        // RFC 5229 5: with :count, empty strings are not counted.
        const counting = a.tags.has(":count");
        return (rt) => {
          const values = expandAll(source, rt);
          return match(counting ? values.filter((v) => v !== "") : values, rt);
        };
      },
    },
  ],
};
