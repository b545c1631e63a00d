// Mailbox/changes (RFC 8621 2.3): from the store's account change log. updatedProperties is
// always null: the log does not tell a count change from a rename.
import { mailboxIdOf } from "../core/ids.js";
import { standardChanges } from "../core/standard.js";
import type { JsonObject, MethodContext } from "../core/types.js";

export async function mailboxChanges(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const r = await standardChanges(args, mc, "mailbox", mailboxIdOf);
  return { ...r, updatedProperties: null };
}
