// Foo/queryChanges (RFC 8620 5.6) from the account change log, for any filter and sort:
//  - removed: every object updated or destroyed since sinceQueryState. The RFC lets the server
//    name extra ids that "may have been in the old results"; an updated object may have left the
//    results or moved within them (a mutable property such as keywords or mailboxIds), so it is
//    always removed and, if it is in the results now, added back at its current index;
//  - added: every object created or updated since then that is in the current results, with its
//    index there, lowest index first.
// Ids are never reused (core/ids.ts), so an id cannot stand for two objects across states.
// upToId is accepted and not used: the RFC makes omitting changes after it optional.
// Each item of removed or added counts as one change against maxChanges (tooManyChanges).
import { StoreError } from "../../store/errors.js";
import type { ChangeObjectType, ObjectChanges } from "../../store/types.js";
import { checkAccount, optBool, optString, optUint } from "./args.js";
import { invalidArgs, MethodError } from "./errors.js";
import { parseState } from "./state.js";
import type { Json, JsonObject, MethodContext } from "./types.js";

export interface QueryChangesSource {
  type: ChangeObjectType;
  toId: (n: number) => string;
  /** False when the query's results cannot be derived from object changes alone. */
  canCalculate: boolean;
  /** The complete current results, in order; called after the changes are read. */
  results: () => Promise<number[]>;
}

export async function standardQueryChanges(
  args: JsonObject,
  mc: MethodContext,
  src: QueryChangesSource,
): Promise<JsonObject> {
  checkAccount(args, mc);
  const since = parseState(args.sinceQueryState);
  const asked = optUint(args, "maxChanges");
  if (asked === 0) throw invalidArgs("maxChanges must be positive");
  optString(args, "upToId");
  const calculateTotal = optBool(args, "calculateTotal", false);
  if (!src.canCalculate) {
    throw new MethodError("cannotCalculateChanges", "changes cannot be calculated for this query");
  }
  const serverMax = mc.services.limits.maxChanges;
  const cap = Math.min(asked ?? serverMax, serverMax);
  let r: ObjectChanges;
  try {
    r = await mc.services.app.store.mail.objectChangesSince(mc.account.id, src.type, since, cap);
  } catch (e) {
    if (e instanceof StoreError && e.code === "invalid")
      throw new MethodError("cannotCalculateChanges", e.message);
    throw e;
  }
  const tooMany = () =>
    asked !== null && asked <= serverMax
      ? new MethodError("tooManyChanges", `more than ${asked} changes`)
      : new MethodError("cannotCalculateChanges", "too many changes; query again");
  if (r.hasMore) throw tooMany();
  const removed = r.changes.filter((c) => c.kind !== "created").map((c) => c.id);
  const maybeAdded = new Set(r.changes.filter((c) => c.kind !== "destroyed").map((c) => c.id));
  const results = await src.results();
  const added: Json[] = [];
  if (maybeAdded.size > 0) {
    for (let i = 0; i < results.length; i++) {
      const id = results[i]!;
      if (maybeAdded.has(id)) added.push({ id: src.toId(id), index: i });
    }
  }
  if (asked !== null && removed.length + added.length > asked) throw tooMany();
  const out: JsonObject = {
    accountId: mc.accountId,
    oldQueryState: String(since),
    newQueryState: String(r.seq),
    removed: removed.map(src.toId),
    added,
  };
  if (calculateTotal) out.total = results.length;
  return out;
}
