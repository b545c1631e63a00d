// EmailSubmission/query (RFC 8621 7.3) over the kept submissions (log.ts): filter identityIds,
// emailIds, threadIds, undoStatus, before, after (on sendAt); sort emailId, threadId, sentAt.
// canCalculateChanges is false (no EmailSubmission/queryChanges).
import { checkAccount, isObject, optBool } from "../core/args.js";
import { invalidArgs, MethodError } from "../core/errors.js";
import { compileFilter, type Predicate } from "../core/filter-operator.js";
import { pageIds } from "../core/standard.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import type { SubmissionRecord } from "./log.js";

type Pred = Predicate<SubmissionRecord>;

function condition(f: JsonObject): Pred {
  const preds: Pred[] = [];
  for (const [k, v] of Object.entries(f)) {
    switch (k) {
      case "identityIds":
      case "emailIds":
      case "threadIds": {
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
          throw invalidArgs(`${k} must be a list of ids`);
        const set = new Set(v as string[]);
        const prop = k.slice(0, -1);
        preds.push((r) => set.has(r.object[prop] as string));
        break;
      }
      case "undoStatus":
        preds.push((r) => r.object.undoStatus === v);
        break;
      case "before":
      case "after": {
        const t = typeof v === "string" ? Date.parse(v) : Number.NaN;
        if (!Number.isFinite(t)) throw invalidArgs(`${k} must be a UTCDate`);
        preds.push((r) => {
          const at = Date.parse(r.object.sendAt as string);
          return k === "before" ? at < t : at >= t;
        });
        break;
      }
      default:
        throw new MethodError("unsupportedFilter", `unsupported filter property ${k}`);
    }
  }
  return (r) => preds.every((p) => p(r));
}

const SORT_PROPS: Record<string, string> = { emailId: "emailId", threadId: "threadId", sentAt: "sendAt" };

export async function submissionQuery(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  const log = mc.services.submissions;
  const queryState = log.state(mc.account.id);
  const filter = args.filter;
  if (filter !== undefined && filter !== null && !isObject(filter))
    throw invalidArgs("filter must be an object");
  const pred = isObject(filter) ? compileFilter(filter, condition) : () => true;
  const sort = args.sort ?? [];
  if (!Array.isArray(sort)) throw invalidArgs("sort must be a list");
  const cmps = (sort as Json[]).map((c) => {
    if (!isObject(c) || typeof c.property !== "string") throw invalidArgs("bad Comparator");
    const prop = SORT_PROPS[c.property];
    if (!prop) throw new MethodError("unsupportedSort", `cannot sort on ${c.property}`);
    const dir = c.isAscending === false ? -1 : 1;
    return (a: SubmissionRecord, b: SubmissionRecord) =>
      dir * String(a.object[prop]).localeCompare(String(b.object[prop]));
  });
  // Without a sort (or on ties): the order of submission.
  const list = log
    .list(mc.account.id)
    .filter(pred)
    .sort((a, b) => cmps.reduce((r, f) => r || f(a, b), 0) || a.seq - b.seq);
  const all = list.map((r) => r.id);
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
