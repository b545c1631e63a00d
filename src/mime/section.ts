// IMAP section numbers (RFC 3501 6.4.5) to parts.

import type { MessageStructure, MimePart } from "./types.js";

/** The numbered parts of a message: a multipart's children, or the body itself as part 1 of a
 *  non-multipart message. */
function topParts(m: MessageStructure): MimePart[] {
  return m.root.parts.length > 0 ? m.root.parts : [m.root];
}

/** The part at an IMAP section path ([] = the whole message), or null if there is none. For a
 *  message/rfc822 part N, N.1... are the parts of the encapsulated message. */
export function partAt(structure: MessageStructure, path: number[]): MimePart | null {
  if (path.length === 0) return structure.root;
  let list = topParts(structure);
  let part: MimePart | null = null;
  for (const n of path) {
    if (!Number.isInteger(n) || n < 1) return null;
    part = list[n - 1] ?? null;
    if (part === null) return null;
    list = part.message !== null ? topParts(part.message) : part.parts;
  }
  return part;
}
