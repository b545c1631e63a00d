// Mailbox/query (RFC 8621 2.4): filter on parentId, name, role, hasAnyRole, isSubscribed;
// sort by sortOrder or name; sortAsTree / filterAsTree as the RFC describes. Mailbox/queryChanges
// (RFC 8620 5.6) is core/query-changes.ts over these results.

import type { Mailbox } from "../../store/types.js";
import { checkAccount, isObject, optBool } from "../core/args.js";
import { invalidArgs, MethodError } from "../core/errors.js";
import { mailboxIdOf } from "../core/ids.js";
import { pageIds } from "../core/standard.js";
import { currentState } from "../core/state.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import { loadMailboxes, type MailboxSet } from "./load.js";
import { leafName, parentName, roleOf } from "./object.js";

function matches(f: JsonObject, m: Mailbox, boxes: MailboxSet): boolean {
  if (Array.isArray(f.conditions) && typeof f.operator === "string") {
    const subs = f.conditions.filter(isObject);
    if (f.operator === "AND") return subs.every((c) => matches(c, m, boxes));
    if (f.operator === "OR") return subs.some((c) => matches(c, m, boxes));
    if (f.operator === "NOT") return !subs.some((c) => matches(c, m, boxes));
    throw new MethodError("unsupportedFilter", `unknown operator ${f.operator}`);
  }
  for (const [k, v] of Object.entries(f)) {
    switch (k) {
      case "parentId": {
        const p = parentName(m);
        const pid = p === null ? null : boxes.byName.get(p);
        if ((pid ? mailboxIdOf(pid.id) : null) !== v) return false;
        break;
      }
      case "name":
        if (typeof v !== "string" || !leafName(m).toLowerCase().includes(v.toLowerCase())) return false;
        break;
      case "role":
        if (roleOf(m) !== v) return false;
        break;
      case "hasAnyRole":
        if ((roleOf(m) !== null) !== v) return false;
        break;
      case "isSubscribed":
        if (m.subscribed !== v) return false;
        break;
      default:
        throw new MethodError("unsupportedFilter", `unknown filter property ${k}`);
    }
  }
  return true;
}

/** The ids of the mailboxes a Mailbox/query selects, in order (also for Mailbox/queryChanges). */
export async function mailboxResults(args: JsonObject, mc: MethodContext): Promise<number[]> {
  const boxes = await loadMailboxes(mc);
  const filter = args.filter;
  if (filter !== undefined && filter !== null && !isObject(filter))
    throw invalidArgs("filter must be an object");
  const sortAsTree = optBool(args, "sortAsTree", false);
  const filterAsTree = optBool(args, "filterAsTree", false);
  let list = [...boxes.list];
  const sort = args.sort;
  const cmps: ((a: Mailbox, b: Mailbox) => number)[] = [];
  if (sort !== undefined && sort !== null) {
    if (!Array.isArray(sort)) throw invalidArgs("sort must be a list");
    for (const c of sort as Json[]) {
      if (!isObject(c) || typeof c.property !== "string") throw invalidArgs("bad Comparator");
      const dir = c.isAscending === false ? -1 : 1;
      if (c.property === "name") cmps.push((a, b) => dir * leafName(a).localeCompare(leafName(b)));
      else if (c.property === "sortOrder") cmps.push((a, b) => dir * (rank(a) - rank(b)));
      else throw new MethodError("unsupportedSort", `cannot sort on ${c.property}`);
    }
  }
  if (sortAsTree) list.sort((a, b) => a.name.localeCompare(b.name));
  else list.sort((a, b) => cmps.reduce((r, f) => r || f(a, b), 0) || a.id - b.id);
  if (isObject(filter)) {
    const ok = new Set(list.filter((m) => matches(filter, m, boxes)).map((m) => m.id));
    list = list.filter((m) => {
      if (!ok.has(m.id)) return false;
      if (!filterAsTree) return true;
      // Every ancestor must match too (RFC 8621 2.4).
      for (let p = parentName(m); p !== null; ) {
        const pm = boxes.byName.get(p);
        if (!pm || !ok.has(pm.id)) return false;
        p = parentName(pm);
      }
      return true;
    });
  }
  return list.map((m) => m.id);
}

export async function mailboxQuery(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  // State first: a change racing with the query then shows up in Mailbox/queryChanges.
  const queryState = await currentState(mc, "mailbox");
  const all = (await mailboxResults(args, mc)).map(mailboxIdOf);
  const page = await pageIds(args, all, mc.services.limits.maxQueryResults);
  const out: JsonObject = {
    accountId: mc.accountId,
    queryState,
    canCalculateChanges: true,
    position: page.position,
    ids: page.ids,
  };
  if (optBool(args, "calculateTotal", false)) out.total = all.length;
  if (page.limit !== null) out.limit = page.limit;
  return out;
}

function rank(m: Mailbox): number {
  const role = roleOf(m);
  return role === "inbox" ? 1 : role ? 10 : 100;
}
