// The outbound queue on PostgreSQL (table: schema-accounts.ts), shared by every delivery engine
// of a cluster. Entries reference their body as a refcounted blob, like messages (blobs.ts; the
// queue's trigger keeps the count). enqueue() resolves once the entry and its body are committed.
//
// claimQueued is one statement: the due entries, oldest due first, are locked with
// SELECT … FOR UPDATE SKIP LOCKED and leased ("sending", nextAttemptAt = the lease's end) in the
// same statement, so two engines claiming at once each take different entries and neither waits
// for the other; an entry whose lease ran out (its engine died) is due again. A claim commits
// before the engine sees the entry, so a crash after it costs only the lease's wait.
import { StoreError } from "../errors.js";
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
import { accountExists } from "./account-kit.js";
import { storeBlob } from "./blobs.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";

/** Most entries one claim leases: a batch, not the queue. */
const CLAIM_MAX = 10_000;

/** The row's columns as QueueRow names them, `q` being the queue row. */
const columns = (
  q: string,
) => `${q}.id, b.hash, ${q}.size, ${q}.mail_from, ${q}.recipients, ${q}.env_id, ${q}.ret,
  ${q}.account_id, ${q}.created_at, ${q}.next_attempt_at, ${q}.attempts, ${q}.last_error, ${q}.state, ${q}.cid, ${q}.lease`;
const SELECT = `SELECT ${columns("q")} FROM queue q JOIN blobs b ON b.id = q.blob_id`;

/** Ids are positive safe integers; anything else names no entry. */
const isId = (n: number) => Number.isSafeInteger(n) && n > 0;

async function must(t: Pick<Tx, "one">, id: number, lock = false): Promise<QueueRow> {
  const r = isId(id)
    ? await t.one<QueueRow>(`${SELECT} WHERE q.id = $1${lock ? " FOR UPDATE OF q" : ""}`, [id])
    : null;
  if (!r) throw new StoreError("not-found", `no queue entry ${id}`);
  return r;
}

/** Writes a checked patch over the locked row `row` (inside a write transaction). */
async function update(t: Pick<Tx, "run">, row: QueueRow, patch: QueuePatch): Promise<QueuedMessage> {
  const next = patchedEntry(toQueued(row), patch);
  await t.run(
    `UPDATE queue SET state = $1, next_attempt_at = $2, attempts = $3, last_error = $4, recipients = $5
       WHERE id = $6`,
    [
      next.state,
      next.nextAttemptAt.getTime(),
      next.attempts,
      next.lastError,
      JSON.stringify(next.recipients),
      next.id,
    ],
  );
  return next;
}

export function createQueue(ctx: PgCtx): QueueStore {
  const db = ctx.db;
  return {
    async enqueue(msg: NewQueuedMessage): Promise<QueuedMessage> {
      ctx.assertOpen();
      const { recipients, ret, state } = checkNewEntry(msg);
      const accountId = msg.accountId ?? null;
      if (accountId !== null && !isId(accountId))
        throw new StoreError("not-found", `no account ${accountId}`);
      const body = msg.body;
      return ctx.write(async (t) => {
        if (accountId !== null && !(await accountExists(t, accountId)))
          throw new StoreError("not-found", `no account ${accountId}`);
        const blob = await storeBlob(t, body, ctx);
        const now = Date.now();
        const row = await t.one<{ id: number }>(
          `INSERT INTO queue (blob_id, size, mail_from, recipients, env_id, ret, account_id, created_at,
             next_attempt_at, attempts, state, cid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 0, $9, $10)
           RETURNING id`,
          [
            blob.id,
            body.length,
            msg.mailFrom ?? "",
            JSON.stringify(recipients),
            msg.envId ?? null,
            ret,
            accountId,
            now,
            state,
            msg.cid ?? null,
          ],
        );
        return { value: toQueued(await must(t, row!.id)) };
      });
    },

    async listQueue(opts?: { state?: QueuedMessage["state"] }) {
      ctx.assertOpen();
      const rows =
        opts?.state === undefined
          ? await db.rows<QueueRow>(`${SELECT} ORDER BY q.next_attempt_at, q.id`)
          : await db.rows<QueueRow>(`${SELECT} WHERE q.state = $1 ORDER BY q.next_attempt_at, q.id`, [
              opts.state,
            ]);
      return rows.map(toQueued);
    },

    async queueStats() {
      ctx.assertOpen();
      const r = await db.one<{ n: number; deferred: number; oldest: number | null }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE state = 'deferred') AS deferred, min(created_at) AS oldest
           FROM queue WHERE state NOT IN ('done', 'failed')`,
      );
      return {
        count: r?.n ?? 0,
        deferred: r?.deferred ?? 0,
        oldest: r?.oldest == null ? null : new Date(r.oldest),
      };
    },

    async getQueued(id: number) {
      ctx.assertOpen();
      if (!isId(id)) return null;
      const r = await db.one<QueueRow>(`${SELECT} WHERE q.id = $1`, [id]);
      return r ? toQueued(r) : null;
    },

    async updateQueued(id, patch) {
      // Checked before the transaction: a bad patch is the caller's error, whatever the row.
      const checked = checkQueuePatch(patch);
      return ctx.write(async (t) => ({ value: await update(t, await must(t, id, true), checked) }));
    },

    // The lease-conditional writes. The row is locked (FOR UPDATE) before its token is compared,
    // so a claim of it waits for this transaction, or this one sees the claim's new token.
    async updateLeased(id, lease, patch) {
      const checked = checkQueuePatch(patch);
      return ctx.write(async (t) => {
        const row = await must(t, id, true).catch((e: unknown) => {
          if (e instanceof StoreError && e.code === "not-found") return null;
          throw e;
        });
        return { value: row && Number(row.lease) === lease ? await update(t, row, checked) : null };
      });
    },

    async renewLease(id, lease, until) {
      const t = until instanceof Date ? until.getTime() : Number.NaN;
      if (!Number.isFinite(t)) throw new StoreError("invalid", "invalid lease end");
      if (!isId(id) || !Number.isSafeInteger(lease)) return false;
      return ctx.write(async (tx) => ({
        value:
          (await tx.run("UPDATE queue SET next_attempt_at = $1 WHERE id = $2 AND lease = $3", [
            t,
            id,
            lease,
          ])) > 0,
      }));
    },

    async removeLeased(id, lease) {
      if (!isId(id) || !Number.isSafeInteger(lease)) return false;
      return ctx.write(async (t) => ({
        value: (await t.run("DELETE FROM queue WHERE id = $1 AND lease = $2", [id, lease])) > 0,
      }));
    },

    async claimQueued(opts) {
      const now = opts.now instanceof Date ? opts.now.getTime() : Number.NaN;
      const until = opts.leaseUntil instanceof Date ? opts.leaseUntil.getTime() : Number.NaN;
      if (!Number.isFinite(now) || !Number.isFinite(until) || until <= now)
        throw new StoreError("invalid", "leaseUntil must be after now");
      if (!Number.isSafeInteger(opts.limit) || opts.limit < 1)
        throw new StoreError("invalid", "invalid limit");
      const limit = Math.min(opts.limit, CLAIM_MAX);
      return ctx.write(async (t) => {
        // Under READ COMMITTED a row another claim leased and committed meanwhile is re-checked
        // against the WHERE once locked (no longer due: left out); one still locked is skipped.
        const rows = await t.rows<QueueRow & { due_at: number }>(
          `WITH due AS (
             SELECT id, next_attempt_at AS due_at FROM queue
              WHERE state IN ('queued', 'deferred', 'sending') AND next_attempt_at <= $1
              ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED),
           leased AS (
             UPDATE queue q SET state = 'sending', next_attempt_at = $2, lease = q.lease + 1
               FROM due WHERE q.id = due.id
             RETURNING q.*, due.due_at)
           SELECT ${columns("l")}, l.due_at FROM leased l JOIN blobs b ON b.id = l.blob_id
            ORDER BY l.due_at, l.id`,
          [now, until, limit],
        );
        return { value: rows.map(toClaimed) };
      });
    },

    async removeQueued(id: number) {
      await ctx.write(async (t) => {
        if (!isId(id) || (await t.run("DELETE FROM queue WHERE id = $1", [id])) === 0)
          throw new StoreError("not-found", `no queue entry ${id}`);
        return { value: undefined };
      });
    },
  };
}
