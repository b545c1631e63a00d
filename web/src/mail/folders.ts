// The folder tree as the sidebar draws it, and the message ids a drag from the list carries.

import type { Mailbox } from "./types";

/** The data type of a drag of messages from the list onto a folder. */
export const DRAG_TYPE = "application/x-yubin-emails";

/** Folders nested deeper than this are drawn at this depth (and a parent loop ends here). */
export const MAX_DEPTH = 10;

/** Roles with a translated name (RFC 8621 2: role values from RFC 6154's registry). */
export const NAMED_ROLES = ["inbox", "drafts", "sent", "trash", "junk", "archive"] as const;
export type NamedRole = (typeof NAMED_ROLES)[number];

export function namedRole(b: Mailbox): NamedRole | null {
  return NAMED_ROLES.find((r) => r === b.role) ?? null;
}

/** How many parents up to the top; bounded, so a parent loop from a faulty server cannot hang. */
export function folderDepth(b: Mailbox, byId: Map<string, Mailbox>): number {
  let d = 0;
  for (let p = b.parentId; p && d < MAX_DEPTH; p = byId.get(p)?.parentId ?? null) d++;
  return d;
}

/** The last part of a folder name written as a path ("Work/2026" → "2026"), for renaming. */
export function folderLeaf(b: Mailbox): string {
  return b.name.split("/").pop() ?? b.name;
}

/** A drag's payload: a JSON array of email ids. Anything else (another page's drag) is none. */
export function draggedIds(raw: string | undefined): string[] {
  if (!raw) return [];
  try {
    const ids = JSON.parse(raw) as unknown;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}
