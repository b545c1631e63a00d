// Mailbox objects (RFC 8621 2.1) from the store's mailboxes: the JMAP name is the last segment
// of the stored "/"-delimited name, parentId the mailbox holding it; role from SPECIAL-USE
// (RFC 8457 names, lower-case), "inbox" for INBOX.
import type { Mailbox, SpecialUse } from "../../store/types.js";
import { mailboxIdOf } from "../core/ids.js";
import type { JsonObject } from "../core/types.js";

export const DELIMITER = "/";

export const MAILBOX_PROPERTIES = [
  "id",
  "name",
  "parentId",
  "role",
  "sortOrder",
  "totalEmails",
  "unreadEmails",
  "totalThreads",
  "unreadThreads",
  "myRights",
  "isSubscribed",
];

const ROLE_OF: Record<SpecialUse, string> = {
  "\\Drafts": "drafts",
  "\\Sent": "sent",
  "\\Trash": "trash",
  "\\Junk": "junk",
  "\\Archive": "archive",
  "\\All": "all",
  "\\Flagged": "flagged",
};
export const SPECIAL_USE_OF: Record<string, SpecialUse> = Object.fromEntries(
  Object.entries(ROLE_OF).map(([u, r]) => [r, u as SpecialUse]),
);

export function roleOf(m: Mailbox): string | null {
  if (m.name === "INBOX") return "inbox";
  return m.specialUse ? ROLE_OF[m.specialUse] : null;
}

export function leafName(m: Mailbox): string {
  const i = m.name.lastIndexOf(DELIMITER);
  return i < 0 ? m.name : m.name.slice(i + 1);
}

export function parentName(m: Mailbox): string | null {
  const i = m.name.lastIndexOf(DELIMITER);
  return i < 0 ? null : m.name.slice(0, i);
}

export interface MailboxStats {
  totalEmails: number;
  unreadEmails: number;
  totalThreads: number;
  unreadThreads: number;
}

/** Sort order: the inbox first, then the other roles, then the rest (by name, in the client). */
function sortOrderOf(m: Mailbox): number {
  const role = roleOf(m);
  if (role === "inbox") return 1;
  return role ? 10 : 100;
}

export function mailboxObject(
  m: Mailbox,
  byName: ReadonlyMap<string, Mailbox>,
  stats: MailboxStats,
  props: readonly string[],
): JsonObject {
  const out: JsonObject = {};
  const isInbox = m.name === "INBOX";
  for (const p of props) {
    switch (p) {
      case "id":
        out.id = mailboxIdOf(m.id);
        break;
      case "name":
        out.name = leafName(m);
        break;
      case "parentId": {
        const parent = parentName(m);
        const pm = parent === null ? undefined : byName.get(parent);
        out.parentId = pm ? mailboxIdOf(pm.id) : null;
        break;
      }
      case "role":
        out.role = roleOf(m);
        break;
      case "sortOrder":
        out.sortOrder = sortOrderOf(m);
        break;
      case "totalEmails":
      case "unreadEmails":
      case "totalThreads":
      case "unreadThreads":
        out[p] = stats[p];
        break;
      case "myRights":
        out.myRights = {
          mayReadItems: true,
          mayAddItems: true,
          mayRemoveItems: true,
          maySetSeen: true,
          maySetKeywords: true,
          mayCreateChild: true,
          mayRename: !isInbox,
          mayDelete: !isInbox,
          maySubmit: true,
        };
        break;
      case "isSubscribed":
        out.isSubscribed = m.subscribed;
        break;
    }
  }
  return out;
}
