// SendingStore on PostgreSQL (tables: schema-accounts.ts): an account's own limits, the log of
// what it sent in the last day, and the freeze that holds its queued mail. The behaviour is the
// SQLite store's (src/store/sqlite/sending.ts). recordSend locks the account's sending_policy row
// (made on first use) before it sums the log, so two nodes counting one account's sends take
// turns: under READ COMMITTED the second one's sums, read after the lock, include the first
// one's committed row, and no count is lost.
import { StoreError } from "../errors.js";
import { millis } from "../shared/checks.js";
import {
  checkLimitsPatch,
  checkSend,
  DAY,
  HOUR,
  type PolicyRow,
  patchedLimits,
  type Sums,
  sendDecision,
  toPolicy,
} from "../shared/sending.js";
import type { SendingStore } from "../types.js";
import { mustAccount } from "./account-kit.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";

/** Ids beyond this exist nowhere (and would not fit the BIGINT parameter). */
const isId = (n: number) => Number.isSafeInteger(n) && n > 0;

const POLICY = `SELECT messages_per_hour, messages_per_day, recipients_per_hour, recipients_per_day,
  frozen_at, frozen_reason FROM sending_policy WHERE account_id = $1`;

/** The account's policy row, made when missing and locked until the transaction ends. */
async function lockPolicy(t: Tx, accountId: number): Promise<PolicyRow> {
  await mustAccount(t, accountId);
  await t.run("INSERT INTO sending_policy (account_id) VALUES ($1) ON CONFLICT DO NOTHING", [accountId]);
  const r = await t.one<PolicyRow>(`${POLICY} FOR UPDATE`, [accountId]);
  if (!r) throw new StoreError("not-found", `no account ${accountId}`);
  return r;
}

export function createSending(ctx: PgCtx): SendingStore {
  const db = ctx.db;
  const sums = async (t: Tx, accountId: number, sent: boolean, after: number): Promise<Sums> =>
    (await t.one<Sums>(
      `SELECT count(*) AS messages, coalesce(sum(recipients), 0) AS recipients FROM sending_log
         WHERE account_id = $1 AND sent = $2 AND at > $3`,
      [accountId, sent, after],
    )) ?? { messages: 0, recipients: 0 };
  const notFound = (id: number) => new StoreError("not-found", `no account ${id}`);

  return {
    async getSendingPolicy(accountId) {
      ctx.assertOpen();
      if (!isId(accountId)) throw notFound(accountId);
      await mustAccount(db, accountId);
      return toPolicy(await db.one<PolicyRow>(POLICY, [accountId]));
    },

    async setSendingLimits(accountId, limits) {
      checkLimitsPatch(limits);
      if (!isId(accountId)) throw notFound(accountId);
      return ctx.write(async (t) => {
        const next = patchedLimits(toPolicy(await lockPolicy(t, accountId)).limits, limits);
        const r = await t.one<PolicyRow>(
          `UPDATE sending_policy SET messages_per_hour = $1, messages_per_day = $2, recipients_per_hour = $3,
             recipients_per_day = $4 WHERE account_id = $5
           RETURNING messages_per_hour, messages_per_day, recipients_per_hour, recipients_per_day,
             frozen_at, frozen_reason`,
          [
            next.messagesPerHour,
            next.messagesPerDay,
            next.recipientsPerHour,
            next.recipientsPerDay,
            accountId,
          ],
        );
        return { value: toPolicy(r) };
      });
    },

    async recordSend(accountId, send) {
      const now = checkSend(send);
      if (!isId(accountId)) throw notFound(accountId);
      return ctx.write(async (t) => {
        await lockPolicy(t, accountId);
        await t.run("DELETE FROM sending_log WHERE account_id = $1 AND at <= $2", [accountId, now - DAY]);
        const hour = await sums(t, accountId, true, now - HOUR);
        const day = await sums(t, accountId, true, now - DAY);
        const refused = await sums(t, accountId, false, now - HOUR);
        const d = sendDecision(send, { hour, day, refused });
        await t.run("INSERT INTO sending_log (account_id, at, recipients, sent) VALUES ($1, $2, $3, $4)", [
          accountId,
          now,
          send.recipients,
          d.allowed,
        ]);
        return { value: d };
      });
    },

    async freezeSending(accountId, opts) {
      const now = millis(opts.now, "now");
      const since = millis(opts.holdSince, "holdSince");
      if (!isId(accountId)) throw notFound(accountId);
      return ctx.write(async (t) => {
        await lockPolicy(t, accountId);
        const frozen =
          (await t.run(
            "UPDATE sending_policy SET frozen_at = $1, frozen_reason = $2 WHERE account_id = $3 AND frozen_at IS NULL",
            [now, opts.reason.slice(0, 500), accountId],
          )) > 0;
        // Held even when it was frozen already: nothing of the account's leaves while frozen.
        // An entry a delivery engine has leased ("sending") is left to finish.
        await t.run(
          `UPDATE queue SET state = 'held' WHERE account_id = $1 AND state IN ('queued', 'deferred')
             AND created_at >= $2`,
          [accountId, since],
        );
        return { value: frozen };
      });
    },

    async unfreezeSending(accountId, now) {
      const at = millis(now, "now");
      if (!isId(accountId)) throw notFound(accountId);
      return ctx.write(async (t) => {
        await lockPolicy(t, accountId);
        await t.run(
          "UPDATE sending_policy SET frozen_at = NULL, frozen_reason = NULL WHERE account_id = $1",
          [accountId],
        );
        // A fresh start: the refusals that froze it would otherwise freeze it again at once.
        await t.run("DELETE FROM sending_log WHERE account_id = $1", [accountId]);
        const released = await t.run(
          "UPDATE queue SET state = 'queued', next_attempt_at = $1 WHERE account_id = $2 AND state = 'held'",
          [at, accountId],
        );
        return { value: released };
      });
    },

    async listFrozen() {
      ctx.assertOpen();
      const rows = await db.rows<{ account_id: number; frozen_at: number; frozen_reason: string | null }>(
        "SELECT account_id, frozen_at, frozen_reason FROM sending_policy WHERE frozen_at IS NOT NULL",
      );
      return new Map(
        rows.map((r) => [r.account_id, { frozenAt: new Date(r.frozen_at), reason: r.frozen_reason ?? "" }]),
      );
    },
  };
}
