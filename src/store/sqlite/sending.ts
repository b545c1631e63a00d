// Per-account outbound sending (SendingStore): the limits an admin set for an account, the log of
// what it sent in the last day, and the freeze that holds its queued mail. Tables:
// sending-schema.ts. recordSend checks and records in one transaction, so two sessions of one
// account sending at once cannot both slip under a limit.
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
import type { Ctx } from "./context.js";

export function createSending(ctx: Ctx): SendingStore {
  const db = ctx.db;
  const s = {
    account: db.prepare<[number], { id: number }>("SELECT id FROM accounts WHERE id = ?"),
    policy: db.prepare<[number], PolicyRow>("SELECT * FROM sending_policy WHERE account_id = ?"),
    ensure: db.prepare<[number]>("INSERT OR IGNORE INTO sending_policy (account_id) VALUES (?)"),
    setLimits: db.prepare<[number | null, number | null, number | null, number | null, number]>(
      `UPDATE sending_policy SET messages_per_hour = ?, messages_per_day = ?, recipients_per_hour = ?,
         recipients_per_day = ? WHERE account_id = ?`,
    ),
    prune: db.prepare<[number, number]>(
      "DELETE FROM sending_log WHERE account_id = ? AND sent IN (0, 1) AND at <= ?",
    ),
    sums: db.prepare<[number, number, number], Sums>(
      `SELECT count(*) AS messages, coalesce(sum(recipients), 0) AS recipients FROM sending_log
         WHERE account_id = ? AND sent = ? AND at > ?`,
    ),
    log: db.prepare<[number, number, number, number]>(
      "INSERT INTO sending_log (account_id, at, recipients, sent) VALUES (?, ?, ?, ?)",
    ),
    forget: db.prepare<[number]>("DELETE FROM sending_log WHERE account_id = ?"),
    freeze: db.prepare<[number, string, number]>(
      "UPDATE sending_policy SET frozen_at = ?, frozen_reason = ? WHERE account_id = ? AND frozen_at IS NULL",
    ),
    unfreeze: db.prepare<[number]>(
      "UPDATE sending_policy SET frozen_at = NULL, frozen_reason = NULL WHERE account_id = ?",
    ),
    hold: db.prepare<[number, number]>(
      `UPDATE queue SET state = 'held' WHERE account_id = ? AND state IN ('queued', 'deferred')
         AND created_at >= ?`,
    ),
    release: db.prepare<[number, number]>(
      "UPDATE queue SET state = 'queued', next_attempt_at = ? WHERE account_id = ? AND state = 'held'",
    ),
    frozen: db.prepare<[], { account_id: number; frozen_at: number; frozen_reason: string | null }>(
      "SELECT account_id, frozen_at, frozen_reason FROM sending_policy WHERE frozen_at IS NOT NULL",
    ),
  };
  const mustAccount = (id: number): void => {
    if (!s.account.get(id)) throw new StoreError("not-found", `no account ${id}`);
  };

  return {
    async getSendingPolicy(accountId) {
      return ctx.read(() => {
        mustAccount(accountId);
        return toPolicy(s.policy.get(accountId));
      });
    },
    async setSendingLimits(accountId, limits) {
      checkLimitsPatch(limits);
      return ctx.grouped(() => {
        mustAccount(accountId);
        s.ensure.run(accountId);
        const next = patchedLimits(toPolicy(s.policy.get(accountId)).limits, limits);
        s.setLimits.run(
          next.messagesPerHour,
          next.messagesPerDay,
          next.recipientsPerHour,
          next.recipientsPerDay,
          accountId,
        );
        return { value: toPolicy(s.policy.get(accountId)) };
      });
    },
    async recordSend(accountId, send) {
      const now = checkSend(send);
      return ctx.grouped(() => {
        mustAccount(accountId);
        s.prune.run(accountId, now - DAY);
        const hour = s.sums.get(accountId, 1, now - HOUR)!;
        const day = s.sums.get(accountId, 1, now - DAY)!;
        const refused = s.sums.get(accountId, 0, now - HOUR)!;
        const d = sendDecision(send, { hour, day, refused });
        s.log.run(accountId, now, send.recipients, d.allowed ? 1 : 0);
        return { value: d };
      });
    },
    async freezeSending(accountId, opts) {
      const now = millis(opts.now, "now");
      const since = millis(opts.holdSince, "holdSince");
      return ctx.grouped(() => {
        mustAccount(accountId);
        s.ensure.run(accountId);
        const frozen = s.freeze.run(now, opts.reason.slice(0, 500), accountId).changes > 0;
        // Held even when it was frozen already: nothing of the account's leaves while frozen.
        s.hold.run(accountId, since);
        return { value: frozen };
      });
    },
    async unfreezeSending(accountId, now) {
      const t = millis(now, "now");
      return ctx.grouped(() => {
        mustAccount(accountId);
        s.unfreeze.run(accountId);
        // A fresh start: the refusals that froze it would otherwise freeze it again at once.
        s.forget.run(accountId);
        return { value: s.release.run(t, accountId).changes };
      });
    },
    async listFrozen() {
      return ctx.read(
        () =>
          new Map(
            s.frozen
              .all()
              .map((r) => [r.account_id, { frozenAt: new Date(r.frozen_at), reason: r.frozen_reason ?? "" }]),
          ),
      );
    },
  };
}
