// The account-wide change log (tables and triggers in changelog-schema.ts) as the contract's
// changeState / objectChangesSince, plus the account-wide message listings JMAP needs.
import { StoreError } from "../errors.js";
import {
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
import { checkCount } from "../shared/checks.js";
import type { ChangeObjectType, MessageMeta, ObjectChanges } from "../types.js";
import type { Ctx } from "./context.js";
import { MESSAGE_SELECT, type MessageTuple, toMeta } from "./rows.js";

/** Most thread ids looked up in one statement (SQLite's variable limit is far above). */
const THREAD_CHUNK = 500;

export function createChangeOps(ctx: Ctx) {
  const db = ctx.db;
  const s = {
    accountSeq: db.prepare<[number], { seq: number }>("SELECT seq FROM change_seq WHERE account_id = ?"),
    typeSeq: db.prepare<[number, number], { seq: number | null }>(
      "SELECT max(seq) AS seq FROM object_changes WHERE account_id = ? AND type = ?",
    ),
    since: db.prepare<
      [number, number, number, number],
      { object_id: number; created_seq: number; seq: number; destroyed: number }
    >(
      `SELECT object_id, created_seq, seq, destroyed FROM object_changes
       WHERE account_id = ? AND type = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    account: db.prepare<[number], MessageTuple>(
      `${MESSAGE_SELECT} WHERE m.account_id = ? ORDER BY m.internal_date DESC, m.id DESC`,
    ),
  };
  s.account.raw(true);

  const mustSeq = (accountId: number): number => {
    const r = s.accountSeq.get(accountId);
    if (!r) throw new StoreError("not-found", `no account ${accountId}`);
    return r.seq;
  };

  return {
    async changeState(accountId: number): Promise<Record<ChangeObjectType, number>> {
      return ctx.read(() => {
        mustSeq(accountId);
        const of = (t: number) => s.typeSeq.get(accountId, t)?.seq ?? 0;
        return {
          email: of(EMAIL),
          mailbox: of(MAILBOX),
          thread: of(THREAD),
          identity: of(IDENTITY),
          vacationResponse: of(VACATION),
          sieveScript: of(SIEVE_SCRIPT),
        };
      });
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
      return ctx.read(() => {
        if (since > mustSeq(accountId)) throw new StoreError("invalid", `state ${since} is in the future`);
        const rows = s.since.all(accountId, code, since, max + 1);
        const { changes, hasMore, last } = changesPage(rows, since, max);
        const seq = last ?? Math.max(since, s.typeSeq.get(accountId, code)?.seq ?? 0);
        return { changes, hasMore, seq };
      });
    },
    async threadMessages(accountId: number, threadIds: number[]): Promise<MessageMeta[]> {
      for (const t of threadIds) checkCount(t, "thread id");
      const ids = [...new Set(threadIds)];
      return ctx.read(() => {
        const out: MessageMeta[] = [];
        for (let i = 0; i < ids.length; i += THREAD_CHUNK) {
          const chunk = ids.slice(i, i + THREAD_CHUNK);
          const stmt = db
            .prepare<number[], MessageTuple>(
              `${MESSAGE_SELECT} WHERE m.account_id = ? AND m.thread_id IN (${chunk.map(() => "?").join(",")})`,
            )
            .raw(true);
          for (const t of stmt.all(accountId, ...chunk)) out.push(toMeta(t));
        }
        return out.sort((a, b) => a.internalDate.getTime() - b.internalDate.getTime() || a.id - b.id);
      });
    },
    async listAccountMessages(accountId: number): Promise<MessageMeta[]> {
      return ctx.read(() => s.account.all(accountId).map(toMeta));
    },
  };
}
