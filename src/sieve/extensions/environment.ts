// RFC 5183 environment [COMPARATOR] [MATCH-TYPE] <name: string> <key-list: string-list>: the
// items the host defines (environment-items.ts); an undefined item makes the test false.
import type { SieveExtension, TestDef } from "../registry.js";
import { expand } from "../strings.js";
import { environmentItem } from "./environment-items.js";

export const environmentTest: TestDef = {
  name: "environment",
  capability: "environment",
  positional: ["string", "strings"],
  matching: true,
  compile(a, ctx) {
    const name = ctx.string(a.positional[0]!);
    const match = ctx.matcher(a, ctx.strings(a.positional[1]!));
    // RFC 5183 4: with :count, an empty item counts 0, any other 1.
    const counting = a.tags.has(":count");
    return (rt) => {
      const v = environmentItem(expand(name, rt), rt.host.environment);
      if (v === null) return false;
      return match(counting && v === "" ? [] : [v], rt);
    };
  },
};

export const environmentExtension: SieveExtension = {
  capabilities: ["environment"],
  tests: [environmentTest],
};
