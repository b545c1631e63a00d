// Small checks the PostgreSQL filter and report stores share (spam.ts, sieve.ts, reports.ts,
// report-sending.ts, stats.ts): what PostgreSQL's TEXT cannot hold, advisory locks by area, and
// reads and writes on a store that may have been closed.
import { StoreError } from "../errors.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";

export function invalid(message: string): never {
  throw new StoreError("invalid", message);
}

/** PostgreSQL's TEXT cannot hold U+0000 (the server refuses the whole statement). Text that only
 *  describes something (a report's organisation, a verdict's sender, a TLS error message) keeps
 *  its other characters with each U+0000 as U+FFFD, the replacement character; keys, which must
 *  not be confused with another, are refused instead (noNulKey). */
export function withoutNul(s: string): string {
  return s.includes("\0") ? s.replaceAll("\0", "\ufffd") : s;
}

/** StoreError "invalid" for a key holding U+0000 (see withoutNul). */
export function noNulKey(s: string, what: string): string {
  if (s.includes("\0")) invalid(`${what} contains U+0000`);
  return s;
}

/** Areas of the advisory locks (the lock's first key; account-kit.ts has the account services'). */
export const FILTER_LOCK = {
  /** Key: hashtext(account id and training key): one training of one message at a time. */
  spamTraining: 0x79_0401,
  /** Key: the account id: one writer of an account's scripts at a time (quota, one active). */
  sieveScripts: 0x79_0402,
  /** Key: hashtext(account id and duplicate key). */
  sieveDuplicate: 0x79_0403,
} as const;

/** Holds the lock of (`area`, hashtext(`key`)) until the transaction ends. Advisory rather than a
 *  row lock: what is serialised may have no row yet (a first training, a first script). */
export async function lockText(t: Tx, area: number, key: string): Promise<void> {
  await t.run("SELECT pg_advisory_xact_lock($1::int, hashtext($2))", [area, key]);
}

/** Holds the lock of (`area`, `key`) until the transaction ends; `key` fits in 32 bits (ids do). */
export async function lockId(t: Tx, area: number, key: number): Promise<void> {
  await t.run("SELECT pg_advisory_xact_lock($1::int, $2::int)", [area, key | 0]);
}

/** One transaction of this store (refused once it is closed). Not ctx.write: these writes publish
 *  no mail event and must not wake the full-text indexer (ctx.onCommit). */
export function tx<T>(ctx: PgCtx, fn: (t: Tx) => Promise<T>): Promise<T> {
  ctx.assertOpen();
  return ctx.db.tx(fn);
}

/** The pool, for one-statement reads and writes (refused once the store is closed). */
export function db(ctx: PgCtx): Tx {
  ctx.assertOpen();
  return ctx.db;
}
