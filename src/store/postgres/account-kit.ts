// Small checks and conversions the PostgreSQL account services share (settings, sending,
// greylist, sessions, app passwords, second factors, the queue): a unique violation as StoreError "exists", and per-account advisory locks for "count,
// then insert within a bound".
import { StoreError } from "../errors.js";
import type { Tx } from "./db.js";

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = "23505";

/** `p`, with a unique violation (two nodes inserting one key at once) as StoreError "exists". */
export async function uniqueAsExists<T>(p: Promise<T>, message: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if ((e as { code?: string }).code === UNIQUE_VIOLATION) throw new StoreError("exists", message);
    throw e;
  }
}

/** Areas of the advisory locks below (the lock's first key). */
export const LOCK = {
  appPasswords: 0x79_0301,
  credentials: 0x79_0302,
  webSessions: 0x79_0303,
} as const;

/**
 * Holds, until the transaction ends, the lock of (`area`, `key`): the writers of one account's
 * bounded rows (app passwords, passkeys, sessions) take turns, so two nodes cannot both count
 * "one below the bound" and insert. Advisory, not a row lock: the accounts row stays free for the
 * deliveries that update its quota counters. `key` must fit in 32 bits (ids do, by far).
 */
export async function lockFor(t: Tx, area: number, key: number): Promise<void> {
  await t.run("SELECT pg_advisory_xact_lock($1::int, $2::int)", [area, key | 0]);
}

/** Whether the account exists. */
export async function accountExists(q: Pick<Tx, "one">, accountId: number): Promise<boolean> {
  return (await q.one("SELECT 1 FROM accounts WHERE id = $1", [accountId])) !== null;
}

/** StoreError "not-found" unless the account exists. */
export async function mustAccount(q: Pick<Tx, "one">, accountId: number): Promise<void> {
  if (!(await accountExists(q, accountId))) throw new StoreError("not-found", `no account ${accountId}`);
}
