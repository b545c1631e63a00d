// The account-wide change log on PostgreSQL (tables and triggers in schema-mail.ts) as the
// contract's changeState / objectChangesSince (RFC 8620 5.2), as the SQLite store
// (src/store/sqlite/changes.ts).
import { StoreError } from "../errors.js";
import {
  type ChangeRow,
  changesPage,
  checkSinceAndMax,
  EMAIL,
  IDENTITY,
  MAILBOX,
  SIEVE_SCRIPT,
  THREAD,
  TYPE_CODE,
  VACATION,
} from "../shared/changes.js";
import type { ChangeObjectType, MailStore, ObjectChanges } from "../types.js";
import type { PgCtx } from "./context.js";

export function createChangeOps(ctx: PgCtx): Pick<MailStore, "changeState" | "objectChangesSince"> {
  const db = ctx.db;
  const read = () => {
    ctx.assertOpen();
    return db;
  };
  return {
    async changeState(accountId: number): Promise<Record<ChangeObjectType, number>> {
      const q = read();
      if (!(await q.one("SELECT 1 FROM change_seq WHERE account_id = $1", [accountId])))
        throw new StoreError("not-found", `no account ${accountId}`);
      // One max per type, each from the (account_id, type, seq) index.
      const rows = await q.rows<{ type: number; seq: number | null }>(
        `SELECT t.type, (SELECT max(seq) FROM object_changes o WHERE o.account_id = $1 AND o.type = t.type) AS seq
         FROM unnest($2::int[]) AS t(type)`,
        [accountId, Object.values(TYPE_CODE)],
      );
      const of = (code: number) => rows.find((r) => r.type === code)?.seq ?? 0;
      return {
        email: of(EMAIL),
        mailbox: of(MAILBOX),
        thread: of(THREAD),
        identity: of(IDENTITY),
        vacationResponse: of(VACATION),
        sieveScript: of(SIEVE_SCRIPT),
      };
    },
    async objectChangesSince(
      accountId: number,
      type: ChangeObjectType,
      since: number,
      max: number,
    ): Promise<ObjectChanges> {
      checkSinceAndMax(since, max);
      const code = TYPE_CODE[type];
      if (code === undefined) throw new StoreError("invalid", `unknown object type ${String(type)}`);
      // One snapshot: the account's seq, the changes and the type's last seq agree.
      return db.tx(
        async (t) => {
          const acc = await t.one<{ seq: number }>("SELECT seq FROM change_seq WHERE account_id = $1", [
            accountId,
          ]);
          if (!acc) throw new StoreError("not-found", `no account ${accountId}`);
          if (since > acc.seq) throw new StoreError("invalid", `state ${since} is in the future`);
          const rows = await t.rows<ChangeRow>(
            `SELECT object_id, created_seq, seq, destroyed FROM object_changes
             WHERE account_id = $1 AND type = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
            [accountId, code, since, max + 1],
          );
          const { changes, hasMore, last } = changesPage(rows, since, max);
          let seq: number;
          if (last !== undefined) seq = last;
          else {
            const top = await t.one<{ seq: number | null }>(
              "SELECT max(seq) AS seq FROM object_changes WHERE account_id = $1 AND type = $2",
              [accountId, code],
            );
            seq = Math.max(since, top?.seq ?? 0);
          }
          return { changes, hasMore, seq };
        },
        { isolation: "repeatable read" },
      );
    },
  };
}
