// Greylisting's backend-neutral pieces (RFC 6647 §2.2): the rows as both stores read them, how
// often a passing entry is rewritten, how many expired entries each new one sweeps, and the check
// on a policy's counts. Used by the SQLite (sqlite/greylist.ts) and PostgreSQL
// (postgres/greylist.ts) stores.
import { StoreError } from "../errors.js";

export interface TripletRow {
  first_seen: number;
  passed_at: number | null;
  touched_at: number;
  expires_at: number;
}

export interface NetworkRow {
  passes: number;
  touched_at: number;
  expires_at: number;
}

/** A passing entry is written again (its expiry moved) at most this often: the TTL counts from
 *  the last pass to within the hour, and a steady sender costs no write per message. */
export const REFRESH_MS = 3_600_000;
/** Expired entries removed by each new triplet, so the tables stay bounded without a timer:
 *  more are removed than created whenever any have expired. */
export const SWEEP_PER_INSERT = 8;

/** A policy's count (a delay, a window, a threshold) is a non-negative safe integer. */
export function count(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new StoreError("invalid", `greylist ${name} ${v}`);
}
