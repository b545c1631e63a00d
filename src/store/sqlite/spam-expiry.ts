// SpamExpiryStore on SQLite (tables: spam-expiry-schema.ts): each model over its cap loses its
// rows of earliest keep day, one model's cut a single DELETE that walks the expiry index from its
// start, so a batch reads what it deletes and nothing more. A call is one job of the group commit
// (writer.ts), like a training: the cut, the model's row count, the models' version and the
// expiry record commit together, and the number of rows is the caller's batch limit, which bounds
// how long the job holds the writer (and, SQLite being synchronous, the event loop): measured in
// docs/ARCHITECTURE.md, "Spam state: token expiry".
import { checkExpiry } from "../shared/spam.js";
import type { SpamExpiryStore } from "../types.js";
import type { Ctx } from "./context.js";

/** Per-user models over their cap cut in one call, the largest first: each is cut by its excess,
 *  so more would only matter with more than this many users over their cap at once, and the
 *  next call takes the rest. */
const USER_MODELS_PER_CALL = 64;

/** The first @n rows of the model @scope in spam_tokens_expiry's order (keep_day, then hash): a
 *  walk of that index from the model's start, no sort (spam.test.ts checks the plan). */
export const EXPIRY_CUT_SQL = `DELETE FROM spam_tokens WHERE scope = @scope AND hash IN
  (SELECT hash FROM spam_tokens WHERE scope = @scope ORDER BY keep_day, hash LIMIT @n)`;

/** Per-user models over the cap ?, largest first, at most ?: a range of spam_models_tokens. */
export const EXPIRY_USERS_SQL =
  "SELECT scope, tokens FROM spam_models WHERE tokens > ? AND scope > 0 ORDER BY tokens DESC LIMIT ?";

interface Over {
  scope: number;
  excess: number;
}

export function createSpamExpiry(ctx: Ctx): SpamExpiryStore {
  const db = ctx.db;
  const s = {
    global: db
      .prepare<[number], number>("SELECT tokens FROM spam_models WHERE scope = 0 AND tokens > ?")
      .pluck(true),
    users: db.prepare<[number, number], { scope: number; tokens: number }>(EXPIRY_USERS_SQL),
    cut: db.prepare<[{ scope: number; n: number }]>(EXPIRY_CUT_SQL),
    lose: db.prepare<[{ scope: number; n: number }]>(
      "UPDATE spam_models SET tokens = max(tokens - @n, 0) WHERE scope = @scope",
    ),
    bumpVersion: db.prepare<[]>("UPDATE spam_model_version SET version = version + 1 WHERE id = 0"),
    // One sweep's batches share their `now`: they add up to one expiry.
    record: db.prepare<[{ at: number; n: number }]>(
      `INSERT INTO spam_expiry (id, at, removed) VALUES (0, @at, @n)
       ON CONFLICT (id) DO UPDATE SET at = excluded.at,
         removed = CASE WHEN at = excluded.at THEN removed + excluded.removed ELSE excluded.removed END`,
    ),
    last: db.prepare<[], { at: number; removed: number }>("SELECT at, removed FROM spam_expiry WHERE id = 0"),
  };

  function overCap(global: number, perUser: number): Over[] {
    const out: Over[] = [];
    const g = s.global.get(global);
    if (g !== undefined) out.push({ scope: 0, excess: g - global });
    for (const u of s.users.all(perUser, USER_MODELS_PER_CALL))
      out.push({ scope: u.scope, excess: u.tokens - perUser });
    return out;
  }

  /** In the writer's transaction: the models over their cap read again there (another process
   *  may have cut them since the read outside), then cut, at most `limit` rows in all. */
  function expire(global: number, perUser: number, limit: number, at: number): number {
    let removed = 0;
    for (const m of overCap(global, perUser)) {
      const n = Math.min(m.excess, limit - removed);
      if (n <= 0) break;
      const cut = s.cut.run({ scope: m.scope, n }).changes;
      s.lose.run({ scope: m.scope, n: cut });
      removed += cut;
    }
    if (removed > 0) {
      s.bumpVersion.run();
      s.record.run({ at, n: removed });
    }
    return removed;
  }

  return {
    async expireTokens(caps, limit, now) {
      const at = checkExpiry(caps, limit, now);
      // The usual answer (no model over its cap) from a read, without a turn of the writer.
      if (limit === 0 || ctx.read(() => overCap(caps.global, caps.perUser)).length === 0) return 0;
      return ctx.grouped(() => ({ value: expire(caps.global, caps.perUser, limit, at) }));
    },

    async lastExpiry() {
      const r = ctx.read(() => s.last.get());
      return r ? { at: new Date(r.at), removed: r.removed } : null;
    },
  };
}
