// The frame of a /set call (RFC 8620 5.3): ifInState, the create/update/destroy maps and the
// maxObjectsInSet limit; the response is assembled by the method.
import type { ChangeObjectType } from "../../store/types.js";
import { checkAccount, isObject, optString, optStringList } from "./args.js";
import { invalidArgs, MethodError, type SetError } from "./errors.js";
import { currentState } from "./state.js";
import type { JsonObject, MethodContext } from "./types.js";

export interface SetArgs {
  oldState: string;
  create: [string, JsonObject][];
  update: [string, JsonObject][];
  destroy: string[];
}

export async function setArgs(args: JsonObject, mc: MethodContext, type: ChangeObjectType): Promise<SetArgs> {
  return setArgsAt(args, mc, await currentState(mc, type));
}

/** setArgs for an object type whose state is not a change seq of the store (e.g. a digest of
 *  its content): the caller gives the current state. */
export function setArgsAt(args: JsonObject, mc: MethodContext, oldState: string): SetArgs {
  checkAccount(args, mc);
  const ifInState = optString(args, "ifInState");
  if (ifInState !== null && ifInState !== oldState) throw new MethodError("stateMismatch");
  const create = objectMap(args, "create");
  const update = objectMap(args, "update");
  const destroy = optStringList(args, "destroy") ?? [];
  if (create.length + update.length + destroy.length > mc.services.limits.maxObjectsInSet) {
    throw new MethodError("requestTooLarge", `more than ${mc.services.limits.maxObjectsInSet} objects`);
  }
  return { oldState, create, update, destroy };
}

function objectMap(args: JsonObject, name: string): [string, JsonObject][] {
  const v = args[name];
  if (v === undefined || v === null) return [];
  if (!isObject(v)) throw invalidArgs(`${name} must be an object`);
  const out: [string, JsonObject][] = [];
  for (const [k, o] of Object.entries(v)) {
    if (!isObject(o)) throw invalidArgs(`${name}/${k} must be an object`);
    out.push([k, o]);
  }
  return out;
}

export interface SetResult {
  created: Record<string, JsonObject>;
  notCreated: Record<string, SetError>;
  updated: Record<string, JsonObject | null>;
  notUpdated: Record<string, SetError>;
  destroyed: string[];
  notDestroyed: Record<string, SetError>;
}

export const emptySetResult = (): SetResult => ({
  created: {},
  notCreated: {},
  updated: {},
  notUpdated: {},
  destroyed: [],
  notDestroyed: {},
});

/** The /set response: empty maps become null as RFC 8620 5.3 shows. */
export async function setResponse(
  mc: MethodContext,
  type: ChangeObjectType,
  oldState: string,
  r: SetResult,
): Promise<JsonObject> {
  const orNull = <T>(o: Record<string, T>) => (Object.keys(o).length === 0 ? null : o);
  return {
    accountId: mc.accountId,
    oldState,
    newState: await currentState(mc, type),
    created: orNull(r.created) as JsonObject | null,
    updated: orNull(r.updated) as JsonObject | null,
    destroyed: r.destroyed.length === 0 ? null : r.destroyed,
    notCreated: orNull(r.notCreated) as JsonObject | null,
    notUpdated: orNull(r.notUpdated) as JsonObject | null,
    notDestroyed: orNull(r.notDestroyed) as JsonObject | null,
  };
}

/** Splits "a/b" patch keys (RFC 8620 5.3 PatchObject) from whole-property values. */
export function splitPatch(patch: JsonObject): {
  whole: JsonObject;
  paths: [string[], JsonObject[string]][];
} {
  const whole: JsonObject = {};
  const paths: [string[], JsonObject[string]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k.includes("/")) paths.push([k.split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~")), v]);
    else whole[k] = v;
  }
  return { whole, paths };
}
