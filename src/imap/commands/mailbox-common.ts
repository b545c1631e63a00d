// Lookups shared by the mailbox commands.
import type { Mailbox } from "../../store/types.js";
import { no, type ResponseCode } from "../errors.js";
import type { Session } from "./context.js";

export const DELIMITER = "/";

export async function findMailbox(
  s: Session,
  name: string,
  code: ResponseCode = "NONEXISTENT",
): Promise<Mailbox> {
  const account = s.requireAccount();
  const mb = await s.app.store.mail.getMailbox(account.id, name);
  if (!mb) throw no("No such mailbox", code);
  return mb;
}

/** RFC 9051 5.1: names are non-empty, without a leading, trailing or doubled delimiter; no wildcards. */
export function checkNewName(name: string): string {
  const n = name.endsWith(DELIMITER) ? name.slice(0, -1) : name;
  if (n === "" || n.startsWith(DELIMITER) || n.includes("//") || /[*%\r\n\0]/.test(n))
    throw no("Invalid mailbox name", "CANNOT");
  return n;
}

export const SYSTEM_FLAGS = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];
