// Result references (RFC 8620 3.7): an argument "#name" whose value is
// {resultOf, name, path} takes the value at JSON Pointer `path` (RFC 6901, plus the JMAP "*"
// extension that maps over arrays) in the response of an earlier call of the same request.
import { isObject } from "./args.js";
import { MethodError } from "./errors.js";
import type { Invocation, Json, JsonObject } from "./types.js";

const bad = (why: string) => new MethodError("invalidResultReference", why);

/** Evaluates a JSON Pointer with the "*" wildcard; throws invalidResultReference. */
export function evaluatePointer(value: Json, path: string): Json {
  if (path === "") return value;
  if (!path.startsWith("/")) throw bad(`path ${JSON.stringify(path)} does not start with "/"`);
  const tokens = path
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
  return walk(value, tokens, 0);
}

function walk(value: Json, tokens: string[], i: number): Json {
  if (i === tokens.length) return value;
  const t = tokens[i]!;
  if (Array.isArray(value)) {
    if (t === "*") {
      // Apply the rest to each item; arrays that come back are flattened into the result.
      const out: Json[] = [];
      for (const item of value) {
        const r = walk(item, tokens, i + 1);
        if (Array.isArray(r)) out.push(...r);
        else out.push(r);
      }
      return out;
    }
    if (!/^(0|[1-9][0-9]*)$/.test(t)) throw bad(`"${t}" is not an array index`);
    const item = value[Number(t)];
    if (item === undefined) throw bad(`index ${t} is out of range`);
    return walk(item, tokens, i + 1);
  }
  if (isObject(value)) {
    if (!Object.hasOwn(value, t)) throw bad(`no property "${t}"`);
    return walk(value[t] as Json, tokens, i + 1);
  }
  throw bad(`cannot descend into a ${value === null ? "null" : typeof value} at "${t}"`);
}

/** Returns `args` with every "#name" reference replaced by its value. */
export function resolveReferences(args: JsonObject, previous: readonly Invocation[]): JsonObject {
  let out: JsonObject | null = null;
  for (const [key, ref] of Object.entries(args)) {
    if (!key.startsWith("#")) continue;
    const name = key.slice(1);
    if (Object.hasOwn(args, name)) {
      throw new MethodError("invalidArguments", `both "${name}" and "${key}" given`);
    }
    if (
      !isObject(ref) ||
      typeof ref.resultOf !== "string" ||
      typeof ref.name !== "string" ||
      typeof ref.path !== "string"
    ) {
      throw bad(`"${key}" is not a ResultReference`);
    }
    const source = previous.find((r) => r[2] === ref.resultOf);
    if (!source) throw bad(`no earlier response with id ${JSON.stringify(ref.resultOf)}`);
    if (source[0] !== ref.name)
      throw bad(`response ${JSON.stringify(ref.resultOf)} is ${source[0]}, not ${ref.name}`);
    out ??= { ...args };
    delete out[key];
    out[name] = evaluatePointer(source[1], ref.path);
  }
  return out ?? args;
}
