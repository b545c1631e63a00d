// RFC 8620 5.5 FilterOperator: AND / OR / NOT over nested conditions, compiled once into a
// predicate. Each query brings its own FilterCondition compiler; nesting is bounded so a hostile
// request cannot recurse the server into a stack overflow.
import { isObject } from "./args.js";
import { invalidArgs, MethodError } from "./errors.js";
import type { JsonObject } from "./types.js";

export type Predicate<T> = (x: T) => boolean;

/** Deepest FilterOperator nesting accepted (a bound on recursion, not a user-visible limit). */
const MAX_FILTER_DEPTH = 20;

export function compileFilter<T>(
  f: JsonObject,
  condition: (c: JsonObject) => Predicate<T>,
  depth = 0,
): Predicate<T> {
  if (depth > MAX_FILTER_DEPTH) throw invalidArgs("filter nested too deeply");
  if (typeof f.operator !== "string") return condition(f);
  if (!Array.isArray(f.conditions) || !f.conditions.every(isObject))
    throw invalidArgs("FilterOperator needs conditions");
  const subs = (f.conditions as JsonObject[]).map((c) => compileFilter(c, condition, depth + 1));
  if (f.operator === "AND") return (x) => subs.every((p) => p(x));
  if (f.operator === "OR") return (x) => subs.some((p) => p(x));
  if (f.operator === "NOT") return (x) => !subs.some((p) => p(x));
  throw new MethodError("unsupportedFilter", `unknown operator ${f.operator}`);
}
