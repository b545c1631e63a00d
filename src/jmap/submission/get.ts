// EmailSubmission/get (RFC 8621 7.1, RFC 8620 5.1) over the recent submissions kept in memory
// (log.ts): ids null returns every kept one.
import { getArgs } from "../core/standard.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";

export const SUBMISSION_PROPERTIES = [
  "id",
  "identityId",
  "emailId",
  "threadId",
  "envelope",
  "sendAt",
  "undoStatus",
  "deliveryStatus",
  "dsnBlobIds",
  "mdnBlobIds",
];

export async function submissionGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { ids, properties } = getArgs(args, mc, {
    defaults: SUBMISSION_PROPERTIES,
    known: (p) => SUBMISSION_PROPERTIES.includes(p),
  });
  const log = mc.services.submissions;
  const state = log.state(mc.account.id);
  const records = ids === null ? [...log.list(mc.account.id)] : [];
  const notFound: string[] = [];
  for (const id of ids ?? []) {
    const r = log.get(mc.account.id, id);
    if (r) records.push(r);
    else notFound.push(id);
  }
  const list: Json[] = records.map((r) => {
    const full: JsonObject = { id: r.id, ...r.object };
    return Object.fromEntries(properties.map((p) => [p, full[p] ?? null]));
  });
  return { accountId: mc.accountId, state, list, notFound };
}
