// The outbound queue: entries reference their body as a refcounted blob, like messages, and are
// group-committed, so enqueue() resolves only once the entry and its body are on disk.
import { StoreError } from "../errors.js";
import { hashBody } from "../shared/body-hash.js";
import {
  checkNewEntry,
  checkQueuePatch,
  patchedEntry,
  type QueuePatch,
  type QueueRow,
  toClaimed,
  toQueued,
} from "../shared/queue.js";
import type { NewQueuedMessage, QueuedMessage, QueueStore } from "../types.js";
import type { Ctx } from "./context.js";

export function createQueue(ctx: Ctx): QueueStore {
  const db = ctx.db;
  const select = `SELECT q.*, b.hash FROM queue q JOIN blobs b ON b.id = q.blob_id`;
  const s = {
    insert: db.prepare<
      [
        number,
        number,
        string,
        string,
        string | null,
        string | null,
        number | null,
        number,
        number,
        string,
        string | null,
      ]
    >(
      `INSERT INTO queue (blob_id, size, mail_from, recipients, env_id, ret, account_id, created_at, next_attempt_at,
         attempts, state, cid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    ),
    get: db.prepare<[number], QueueRow>(`${select} WHERE q.id = ?`),
    all: db.prepare<[], QueueRow>(`${select} ORDER BY q.next_attempt_at, q.id`),
    byState: db.prepare<[string], QueueRow>(`${select} WHERE q.state = ? ORDER BY q.next_attempt_at, q.id`),
    update: db.prepare<[string, number, number, string | null, string, number]>(
      "UPDATE queue SET state = ?, next_attempt_at = ?, attempts = ?, last_error = ?, recipients = ? WHERE id = ?",
    ),
    del: db.prepare<[number]>("DELETE FROM queue WHERE id = ?"),
    due: db.prepare<[number, number], { id: number }>(
      `SELECT id FROM queue WHERE state IN ('queued', 'deferred', 'sending') AND next_attempt_at <= ?
         ORDER BY next_attempt_at, id LIMIT ?`,
    ),
    claim: db.prepare<[number, number]>(
      "UPDATE queue SET state = 'sending', next_attempt_at = ?, lease = lease + 1 WHERE id = ?",
    ),
    renew: db.prepare<[number, number, number]>(
      "UPDATE queue SET next_attempt_at = ? WHERE id = ? AND lease = ?",
    ),
    leaseOf: db.prepare<[number], { lease: number }>("SELECT lease FROM queue WHERE id = ?"),
    delLeased: db.prepare<[number, number]>("DELETE FROM queue WHERE id = ? AND lease = ?"),
    account: db.prepare<[number], { id: number }>("SELECT id FROM accounts WHERE id = ?"),
    stats: db.prepare<[], { n: number; deferred: number; oldest: number | null }>(
      `SELECT COUNT(*) AS n, COALESCE(SUM(state = 'deferred'), 0) AS deferred, MIN(created_at) AS oldest
         FROM queue WHERE state NOT IN ('done', 'failed')`,
    ),
  };
  const must = (id: number): QueueRow => {
    const r = s.get.get(id);
    if (!r) throw new StoreError("not-found", `no queue entry ${id}`);
    return r;
  };
  /** Writes a checked patch over entry `id` (inside a write transaction). */
  const update = (id: number, patch: QueuePatch): QueuedMessage => {
    const next = patchedEntry(toQueued(must(id)), patch);
    s.update.run(
      next.state,
      next.nextAttemptAt.getTime(),
      next.attempts,
      next.lastError,
      JSON.stringify(next.recipients),
      id,
    );
    return next;
  };

  return {
    async enqueue(msg: NewQueuedMessage): Promise<QueuedMessage> {
      ctx.assertOpen();
      const { recipients, ret, state } = checkNewEntry(msg);
      const body = msg.body;
      const hash = hashBody(body);
      return ctx.writer.submit({
        prepare: () => ctx.blobs.prepare(hash, body),
        finish: () => ctx.blobs.release(hash),
        run: () => {
          const accountId = msg.accountId ?? null;
          if (accountId !== null && !s.account.get(accountId)) {
            throw new StoreError("not-found", `no account ${accountId}`);
          }
          const blob = ctx.blobs.acquire(hash, body);
          const now = Date.now();
          const id = Number(
            s.insert.run(
              blob.id,
              body.length,
              msg.mailFrom ?? "",
              JSON.stringify(recipients),
              msg.envId ?? null,
              ret,
              accountId,
              now,
              now,
              state,
              msg.cid ?? null,
            ).lastInsertRowid,
          );
          return { value: toQueued(must(id)) };
        },
      });
    },
    async listQueue(opts?: { state?: QueuedMessage["state"] }) {
      return ctx.read(() =>
        (opts?.state === undefined ? s.all.all() : s.byState.all(opts.state)).map(toQueued),
      );
    },
    async queueStats() {
      return ctx.read(() => {
        const r = s.stats.get();
        return {
          count: r?.n ?? 0,
          deferred: r?.deferred ?? 0,
          oldest: r?.oldest == null ? null : new Date(r.oldest),
        };
      });
    },
    async getQueued(id: number) {
      return ctx.read(() => {
        const r = s.get.get(id);
        return r ? toQueued(r) : null;
      });
    },
    // Updates, claims and removals ride the group commit too: one fsync for many, and none on the
    // main thread (bench:relay removed each delivered message in a transaction of its own).
    async updateQueued(id, patch) {
      return ctx.grouped(() => ({ value: update(id, checkQueuePatch(patch)) }));
    },
    // The lease-conditional writes: the token is read and the row written in one write
    // transaction of the group commit, so no claim comes between.
    async updateLeased(id, lease, patch) {
      const checked = checkQueuePatch(patch);
      return ctx.grouped(() => ({ value: s.leaseOf.get(id)?.lease === lease ? update(id, checked) : null }));
    },
    async renewLease(id, lease, until) {
      const t = until instanceof Date ? until.getTime() : Number.NaN;
      if (!Number.isFinite(t)) throw new StoreError("invalid", "invalid lease end");
      return ctx.grouped(() => ({ value: s.renew.run(t, id, lease).changes > 0 }));
    },
    async removeLeased(id, lease) {
      return ctx.grouped(() => ({ value: s.delLeased.run(id, lease).changes > 0 }));
    },
    async claimQueued(opts) {
      const now = opts.now.getTime();
      const until = opts.leaseUntil.getTime();
      if (!Number.isFinite(now) || !Number.isFinite(until) || until <= now)
        throw new StoreError("invalid", "leaseUntil must be after now");
      if (!Number.isSafeInteger(opts.limit) || opts.limit < 1)
        throw new StoreError("invalid", "invalid limit");
      return ctx.grouped(() => {
        const ids = s.due.all(now, opts.limit).map((r) => r.id);
        for (const id of ids) s.claim.run(until, id);
        return { value: ids.map((id) => toClaimed(must(id))) };
      });
    },
    async removeQueued(id: number) {
      await ctx.grouped(() => {
        if (s.del.run(id).changes === 0) throw new StoreError("not-found", `no queue entry ${id}`);
        return { value: undefined };
      });
    },
  };
}
