// The parts every standard method shares (RFC 8620 5.1 /get, 5.2 /changes, 5.5 /query paging).

import { StoreError } from "../../store/errors.js";
import type { ChangeObjectType } from "../../store/types.js";
import { checkAccount, optInt, optStringList, optUint, resolveId } from "./args.js";
import { invalidArgs, MethodError } from "./errors.js";
import { parseState } from "./state.js";
import type { JsonObject, MethodContext } from "./types.js";

/** ids (null = all, if allowed) and properties of a /get call, with the limits checked. */
export function getArgs(
  args: JsonObject,
  mc: MethodContext,
  opts: { defaults: readonly string[]; known: (p: string) => boolean },
): { ids: string[] | null; properties: string[] } {
  checkAccount(args, mc);
  let ids: string[] | null = null;
  if (args.ids !== undefined && args.ids !== null) {
    const raw = optStringList(args, "ids")!;
    if (raw.length > mc.services.limits.maxObjectsInGet) {
      throw new MethodError("requestTooLarge", `more than ${mc.services.limits.maxObjectsInGet} ids`);
    }
    ids = raw.map((id) => resolveId(mc, id) ?? id);
  }
  const props = optStringList(args, "properties");
  const properties = props === null ? [...opts.defaults] : props;
  const unknown = properties.filter((p) => !opts.known(p));
  if (unknown.length > 0) throw invalidArgs(`unknown properties: ${unknown.join(", ")}`);
  // RFC 8620 5.1: the id is always returned.
  if (!properties.includes("id")) properties.unshift("id");
  return { ids, properties };
}

/** RFC 8620 5.2 Foo/changes over the store's account change log. */
export async function standardChanges(
  args: JsonObject,
  mc: MethodContext,
  type: ChangeObjectType,
  toId: (n: number) => string,
): Promise<JsonObject> {
  checkAccount(args, mc);
  const since = parseState(args.sinceState);
  const asked = optUint(args, "maxChanges");
  if (asked === 0) throw invalidArgs("maxChanges must be positive");
  const max = Math.min(asked ?? mc.services.limits.maxChanges, mc.services.limits.maxChanges);
  let r: Awaited<ReturnType<typeof mc.services.app.store.mail.objectChangesSince>>;
  try {
    r = await mc.services.app.store.mail.objectChangesSince(mc.account.id, type, since, max);
  } catch (e) {
    if (e instanceof StoreError && e.code === "invalid")
      throw new MethodError("cannotCalculateChanges", e.message);
    throw e;
  }
  const pick = (k: string) => r.changes.filter((c) => c.kind === k).map((c) => toId(c.id));
  return {
    accountId: mc.accountId,
    oldState: String(since),
    newState: String(r.seq),
    hasMoreChanges: r.hasMore,
    created: pick("created"),
    updated: pick("updated"),
    destroyed: pick("destroyed"),
  };
}

/** RFC 8620 5.5 paging: the first index (position, or anchor + anchorOffset; a negative position
 *  counts from the end, clamped to 0) and how many to take. `limit` is set in the response only
 *  when the server lowered the client's. `total` is asked for only when a negative position
 *  needs it; `anchorIndex` finds an anchor's index or throws anchorNotFound. An index past the
 *  end is not an error: the page is empty. */
export async function pageRange(
  args: JsonObject,
  total: () => Promise<number> | number,
  maxResults: number,
  anchorIndex: (anchor: string) => Promise<number> | number,
): Promise<{ position: number; count: number; limit: number | null }> {
  const limitArg = optUint(args, "limit");
  const count = Math.min(limitArg ?? maxResults, maxResults);
  let position: number;
  const anchor = args.anchor;
  if (anchor !== undefined && anchor !== null) {
    if (typeof anchor !== "string") throw invalidArgs("anchor must be an Id");
    const off = optInt(args, "anchorOffset") ?? 0;
    position = Math.max(0, (await anchorIndex(anchor)) + off);
  } else {
    const p = optInt(args, "position") ?? 0;
    position = p < 0 ? Math.max(0, (await total()) + p) : p;
  }
  return { position, count, limit: limitArg !== null && limitArg > maxResults ? maxResults : null };
}

/** RFC 8620 5.5 paging of a complete, sorted id list. */
export async function pageIds(
  args: JsonObject,
  ids: string[],
  maxResults: number,
): Promise<{ ids: string[]; position: number; limit: number | null }> {
  const r = await pageRange(
    args,
    () => ids.length,
    maxResults,
    (anchor) => {
      const at = ids.indexOf(anchor);
      if (at < 0) throw new MethodError("anchorNotFound");
      return at;
    },
  );
  // Past the end: empty, at the end of the list (as before the lazy total).
  const position = Math.min(r.position, ids.length);
  return { ids: ids.slice(position, position + r.count), position, limit: r.limit };
}
