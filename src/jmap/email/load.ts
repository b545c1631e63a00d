// Emails of the authenticated account by JMAP id: a message is this account's only if its
// mailbox is.
import type { ParsedMessage } from "../../store/types.js";
import { parseEmailId } from "../core/ids.js";
import type { MethodContext } from "../core/types.js";
import type { MailboxSet } from "../mailbox/load.js";

export async function loadEmail(
  mc: MethodContext,
  boxes: MailboxSet,
  id: string,
): Promise<ParsedMessage | null> {
  const real = id.startsWith("#") ? mc.createdIds.get(id.slice(1)) : id;
  const n = parseEmailId(real);
  if (n === null) return null;
  const msg = await mc.services.app.store.mail.getMessageById(n);
  if (!msg || !boxes.byId.has(msg.meta.mailboxId)) return null;
  return msg;
}
