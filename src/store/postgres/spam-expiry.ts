// SpamExpiryStore on PostgreSQL (schema: spam-expiry-schema.ts): the SQLite store's expiry
// (sqlite/spam-expiry.ts) for several nodes sweeping at once. Each model is cut in a transaction
// of its own that first locks the model's row: a second node's sweep of the same model waits,
// then reads the count the first left and cuts only what is still over the cap (never below it).
// The token rows are taken with SKIP LOCKED, so a sweep never waits for a training; the model row
// comes first, so a training that holds token rows and then waits for the model row cannot be
// waited on in turn: no deadlock. A training's upsert of a row the sweep deleted inserts it again
// as a new token (counted in the model's total), as for any token the model did not have.
import { checkExpiry } from "../shared/spam.js";
import type { SpamExpiryStore } from "../types.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";
import { db, tx } from "./filter-kit.js";

/** Per-user models over their cap cut in one call, the largest first (sqlite/spam-expiry.ts). */
const USER_MODELS_PER_CALL = 64;

/** Cuts one model to its cap, at most `most` rows; returns how many went. */
async function cut(q: Tx, scope: number, cap: number, most: number, at: number): Promise<number> {
  const m = await q.one<{ tokens: number }>("SELECT tokens FROM spam_models WHERE scope = $1 FOR UPDATE", [
    scope,
  ]);
  const n = Math.min((m?.tokens ?? 0) - cap, most);
  if (n <= 0) return 0;
  // The first n rows of spam_tokens_expiry (keep_day order), less any a training holds now.
  const removed = await q.run(
    `DELETE FROM spam_tokens t USING (
       SELECT hash FROM spam_tokens WHERE scope = $1 ORDER BY keep_day LIMIT $2 FOR UPDATE SKIP LOCKED
     ) v WHERE t.scope = $1 AND t.hash = v.hash`,
    [scope, n],
  );
  if (removed === 0) return 0;
  await q.run("UPDATE spam_models SET tokens = greatest(tokens - $2, 0) WHERE scope = $1", [scope, removed]);
  await q.run("UPDATE spam_model_version SET version = version + 1 WHERE id = 0");
  // One sweep's batches share their `now`: they add up to one expiry.
  await q.run(
    `INSERT INTO spam_expiry (id, at, removed) VALUES (0, $1, $2)
     ON CONFLICT (id) DO UPDATE SET at = excluded.at, removed = CASE
       WHEN spam_expiry.at = excluded.at THEN spam_expiry.removed + excluded.removed ELSE excluded.removed END`,
    [at, removed],
  );
  return removed;
}

export function createSpamExpiry(ctx: PgCtx): SpamExpiryStore {
  return {
    async expireTokens(caps, limit, now) {
      const at = checkExpiry(caps, limit, now);
      if (limit === 0) return 0;
      // The models over their cap, from spam_models_tokens (no read of the models under it).
      const over = await db(ctx).rows<{ scope: number }>(
        `(SELECT scope FROM spam_models WHERE scope = 0 AND tokens > $1)
         UNION ALL
         (SELECT scope FROM spam_models WHERE tokens > $2 AND scope > 0 ORDER BY tokens DESC LIMIT $3)`,
        [caps.global, caps.perUser, USER_MODELS_PER_CALL],
      );
      let removed = 0;
      for (const { scope } of over) {
        if (removed >= limit) break;
        const cap = scope === 0 ? caps.global : caps.perUser;
        removed += await tx(ctx, (q) => cut(q, scope, cap, limit - removed, at));
      }
      return removed;
    },

    async lastExpiry() {
      const r = await db(ctx).one<{ at: number; removed: number }>(
        "SELECT at, removed FROM spam_expiry WHERE id = 0",
      );
      return r ? { at: new Date(r.at), removed: r.removed } : null;
    },
  };
}
