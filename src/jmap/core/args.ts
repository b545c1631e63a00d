// Argument checks shared by the methods: each throws invalidArguments naming the argument,
// so a handler reads typed values in a few lines (RFC 8620 3.6.2).

import { invalidArgs, MethodError } from "./errors.js";
import type { Json, JsonObject, MethodContext } from "./types.js";

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function optString(args: JsonObject, name: string): string | null {
  const v = args[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw invalidArgs(`${name} must be a string`);
  return v;
}

export function optBool(args: JsonObject, name: string, def: boolean): boolean {
  const v = args[name];
  if (v === undefined || v === null) return def;
  if (typeof v !== "boolean") throw invalidArgs(`${name} must be a boolean`);
  return v;
}

/** UnsignedInt (RFC 8620 1.3): 0 <= n <= 2^53-1. */
export function optUint(args: JsonObject, name: string): number | null {
  const v = args[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    throw invalidArgs(`${name} must be an UnsignedInt`);
  return v;
}

/** Int (RFC 8620 1.3). */
export function optInt(args: JsonObject, name: string): number | null {
  const v = args[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw invalidArgs(`${name} must be an Int`);
  return v;
}

export function optStringList(args: JsonObject, name: string): string[] | null {
  const v = args[name];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw invalidArgs(`${name} must be a list of strings`);
  return v as string[];
}

export function optObject(args: JsonObject, name: string): JsonObject | null {
  const v = args[name];
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw invalidArgs(`${name} must be an object`);
  return v;
}

/** The accountId argument must name the authenticated account (no shared accounts yet). */
export function checkAccount(args: JsonObject, mc: MethodContext): void {
  const v = args.accountId;
  if (typeof v !== "string") throw invalidArgs("accountId must be a string");
  if (v !== mc.accountId) throw new MethodError("accountNotFound");
}

/** An id argument, with "#creationId" replaced by the id created earlier in the request
 *  (RFC 8620 5.3: creation ids may be used in place of ids in later method calls). */
export function resolveId(mc: MethodContext, id: Json | undefined): string | null {
  if (typeof id !== "string") return null;
  if (id.startsWith("#")) return mc.createdIds.get(id.slice(1)) ?? null;
  return id;
}
