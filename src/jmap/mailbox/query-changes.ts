// Mailbox/queryChanges (RFC 8621 2.4, RFC 8620 5.6): the results of mailbox/query.ts against
// the account's Mailbox change log (core/query-changes.ts). A rename logs the renamed mailbox
// and its children, so tree sorts and parentId filters are covered.
import { mailboxIdOf } from "../core/ids.js";
import { standardQueryChanges } from "../core/query-changes.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { mailboxResults } from "./query.js";

export const mailboxQueryChanges = (args: JsonObject, mc: MethodContext): Promise<JsonObject> =>
  standardQueryChanges(args, mc, {
    type: "mailbox",
    toId: mailboxIdOf,
    canCalculate: true,
    results: () => mailboxResults(args, mc),
  });
