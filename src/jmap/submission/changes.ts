// EmailSubmission/changes (RFC 8621 7.2, RFC 8620 5.2) from the in-memory log (log.ts):
// records are never updated (every submission is final at once), so "updated" is always empty.
import { checkAccount, optUint } from "../core/args.js";
import { invalidArgs, MethodError } from "../core/errors.js";
import type { JsonObject, MethodContext } from "../core/types.js";

export async function submissionChanges(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  const log = mc.services.submissions;
  const since = log.parseState(mc.account.id, args.sinceState);
  const asked = optUint(args, "maxChanges");
  if (asked === 0) throw invalidArgs("maxChanges must be positive");
  if (since === null) throw new MethodError("cannotCalculateChanges", "unknown state");
  const max = Math.min(asked ?? mc.services.limits.maxChanges, mc.services.limits.maxChanges);
  const r = log.changesSince(mc.account.id, since, max);
  if (!r) throw new MethodError("cannotCalculateChanges", "changes since that state are no longer kept");
  return {
    accountId: mc.accountId,
    oldState: args.sinceState as string,
    newState: r.newState,
    hasMoreChanges: r.hasMore,
    created: r.created,
    updated: [],
    destroyed: r.destroyed,
  };
}
