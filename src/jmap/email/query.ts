// Email/query (RFC 8621 4.4; paging RFC 8620 5.5): filter, sort (receivedAt, sentAt, size,
// from, to, subject, hasKeyword), collapseThreads, position / anchor / limit, calculateTotal.
// How results are found is query-plan.ts: a message list (inMailbox + receivedAt) is paged from
// the store's index; other queries are computed over the candidate messages. queryState is the
// Email state, read before the results so that a change racing with the query shows up again in
// Email/queryChanges rather than being lost. canCalculateChanges is true except with
// collapseThreads (see query-changes.ts).
import { checkAccount, optBool } from "../core/args.js";
import { MethodError } from "../core/errors.js";
import { emailIdOf, parseEmailId } from "../core/ids.js";
import { pageIds, pageRange } from "../core/standard.js";
import { currentState } from "../core/state.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { loadMailboxes } from "../mailbox/load.js";
import { allResults, planQuery, type QueryPlan } from "./query-plan.js";

export async function emailQuery(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  const boxes = await loadMailboxes(mc);
  const plan = planQuery(args, boxes, mc);
  const queryState = await currentState(mc, "email");
  const max = mc.services.limits.maxQueryResults;
  const page = plan.fast && !plan.empty ? await fastPage(args, mc, plan) : null;
  let ids: string[];
  let position: number;
  let limit: number | null;
  let total: () => Promise<number> | number;
  if (page) {
    ({ ids, position, limit, total } = page);
  } else {
    const all = (await allResults(mc, plan)).map(emailIdOf);
    ({ ids, position, limit } = await pageIds(args, all, max));
    total = () => all.length;
  }
  const out: JsonObject = {
    accountId: mc.accountId,
    queryState,
    canCalculateChanges: !plan.collapse,
    position,
    ids,
    collapseThreads: plan.collapse,
  };
  if (optBool(args, "calculateTotal", false)) out.total = await total();
  if (limit !== null) out.limit = limit;
  return out;
}

/** One page of the indexed case: the page and the anchor's position from the date index; the
 *  total (a count over an index) only when calculateTotal or a negative position needs it, or
 *  the page is past the end (the position is then the end, as in the general case). */
async function fastPage(
  args: JsonObject,
  mc: MethodContext,
  plan: QueryPlan,
): Promise<{ ids: string[]; position: number; limit: number | null; total: () => Promise<number> }> {
  const store = mc.services.app.store.mail;
  const box = plan.fast!.mailbox;
  const order = { ascending: plan.fast!.ascending, collapseThreads: plan.collapse };
  let counted: Promise<number> | null = null;
  const total = () => {
    counted ??= store.mailboxMessageCount(box.id, order);
    return counted;
  };
  const range = await pageRange(args, total, mc.services.limits.maxQueryResults, async (anchor) => {
    const n = parseEmailId(anchor);
    const at = n === null ? null : await store.mailboxMessagePosition(box.id, n, order);
    if (at === null) throw new MethodError("anchorNotFound");
    return at;
  });
  const nums = await store.mailboxMessageIds(box.id, order, { offset: range.position, limit: range.count });
  const position =
    nums.length === 0 && range.position > 0 ? Math.min(range.position, await total()) : range.position;
  return { ids: nums.map(emailIdOf), position, limit: range.limit, total };
}
