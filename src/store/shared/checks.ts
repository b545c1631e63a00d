// Argument checks every store service makes, the same on the SQLite and PostgreSQL stores: a
// Date as epoch milliseconds, a row id and a count, each refused with StoreError "invalid" (a protocol's
// "bad argument", never a crash or a NaN written to a row).
import { StoreError } from "../errors.js";

/** A Date as epoch milliseconds; StoreError "invalid" for anything else (an invalid Date too). */
export function millis(d: Date, what: string): number {
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new StoreError("invalid", `${what} is not a valid date`);
  return t;
}

/** A positive safe integer id, or StoreError "invalid". */
export function checkId(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new StoreError("invalid", `bad ${what} id ${n}`);
}

/** A non-negative safe integer (an offset, a limit, a thread id), or StoreError "invalid". */
export function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new StoreError("invalid", `invalid ${what} ${n}`);
}
