// SpamStore on PostgreSQL (tables: schema-filters.ts), for several nodes sharing one model. The
// behaviour is the SQLite store's (src/store/sqlite/spam.ts); what differs is how it gets there:
// - A message's token counts are one query (`hash = ANY($2)`: one index scan of the primary key for
//   all the hashes), never one per token.
// - A training is one transaction of a few statements whatever the message's size: the token
//   upserts of every model at once (INSERT … SELECT FROM unnest() … ON CONFLICT DO UPDATE), the
//   model totals, the training record and the models' version, committed together, so a reader
//   never sees new counts under the old version (the classifier's token cache relies on it).
// - Two nodes training the same message at once take turns on an advisory lock of (account, key),
//   so the second sees the first's record and answers "unchanged": counted once. Different
//   messages train concurrently; their upserts take token rows in ascending (scope, hash) order,
//   so they wait for each other rather than deadlock.
import { StoreError } from "../errors.js";
import {
  checkTraining,
  count,
  hashList,
  id,
  toVerdict,
  VERDICTS_MAX,
  type VerdictRow,
} from "../shared/spam.js";
import { applyPrefsPatch } from "../sqlite/spam-prefs.js";
import type {
  SpamClass,
  SpamExpiryStore,
  SpamPrefs,
  SpamStore,
  SpamTokenCounts,
  SpamTraining,
} from "../types.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";
import { db, FILTER_LOCK, invalid, lockText, noNulKey, tx } from "./filter-kit.js";
import { createSpamExpiry } from "./spam-expiry.js";
import { createVerdictRecorder } from "./spam-verdicts.js";

type TrainOutcome = Awaited<ReturnType<SpamStore["train"]>>;

interface PrefsRow {
  allow: string[] | null;
  block: string[] | null;
  junk_score: number | null;
  file_into_junk: boolean | null;
}

/** The increments of one message of class `c`: [spam, ham]. */
const classDelta = (c: SpamClass): [number, number] => (c === "spam" ? [1, 0] : [0, 1]);

const toPrefs = (r: PrefsRow | null): SpamPrefs => ({
  allow: r?.allow ?? [],
  block: r?.block ?? [],
  junkScore: r?.junk_score ?? null,
  fileIntoJunk: r?.file_into_junk ?? null,
});

/**
 * Adds one message of class `c` to these models: each token's count, counted as a new token of
 * its model when its row was just made (rows at 0/0 are deleted, so a row that existed has a
 * total of at least 2 after the increment), and each model's totals, in one statement.
 */
async function addMessage(
  t: Tx,
  scopes: readonly number[],
  c: SpamClass,
  hashes: readonly number[],
  day: number,
) {
  const [spam, ham] = classDelta(c);
  // keep_day as in the SQLite store (sqlite/spam.ts addToken, shared/spam.ts keepDay): the day,
  // plus 30 a doubling of the new count (ln / ln 2: spam-expiry-schema.ts), never moved back. In
  // the SET, unlike SQLite's: PostgreSQL compares the values, so an update that leaves keep_day
  // as it was leaves the expiry index alone (and can stay HOT).
  await t.run(
    `WITH up AS (
       INSERT INTO spam_tokens (scope, hash, spam, ham, keep_day)
       SELECT s, h, $3, $4, $5 FROM unnest($1::bigint[]) AS s, unnest($2::bigint[]) AS h ORDER BY s, h
       ON CONFLICT (scope, hash) DO UPDATE
         SET spam = spam_tokens.spam + excluded.spam, ham = spam_tokens.ham + excluded.ham,
           keep_day = greatest(spam_tokens.keep_day, excluded.keep_day + 30 * floor(ln(
             spam_tokens.spam + spam_tokens.ham + excluded.spam + excluded.ham) / ln(2::float8))::int)
       RETURNING scope, spam + ham AS total
     ), added AS (
       SELECT s AS scope, (SELECT count(*) FROM up WHERE up.scope = s AND up.total = 1) AS tokens
       FROM unnest($1::bigint[]) AS s
     )
     INSERT INTO spam_models (scope, spam, ham, tokens)
     SELECT scope, $3, $4, tokens FROM added ORDER BY scope
     ON CONFLICT (scope) DO UPDATE SET spam = spam_models.spam + excluded.spam,
       ham = spam_models.ham + excluded.ham, tokens = spam_models.tokens + excluded.tokens`,
    [scopes, hashes, spam, ham, day],
  );
}

/** Takes one message of class `c` out of these models, no count below 0; token rows and models
 *  left at 0 are deleted, so only counted tokens take space. */
async function removeMessage(t: Tx, scopes: readonly number[], c: SpamClass, hashes: readonly number[]) {
  const [spam, ham] = classDelta(c);
  await t.run(
    `UPDATE spam_tokens SET spam = greatest(spam - $3, 0), ham = greatest(ham - $4, 0)
     WHERE scope = ANY($1::bigint[]) AND hash = ANY($2::bigint[])`,
    [scopes, hashes, spam, ham],
  );
  await t.run(
    `WITH gone AS (
       DELETE FROM spam_tokens
       WHERE scope = ANY($1::bigint[]) AND hash = ANY($2::bigint[]) AND spam = 0 AND ham = 0
       RETURNING scope
     )
     UPDATE spam_models m SET spam = greatest(m.spam - $3, 0), ham = greatest(m.ham - $4, 0),
       tokens = greatest(m.tokens - (SELECT count(*) FROM gone WHERE gone.scope = m.scope), 0)
     WHERE m.scope = ANY($1::bigint[])`,
    [scopes, hashes, spam, ham],
  );
  await t.run(
    "DELETE FROM spam_models WHERE scope = ANY($1::bigint[]) AND spam = 0 AND ham = 0 AND tokens = 0",
    [scopes],
  );
}

async function train(
  q: Tx,
  t: SpamTraining,
  { hashes, scopes, day }: { hashes: number[]; scopes: number[]; day: number },
): Promise<TrainOutcome> {
  await lockText(q, FILTER_LOCK.spamTraining, `${t.accountId}:${t.key}`);
  const accounts = [...new Set([t.accountId, ...scopes].filter((a) => a > 0))];
  if (accounts.length > 0) {
    // FOR KEY SHARE: an account cannot be removed (its trigger deleting its model) between this
    // check and the commit, which would leave tokens of a gone account; quota updates still pass.
    const found = await q.one<{ n: number }>(
      "SELECT count(*) AS n FROM (SELECT id FROM accounts WHERE id = ANY($1::bigint[]) FOR KEY SHARE) a",
      [accounts],
    );
    if ((found?.n ?? 0) !== accounts.length) throw new StoreError("not-found", "no such account");
  }
  const before = await q.one<{ class: SpamClass; scopes: (string | number)[] }>(
    "SELECT class, scopes FROM spam_trained WHERE account_id = $1 AND key = $2",
    [t.accountId, t.key],
  );
  // int8[] comes back as strings (db.ts parses int8 scalars only).
  const old = before?.scopes.map(Number) ?? [];
  let outcome: TrainOutcome;
  if (t.as === null) {
    if (!before) return "unchanged";
    await removeMessage(q, old, before.class, hashes);
    await q.run("DELETE FROM spam_trained WHERE account_id = $1 AND key = $2", [t.accountId, t.key]);
    outcome = "forgotten";
  } else {
    if (before?.class === t.as) return "unchanged";
    if (before) await removeMessage(q, old, before.class, hashes);
    await addMessage(q, scopes, t.as, hashes, day);
    await q.run(
      `INSERT INTO spam_trained (account_id, key, class, scopes) VALUES ($1, $2, $3, $4::bigint[])
       ON CONFLICT (account_id, key) DO UPDATE SET class = excluded.class, scopes = excluded.scopes`,
      [t.accountId, t.key, t.as, scopes],
    );
    outcome = before ? "retrained" : "trained";
  }
  // In the training's transaction: no reader sees the new counts under the old version. The row
  // lock it takes makes trainings that change a model commit one at a time; they are a user's
  // click or a corpus run, never per delivered message.
  await q.run("UPDATE spam_model_version SET version = version + 1 WHERE id = 0");
  return outcome;
}

export function createSpam(ctx: PgCtx): SpamStore & SpamExpiryStore {
  return {
    ...createSpamExpiry(ctx),

    async tokenCounts(scope, hashes) {
      id(scope, "scope");
      const list = hashList(hashes);
      const out = new Map<number, SpamTokenCounts>();
      if (list.length === 0) return out;
      const rows = await db(ctx).rows<{ hash: number; spam: number; ham: number }>(
        "SELECT hash, spam, ham FROM spam_tokens WHERE scope = $1 AND hash = ANY($2::bigint[])",
        [scope, list],
      );
      for (const r of rows) out.set(r.hash, { spam: r.spam, ham: r.ham });
      return out;
    },

    async modelTotals(scope) {
      id(scope, "scope");
      const r = await db(ctx).one<SpamTokenCounts>("SELECT spam, ham FROM spam_models WHERE scope = $1", [
        scope,
      ]);
      return { spam: r?.spam ?? 0, ham: r?.ham ?? 0 };
    },

    async modelVersion() {
      const r = await db(ctx).one<{ version: number }>("SELECT version FROM spam_model_version WHERE id = 0");
      return r?.version ?? 0;
    },

    async train(t) {
      const checked = checkTraining(t, (key) => noNulKey(key, "training key"));
      const scopes = checked.scopes.sort((a, b) => a - b);
      return tx(ctx, (q) => train(q, t, { hashes: checked.hashes, scopes, day: checked.day }));
    },

    async trainedAs(accountId, key) {
      id(accountId, "account");
      if (typeof key !== "string") invalid("training key is not a string");
      if (key.includes("\0")) return null; // never stored (noNulKey)
      const r = await db(ctx).one<{ class: SpamClass }>(
        "SELECT class FROM spam_trained WHERE account_id = $1 AND key = $2",
        [accountId, key],
      );
      return r?.class ?? null;
    },

    async modelStats() {
      // From the per-model counters: a count of spam_tokens would read the whole table.
      const r = await db(ctx).one<{ models: number; tokens: number }>(
        "SELECT count(*) FILTER (WHERE spam + ham > 0) AS models, coalesce(sum(tokens), 0) AS tokens FROM spam_models",
      );
      return { models: r?.models ?? 0, tokens: r?.tokens ?? 0 };
    },

    async getSpamPrefs(accountId) {
      id(accountId, "account");
      // The account check and the prefs in one statement: the filter asks per recipient.
      const r = await db(ctx).one<PrefsRow>(
        `SELECT p.allow, p.block, p.junk_score, p.file_into_junk
         FROM accounts a LEFT JOIN spam_prefs p ON p.account_id = a.id WHERE a.id = $1`,
        [accountId],
      );
      if (!r) throw new StoreError("not-found", `no account ${accountId}`);
      return toPrefs(r);
    },

    async setSpamPrefs(accountId, patch) {
      id(accountId, "account");
      return tx(ctx, async (q) => {
        if (!(await q.one("SELECT 1 FROM accounts WHERE id = $1 FOR KEY SHARE", [accountId])))
          throw new StoreError("not-found", `no account ${accountId}`);
        // A row to lock, so two nodes patching different fields at once both keep theirs.
        await q.run("INSERT INTO spam_prefs (account_id) VALUES ($1) ON CONFLICT DO NOTHING", [accountId]);
        const cur = await q.one<PrefsRow>(
          "SELECT allow, block, junk_score, file_into_junk FROM spam_prefs WHERE account_id = $1 FOR UPDATE",
          [accountId],
        );
        const next = applyPrefsPatch(toPrefs(cur), patch);
        await q.run(
          `UPDATE spam_prefs SET allow = $2::text[], block = $3::text[], junk_score = $4, file_into_junk = $5
           WHERE account_id = $1`,
          [accountId, next.allow, next.block, next.junkScore, next.fileIntoJunk],
        );
        // The filter caches prefs with the models (src/spam/classifier/token-cache.ts).
        await q.run("UPDATE spam_model_version SET version = version + 1 WHERE id = 0");
        return next;
      });
    },

    recordVerdict: createVerdictRecorder(ctx),

    async recentVerdicts(limit) {
      count(limit, "limit", VERDICTS_MAX);
      const rows = await db(ctx).rows<VerdictRow>(
        `SELECT at, message_id, door, mail_from, recipient, recipients, score, action, reasons
         FROM spam_verdicts ORDER BY id DESC LIMIT $1`,
        [limit],
      );
      return rows.map(toVerdict);
    },
  };
}
