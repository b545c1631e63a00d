// The Message-IDs a stored body is threaded by, computed once when its blob row is inserted, the
// same way by the SQLite (sqlite/blobs.ts) and PostgreSQL (postgres/blobs.ts) stores.
import type { MessageStructure } from "../../mime/types.js";

/** The first "<id>" of a Message-ID field, white space removed, or null if there is none. */
export function firstId(value: string | null): string | null {
  if (!value) return null;
  const m = /<([^<>]+)>/.exec(value);
  const id = m ? m[1]!.replace(/\s+/g, "") : value.trim();
  return id === "" ? null : `<${id}>`;
}

/** Message-IDs that may name an earlier message of the same thread (RFC 5322 3.6.4). */
export function threadRefs(s: MessageStructure): string[] {
  const out = new Set<string>();
  for (const r of s.references) {
    const id = firstId(r);
    if (id) out.add(id);
  }
  if (s.envelope.inReplyTo) {
    for (const m of s.envelope.inReplyTo.matchAll(/<([^<>]+)>/g)) out.add(`<${m[1]!.replace(/\s+/g, "")}>`);
  }
  return [...out];
}
