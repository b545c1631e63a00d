// RFC 5231 relational: match types :count and :value with a relation "gt" / "ge" / "lt" / "le" /
// "eq" / "ne", compared by the test's comparator (usually i;ascii-numeric, RFC 4790 9.1).
// :count compares the number of values (header fields, addresses...); :value each value.
import { keySource, type MatchTypeDef, perValue } from "../match.js";
import type { SieveExtension } from "../registry.js";

const RELATIONS: Record<string, (c: number) => boolean> = {
  gt: (c) => c > 0,
  ge: (c) => c >= 0,
  lt: (c) => c < 0,
  le: (c) => c <= 0,
  eq: (c) => c === 0,
  ne: (c) => c !== 0,
};

function relationOf(param: string | null): ((c: number) => boolean) | undefined {
  return param === null ? undefined : RELATIONS[param.toLowerCase()];
}

function validate({ param, error }: { param: string | null; error: (m: string) => void }): void {
  if (relationOf(param) === undefined) error(`invalid relation "${param}" (gt, ge, lt, le, eq or ne)`);
}

export const VALUE: MatchTypeDef = {
  tag: ":value",
  capability: "relational",
  value: "string",
  validate,
  build: ({ comparator, param, keys }) => {
    const rel = relationOf(param) ?? RELATIONS.eq!;
    return perValue(
      keys,
      comparator,
      (k) => k,
      (v, k) => rel(comparator.compare(v, k)),
    );
  },
};

export const COUNT: MatchTypeDef = {
  tag: ":count",
  capability: "relational",
  value: "string",
  validate,
  build: ({ comparator, param, keys }) => {
    const rel = relationOf(param) ?? RELATIONS.eq!;
    const source = keySource(keys, comparator);
    return (values, rt) => {
      const n = String(values.length);
      for (const k of source(rt)) if (rel(comparator.compare(n, k))) return true;
      return false;
    };
  },
};

export const relationalExtension: SieveExtension = {
  capabilities: ["relational"],
  matchTypes: [VALUE, COUNT],
};
