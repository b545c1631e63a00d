// State strings (RFC 8620 5.1): the store's account-wide change seq of the object type, as a
// decimal string. The seq grows with every change of that type made by any protocol (SMTP,
// IMAP, JMAP), so IMAP STORE shows up in Email/changes and JMAP Email/set in IMAP's modseq.
import type { ChangeObjectType } from "../../store/types.js";
import { MethodError } from "./errors.js";
import type { MethodContext } from "./types.js";

export async function currentState(mc: MethodContext, type: ChangeObjectType): Promise<string> {
  const s = await mc.services.app.store.mail.changeState(mc.account.id);
  return String(s[type]);
}

/** A sinceState from the client; anything else than our own decimal state cannot be answered. */
export function parseState(s: unknown): number {
  if (typeof s !== "string" || !/^(0|[1-9][0-9]{0,15})$/.test(s)) {
    throw new MethodError("cannotCalculateChanges", "unknown state");
  }
  return Number(s);
}
