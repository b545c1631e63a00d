// The SieveStore's checks and rules that hold no SQL, the same on the SQLite (sqlite/sieve.ts) and
// PostgreSQL (postgres/sieve.ts) stores: script names (RFC 5804 1.6) and text, the duplicate
// test's period (RFC 7352 3), its bounds, and the listing's order.
import { StoreError } from "../errors.js";

/** Longest script name, in Unicode characters (RFC 5804 1.6 asks servers to allow at least 128). */
export const SIEVE_NAME_MAX = 128;
/** Longest duplicate key kept: the interpreter hashes or composes it, so this only stops abuse. */
export const DUPLICATE_KEY_MAX = 1024;
/** Expired duplicate records removed by each one recorded: more than one, so the expired rows
 *  shrink under any traffic and the table stays bounded by the keys still within their period,
 *  with no timer (and nothing grows in quiet times, when nothing is recorded). */
export const DUPLICATE_SWEEP_PER_RECORD = 2;

/** No lone surrogates: the text survives UTF-8 (what ManageSieve and JMAP carry) unchanged. */
const wellFormed = (t: string): boolean => Buffer.from(t, "utf8").toString("utf8") === t;

/** RFC 5804 1.6: a script name is 1–128 Unicode characters and none of them a control character
 *  (0000-001F, 007F-009F), a line or paragraph separator (2028, 2029). Kept exactly as given. */
export function checkSieveName(raw: unknown): string {
  if (typeof raw !== "string" || !wellFormed(raw))
    throw new StoreError("invalid", "a script name must be a string of Unicode characters");
  let n = 0;
  for (const ch of raw) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x2028 || c === 0x2029)
      throw new StoreError("invalid", "a script name may not contain control characters");
    n++;
  }
  if (n === 0 || n > SIEVE_NAME_MAX)
    throw new StoreError("invalid", `a script name must be 1 to ${SIEVE_NAME_MAX} characters`);
  return raw;
}

/** A script's text: any well-formed string (U+0000 included; the compiler judges the rest). */
export function checkSieveContent(raw: unknown): string {
  if (typeof raw !== "string" || !wellFormed(raw))
    throw new StoreError("invalid", "a script must be UTF-8 text");
  return raw;
}

/** A duplicate test's period (:seconds), a non-negative number. */
export function checkPeriod(seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < 0) throw new StoreError("invalid", `bad period ${seconds}`);
}

/** RFC 7352 3: a duplicate when the key was recorded less than `seconds` before `t`. */
export const seenWithin = (seenAt: number | undefined, t: number, seconds: number): boolean =>
  seenAt !== undefined && t - seenAt < seconds * 1000;

// Names compare exactly (RFC 5804 1.6 leaves it to the server; exact keeps "Rules" and "rules"
// apart as ManageSieve clients expect), so the listing sorts by code unit, not by locale.
export const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** sweepDuplicates' limit, a positive safe integer. */
export function checkSweepLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new StoreError("invalid", `bad limit ${limit}`);
}
