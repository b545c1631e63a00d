// RFC 7352 duplicate: which value identifies the message (:uniqueid, a :header's value, or by
// default the Message-ID) and the key the host remembers it under (with the :handle, so tests
// with different handles keep separate lists, RFC 7352 3.3).
import { createHash } from "node:crypto";

export interface DuplicateBounds {
  defaultSeconds: number;
  maxSeconds: number;
}

/** RFC 7352 3.4: :seconds, or the site default, never above the site maximum. */
export function duplicateSeconds(seconds: number | null, b: DuplicateBounds): number {
  return Math.min(seconds ?? b.defaultSeconds, b.maxSeconds);
}

/** RFC 7352 3.1: the Message-ID (or :header) value compared as a string, without the folding
 *  and surrounding white space, so a re-folded copy is still the same message. Null when there
 *  is no such field, or it is empty: the test is then false and nothing is recorded. */
export function uniqueValue(fieldValue: string | null): string | null {
  if (fieldValue === null) return null;
  const v = fieldValue.replace(/\r?\n(?=[ \t])/g, "").trim();
  return v === "" ? null : v;
}

/** The key the host stores: a hash, so a long hostile Message-ID costs the store 64 bytes. */
export function duplicateKey(handle: string | null, unique: string): string {
  return createHash("sha256")
    .update(`${handle === null ? "-" : `h:${handle}`}\0${unique}`)
    .digest("hex");
}
