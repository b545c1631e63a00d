// SpamStore on SQLite (tables: spam-schema.ts). Reads of token counts are one statement for the
// whole message: the hashes go in as one JSON array and SQLite seeks each in the (scope, hash)
// key (measured, 1,000 hashes against 200k tokens: 1.8 ms, against 7.4 ms for one SELECT per
// hash). Training is one job in the group commit (writer.ts): the check of what was trained
// before, the token and total updates and the training record commit together, durably, sharing
// the fsync of the moment's deliveries; its writes are one prepared statement per token (one more
// when the token's keep day moves: addToken), which beat a single INSERT … SELECT FROM json_each
// (see hashList). Expiry of the models' tokens: spam-expiry.ts.
import { StoreError } from "../errors.js";
import {
  checkTraining,
  count,
  id,
  invalid,
  keepDay,
  toVerdict,
  VERDICTS_MAX,
  type VerdictRow,
  verdictRow,
} from "../shared/spam.js";
import type {
  SpamClass,
  SpamExpiryStore,
  SpamPrefs,
  SpamScope,
  SpamStore,
  SpamTokenCounts,
  SpamTraining,
} from "../types.js";
import type { Ctx } from "./context.js";
import { hashJson, parseCounts, sortedHashes, TOKEN_COUNTS_SQL } from "./spam-counts.js";
import { createSpamExpiry } from "./spam-expiry.js";
import { applyPrefsPatch } from "./spam-prefs.js";

interface TrainedRow {
  class: SpamClass;
  scopes: string;
}

interface PrefsRow {
  allow: string;
  block: string;
  junk_score: number | null;
  file_into_junk: number | null;
}

/** A model's totals change: messages per class and distinct tokens. */
interface ModelDelta extends Delta {
  tokens: number;
}

type TrainOutcome = Awaited<ReturnType<SpamStore["train"]>>;

/** One class's increment or decrement of a token (or a model's totals) in one scope. */
interface Delta {
  scope: number;
  spam: number;
  ham: number;
}

/** Up to this many hashes are read one by one, more as one JSON list. Measured in bench:smtp's
 *  server (--spam on --trained: about one token per message not in the token cache): a point
 *  read 7 µs of CPU against 10 µs for the list of one, which costs ~1 µs a hash beyond that. */
const POINT_READS = 4;

const classDelta = (c: SpamClass, n: number) => (c === "spam" ? { spam: n, ham: 0 } : { spam: 0, ham: n });

const toPrefs = (r: PrefsRow | undefined): SpamPrefs => ({
  allow: r ? (JSON.parse(r.allow) as string[]) : [],
  block: r ? (JSON.parse(r.block) as string[]) : [],
  junkScore: r?.junk_score ?? null,
  fileIntoJunk: r?.file_into_junk == null ? null : r.file_into_junk === 1,
});

export function createSpam(ctx: Ctx): SpamStore & SpamExpiryStore {
  const db = ctx.db;
  const s = {
    account: db.prepare<[number], { id: number }>("SELECT id FROM accounts WHERE id = ?"),
    // The found tokens as one text (spam-counts.ts). The lookup alone, on the 2,796 held-out
    // corpus messages' hashes against a 75k-token model: 0.27 → 0.21 ms CPU a message and
    // 20 → 7 young-generation collections a pass, against raw rows from `hash IN (SELECT value
    // FROM json_each(?))` (raw rows had been 0.18 against 0.24 ms with row objects).
    counts: db.prepare<[string, number], string | null>(TOKEN_COUNTS_SQL).pluck(true),
    // One token: a few missing tokens are what a message asks once the counts are cached
    // (token-cache.ts), and a point read each costs less than the JSON list's fixed cost.
    count: db
      .prepare<[number, number], [spam: number, ham: number]>(
        "SELECT spam, ham FROM spam_tokens WHERE scope = ? AND hash = ?",
      )
      .raw(true),
    totals: db.prepare<[number], SpamTokenCounts>("SELECT spam, ham FROM spam_models WHERE scope = ?"),
    version: db.prepare<[], { version: number }>("SELECT version FROM spam_model_version WHERE id = 0"),
    bumpVersion: db.prepare<[]>("UPDATE spam_model_version SET version = version + 1 WHERE id = 0"),
    trained: db.prepare<[number, string], TrainedRow>(
      "SELECT class, scopes FROM spam_trained WHERE account_id = ? AND key = ?",
    ),
    // Rows at 0/0 are deleted, so a row that existed has a total of at least 2 after the
    // increment: a total of 1 says the token is new to the model (counted in spam_models.tokens).
    // keep_day (spam-expiry-schema.ts): a new row's is the training's day; an existing row's is
    // moved forward by keepDay (below) in a second statement, only when it changes: with keep_day
    // in this SET, SQLite rewrote the row's expiry index entry on every update, changed or not
    // (measured: 4.4 → 7.3 ms of CPU per 1,000-token training whose keep days all stayed).
    addToken: db.prepare<[Delta & { hash: number; day: number }], { total: number; keep: number }>(
      `INSERT INTO spam_tokens (scope, hash, spam, ham, keep_day) VALUES (@scope, @hash, @spam, @ham, @day)
       ON CONFLICT (scope, hash) DO UPDATE SET spam = spam + excluded.spam, ham = ham + excluded.ham
       RETURNING spam + ham AS total, keep_day AS keep`,
    ),
    keepDay: db.prepare<[number, number, number]>(
      "UPDATE spam_tokens SET keep_day = ? WHERE scope = ? AND hash = ?",
    ),
    subToken: db.prepare<[Delta & { hash: number }], SpamTokenCounts>(
      `UPDATE spam_tokens SET spam = max(spam - @spam, 0), ham = max(ham - @ham, 0)
       WHERE scope = @scope AND hash = @hash RETURNING spam, ham`,
    ),
    dropToken: db.prepare<[number, number]>(
      "DELETE FROM spam_tokens WHERE scope = ? AND hash = ? AND spam = 0 AND ham = 0",
    ),
    addModel: db.prepare<[ModelDelta]>(
      `INSERT INTO spam_models (scope, spam, ham, tokens) VALUES (@scope, @spam, @ham, @tokens)
       ON CONFLICT (scope) DO UPDATE SET spam = spam + excluded.spam, ham = ham + excluded.ham,
         tokens = tokens + excluded.tokens`,
    ),
    subModel: db.prepare<[ModelDelta]>(
      `UPDATE spam_models SET spam = max(spam - @spam, 0), ham = max(ham - @ham, 0),
         tokens = max(tokens - @tokens, 0) WHERE scope = @scope`,
    ),
    dropModel: db.prepare<[number]>(
      "DELETE FROM spam_models WHERE scope = ? AND spam = 0 AND ham = 0 AND tokens = 0",
    ),
    setTrained: db.prepare<[number, string, SpamClass, string]>(
      `INSERT INTO spam_trained (account_id, key, class, scopes) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, key) DO UPDATE SET class = excluded.class, scopes = excluded.scopes`,
    ),
    forget: db.prepare<[number, string]>("DELETE FROM spam_trained WHERE account_id = ? AND key = ?"),
    // From the per-model counters: a count(*) of spam_tokens reads the whole table (millions of
    // rows with per-user models) on every admin page view.
    stats: db.prepare<[], { models: number; tokens: number }>(
      "SELECT count(*) FILTER (WHERE spam + ham > 0) AS models, coalesce(sum(tokens), 0) AS tokens FROM spam_models",
    ),
    prefs: db.prepare<[number], PrefsRow>(
      "SELECT allow, block, junk_score, file_into_junk FROM spam_prefs WHERE account_id = ?",
    ),
    // The filter reads every recipient's prefs per message: the account check and the prefs in
    // one statement (a row with null prefs columns: an account with none set).
    accountPrefs: db.prepare<[number], { [K in keyof PrefsRow]: PrefsRow[K] | null }>(
      `SELECT p.allow, p.block, p.junk_score, p.file_into_junk
       FROM accounts a LEFT JOIN spam_prefs p ON p.account_id = a.id WHERE a.id = ?`,
    ),
    setPrefs: db.prepare<[number, string, string, number | null, number | null]>(
      `INSERT INTO spam_prefs (account_id, allow, block, junk_score, file_into_junk) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET allow = excluded.allow, block = excluded.block,
         junk_score = excluded.junk_score, file_into_junk = excluded.file_into_junk`,
    ),
    verdict: db.prepare<[Omit<VerdictRow, "door" | "action"> & { door: string; action: string }]>(
      `INSERT INTO spam_verdicts (at, message_id, door, mail_from, recipient, recipients, score, action, reasons)
       VALUES (@at, @message_id, @door, @mail_from, @recipient, @recipients, @score, @action, @reasons)`,
    ),
    // Ids are consecutive (AUTOINCREMENT, and a rolled-back insert rolls its number back too), so
    // the newest `keep` are those above newest - keep: a range of the rowid, costing what it
    // deletes, where an OFFSET would walk all `keep` rows on every insert.
    trim: db.prepare<[number]>("DELETE FROM spam_verdicts WHERE id <= ?"),
    recent: db.prepare<[number], VerdictRow>(
      `SELECT at, message_id, door, mail_from, recipient, recipients, score, action, reasons
       FROM spam_verdicts ORDER BY id DESC LIMIT ?`,
    ),
  };

  function mustAccount(accountId: number): void {
    if (!s.account.get(accountId)) throw new StoreError("not-found", `no account ${accountId}`);
  }

  /** Adds (sign 1) or removes (sign -1, clamped at 0) one message of class `c` in these scopes.
   *  A token row (or model) whose counts both reach 0 is deleted, so only counted tokens take
   *  space. One statement per token: the writes are seeks in key order (hashList). */
  function apply(
    scopes: readonly number[],
    c: SpamClass,
    sign: 1 | -1,
    hashes: readonly number[],
    day: number,
  ): void {
    for (const scope of scopes) {
      const d = { scope, ...classDelta(c, 1) };
      let tokens = 0;
      if (sign === 1) {
        for (const hash of hashes) {
          const r = s.addToken.get({ ...d, hash, day });
          if (r === undefined) continue;
          if (r.total === 1) tokens++;
          else {
            const keep = keepDay(day, r.total);
            if (keep > r.keep) s.keepDay.run(keep, scope, hash);
          }
        }
        s.addModel.run({ ...d, tokens });
        continue;
      }
      for (const hash of hashes) {
        const left = s.subToken.get({ ...d, hash });
        if (left && left.spam === 0 && left.ham === 0) tokens += s.dropToken.run(scope, hash).changes;
      }
      s.subModel.run({ ...d, tokens });
      s.dropModel.run(scope);
    }
  }

  /** Trains and, when a model changed, bumps the models' version in the same transaction, so no
   *  reader can see the new counts under the old version (modelVersion). */
  function trainAndBump(
    t: SpamTraining,
    hashes: readonly number[],
    scopes: number[],
    day: number,
  ): TrainOutcome {
    const outcome = train(t, hashes, scopes, day);
    if (outcome !== "unchanged") s.bumpVersion.run();
    return outcome;
  }

  function train(t: SpamTraining, hashes: readonly number[], scopes: number[], day: number): TrainOutcome {
    if (t.accountId > 0) mustAccount(t.accountId);
    for (const scope of scopes) if (scope > 0) mustAccount(scope);
    const before = s.trained.get(t.accountId, t.key);
    if (t.as === null) {
      if (!before) return "unchanged";
      const old = JSON.parse(before.scopes) as number[];
      apply(old, before.class, -1, hashes, day);
      s.forget.run(t.accountId, t.key);
      return "forgotten";
    }
    if (before?.class === t.as) return "unchanged";
    if (before) {
      const old = JSON.parse(before.scopes) as number[];
      apply(old, before.class, -1, hashes, day);
      apply(scopes, t.as, 1, hashes, day);
    } else {
      apply(scopes, t.as, 1, hashes, day);
    }
    s.setTrained.run(t.accountId, t.key, t.as, JSON.stringify(scopes));
    return before ? "retrained" : "trained";
  }

  return {
    ...createSpamExpiry(ctx),

    async tokenCounts(scope: SpamScope, hashes: readonly number[]) {
      id(scope, "scope");
      const list = sortedHashes(hashes);
      const out = new Map<number, SpamTokenCounts>();
      if (list.length === 0) return out;
      if (list.length <= POINT_READS) {
        ctx.read(() => {
          for (const hash of list) {
            const r = s.count.get(scope, hash);
            if (r) out.set(hash, { spam: r[0], ham: r[1] });
          }
        });
        return out;
      }
      parseCounts(
        ctx.read(() => s.counts.get(hashJson(list), scope) ?? null),
        out,
      );
      return out;
    },

    async modelTotals(scope) {
      id(scope, "scope");
      const r = ctx.read(() => s.totals.get(scope));
      return { spam: r?.spam ?? 0, ham: r?.ham ?? 0 };
    },

    async modelVersion() {
      return ctx.read(() => s.version.get()?.version ?? 0);
    },

    async train(t) {
      const { scopes, hashes, day } = checkTraining(t);
      return ctx.grouped(() => ({ value: trainAndBump(t, hashes, scopes, day) }));
    },

    async trainedAs(accountId, key) {
      id(accountId, "account");
      if (typeof key !== "string") invalid("training key is not a string");
      return ctx.read(() => s.trained.get(accountId, key)?.class ?? null);
    },

    async modelStats() {
      const r = ctx.read(() => s.stats.get());
      return { models: r?.models ?? 0, tokens: r?.tokens ?? 0 };
    },

    async getSpamPrefs(accountId) {
      id(accountId, "account");
      const r = ctx.read(() => s.accountPrefs.get(accountId));
      if (!r) throw new StoreError("not-found", `no account ${accountId}`);
      // allow is NOT NULL in spam_prefs: null here is the LEFT JOIN's "no prefs row".
      return toPrefs(r.allow === null ? undefined : (r as PrefsRow));
    },

    async setSpamPrefs(accountId, patch) {
      id(accountId, "account");
      return ctx.grouped(() => {
        mustAccount(accountId);
        const next = applyPrefsPatch(toPrefs(s.prefs.get(accountId)), patch);
        s.setPrefs.run(
          accountId,
          JSON.stringify(next.allow),
          JSON.stringify(next.block),
          next.junkScore,
          next.fileIntoJunk === null ? null : next.fileIntoJunk ? 1 : 0,
        );
        // The filter caches prefs with the models (src/spam/classifier/token-cache.ts).
        s.bumpVersion.run();
        return { value: next };
      });
    },

    async recordVerdict(v, keep) {
      count(keep, "keep", VERDICTS_MAX);
      const row = verdictRow(v);
      await ctx.grouped(() => {
        const newest = Number(s.verdict.run(row).lastInsertRowid);
        s.trim.run(newest - keep);
        return { value: undefined };
      });
    },

    async recentVerdicts(limit) {
      count(limit, "limit", VERDICTS_MAX);
      return ctx.read(() => s.recent.all(limit)).map(toVerdict);
    },
  };
}
