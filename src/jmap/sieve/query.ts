// SieveScript/query (RFC 9661 2.5, RFC 8620 5.5): filter on name (contains, case-insensitively)
// and isActive, with AND/OR/NOT operators; sort on name or isActive. canCalculateChanges is
// false (no SieveScript/queryChanges): an account has a few scripts, a client queries again.
import type { SieveScriptRecord } from "../../store/types.js";
import { checkAccount, isObject, optBool } from "../core/args.js";
import { invalidArgs, MethodError } from "../core/errors.js";
import { compileFilter, type Predicate } from "../core/filter-operator.js";
import { pageIds } from "../core/standard.js";
import { currentState } from "../core/state.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import { sieveScriptIdOf } from "./object.js";

type Pred = Predicate<SieveScriptRecord>;

function condition(f: JsonObject): Pred {
  const preds: Pred[] = [];
  for (const [k, v] of Object.entries(f)) {
    if (k === "name") {
      if (typeof v !== "string") throw invalidArgs("name must be a string");
      const needle = v.toLowerCase();
      preds.push((s) => s.name.toLowerCase().includes(needle));
    } else if (k === "isActive") {
      if (typeof v !== "boolean") throw invalidArgs("isActive must be a boolean");
      preds.push((s) => s.active === v);
    } else throw new MethodError("unsupportedFilter", `unsupported filter property ${k}`);
  }
  return (s) => preds.every((p) => p(s));
}

const byName = (a: SieveScriptRecord, b: SieveScriptRecord): number => {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
};
const SORTS: Record<string, (a: SieveScriptRecord, b: SieveScriptRecord) => number> = {
  name: byName,
  isActive: (a, b) => Number(a.active) - Number(b.active),
};

export async function sieveScriptQuery(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  const filter = args.filter;
  if (filter !== undefined && filter !== null && !isObject(filter))
    throw invalidArgs("filter must be an object");
  const pred = isObject(filter) ? compileFilter(filter, condition) : () => true;
  const sort = args.sort ?? [];
  if (!Array.isArray(sort)) throw invalidArgs("sort must be a list");
  const cmps = (sort as Json[]).map((c) => {
    if (!isObject(c) || typeof c.property !== "string") throw invalidArgs("bad Comparator");
    const cmp = SORTS[c.property];
    if (!cmp) throw new MethodError("unsupportedSort", `cannot sort on ${c.property}`);
    if (c.collation !== undefined && c.collation !== null)
      throw new MethodError("unsupportedSort", "no collations are offered (collationAlgorithms)");
    const dir = c.isAscending === false ? -1 : 1;
    return (a: SieveScriptRecord, b: SieveScriptRecord) => dir * cmp(a, b);
  });
  const queryState = await currentState(mc, "sieveScript");
  // Without a sort (or on ties): the order of creation.
  const list = (await mc.services.app.store.sieve.list(mc.account.id))
    .filter(pred)
    .sort((a, b) => cmps.reduce((r, f) => r || f(a, b), 0) || a.id - b.id);
  const all = list.map((s) => sieveScriptIdOf(s.id));
  const page = await pageIds(args, all, mc.services.limits.maxQueryResults);
  const out: JsonObject = {
    accountId: mc.accountId,
    queryState,
    canCalculateChanges: false,
    position: page.position,
    ids: page.ids,
  };
  if (optBool(args, "calculateTotal", false)) out.total = all.length;
  if (page.limit !== null) out.limit = page.limit;
  return out;
}
