// Email/queryChanges (RFC 8621 4.5, RFC 8620 5.6): the same filter and sort as Email/query
// (query-plan.ts), changes from the account's Email change log (core/query-changes.ts).
// With collapseThreads the Email shown for a thread can change when another Email of it
// changes, which the Email log alone does not say: cannotCalculateChanges, and Email/query
// answers canCalculateChanges false for such queries.
import { checkAccount } from "../core/args.js";
import { emailIdOf } from "../core/ids.js";
import { standardQueryChanges } from "../core/query-changes.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { loadMailboxes } from "../mailbox/load.js";
import { allResults, planQuery } from "./query-plan.js";

export async function emailQueryChanges(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  const plan = planQuery(args, await loadMailboxes(mc), mc);
  return standardQueryChanges(args, mc, {
    type: "email",
    toId: emailIdOf,
    canCalculate: !plan.collapse,
    results: () => allResults(mc, plan),
  });
}
