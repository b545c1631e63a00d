// The change log's read side that holds no SQL, shared by the SQLite (src/store/sqlite/changes.ts)
// and PostgreSQL (src/store/postgres/changes.ts) stores: the object types' codes in object_changes,
// the checks of an objectChangesSince call and how one page of object_changes rows reads as
// RFC 8620 5.2 changes.
import { StoreError } from "../errors.js";
import type { ChangeObjectType, ObjectChange } from "../types.js";

// object_changes.type. Both stores' triggers write these numbers (SQLite: changelog-schema.ts,
// settings-schema.ts, sieve-schema.ts; PostgreSQL: schema-mail.ts, schema-accounts.ts,
// schema-filters.ts), and migrate-store copies the rows as they are: never renumber.
export const EMAIL = 1;
export const MAILBOX = 2;
export const THREAD = 3;
export const IDENTITY = 4;
export const VACATION = 5;
export const SIEVE_SCRIPT = 6;

/** The code of each type the contract's changeState and objectChangesSince name. */
export const TYPE_CODE: Readonly<Record<ChangeObjectType, number>> = {
  email: EMAIL,
  mailbox: MAILBOX,
  thread: THREAD,
  identity: IDENTITY,
  vacationResponse: VACATION,
  sieveScript: SIEVE_SCRIPT,
};

/** One object_changes row; destroyed is 0/1 on SQLite and a boolean on PostgreSQL. */
export interface ChangeRow {
  object_id: number;
  created_seq: number;
  seq: number;
  destroyed: number | boolean;
}

export function checkSinceAndMax(since: number, max: number): void {
  if (!Number.isSafeInteger(since) || since < 0) throw new StoreError("invalid", `invalid state ${since}`);
  if (!Number.isSafeInteger(max) || max < 1) throw new StoreError("invalid", `invalid maximum ${max}`);
}

/** Up to `max` of `rows` (fetched with LIMIT max + 1, in seq order) as changes since `since`: an
 *  object both created and destroyed since then is left out (the client never saw it), one
 *  created since then is "created" whatever updates followed. `last` is the page's last seq when
 *  there are more (the new state); otherwise the caller takes the type's newest seq. */
export function changesPage(
  rows: readonly ChangeRow[],
  since: number,
  max: number,
): { changes: ObjectChange[]; hasMore: boolean; last: number | undefined } {
  const hasMore = rows.length > max;
  const taken = hasMore ? rows.slice(0, max) : rows;
  const changes: ObjectChange[] = [];
  for (const r of taken) {
    const created = r.created_seq > since;
    if (r.destroyed === true || r.destroyed === 1) {
      if (!created) changes.push({ id: r.object_id, kind: "destroyed", seq: r.seq });
    } else changes.push({ id: r.object_id, kind: created ? "created" : "updated", seq: r.seq });
  }
  return { changes, hasMore, last: hasMore ? taken[taken.length - 1]?.seq : undefined };
}
