// SieveStore on PostgreSQL (tables: schema-filters.ts), shared by every node: ManageSieve, JMAP,
// the webmail and the CLI on one node, deliveries running the scripts on another. Behaviour as
// the SQLite store's (src/store/sqlite/sieve.ts); what several writers need besides:
// - An account's script writes take turns on an advisory lock of the account, so the quota check
//   (count and bytes, then insert) and "one active" (deactivate, then activate) hold across nodes.
//   The partial unique index (one active per account) is the backstop whatever path writes.
// - The duplicate test (RFC 7352) asks and records in one transaction under a lock of (account,
//   key): two nodes delivering copies of one message at once get one "unseen" between them.
// - Changes are logged in the account change log by a trigger (schema-filters.ts), so state() is
//   that log's latest seq of type 6, as in SQLite.
import { StoreError } from "../errors.js";
import { SIEVE_SCRIPT } from "../shared/changes.js";
import { checkId, millis } from "../shared/checks.js";
import {
  byName,
  checkPeriod,
  checkSieveContent,
  checkSieveName,
  checkSweepLimit,
  DUPLICATE_KEY_MAX,
  DUPLICATE_SWEEP_PER_RECORD,
  seenWithin,
} from "../shared/sieve.js";
import type { SieveScriptRecord, SieveStore } from "../types.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";
import { db, FILTER_LOCK, lockId, lockText, tx } from "./filter-kit.js";

interface Row {
  id: number;
  account_id: number;
  name: string;
  content: Buffer;
  active: boolean;
  updated_at: number;
}

const COLUMNS = "id, account_id, name, content, active, updated_at";

const toRecord = (r: Row): SieveScriptRecord => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  content: r.content.toString("utf8"),
  active: r.active,
  updatedAt: new Date(r.updated_at),
});

/** The script's UTF-8 bytes (stored as BYTEA: byte-exact, U+0000 included). */
function contentBytes(raw: unknown): Buffer {
  return Buffer.from(checkSieveContent(raw), "utf8");
}

function duplicateKey(key: unknown): key is string {
  return typeof key === "string" && key.length > 0 && key.length <= DUPLICATE_KEY_MAX && !key.includes("\0");
}

export function createSieve(ctx: PgCtx): SieveStore {
  const byNameIn = (q: Tx, accountId: number, name: string) =>
    q.one<Row>(`SELECT ${COLUMNS} FROM sieve_scripts WHERE account_id = $1 AND name = $2`, [accountId, name]);
  const mustScript = async (q: Tx, accountId: number, raw: unknown): Promise<Row> => {
    const name = String(raw);
    // U+0000 is refused in names (a control character), so no script has one.
    const r = name.includes("\0") ? null : await byNameIn(q, accountId, name);
    if (!r) throw new StoreError("not-found", `no script named ${JSON.stringify(name)}`);
    return r;
  };
  /** One write of the account's scripts, after the writers before it (see the head comment). */
  const scriptWrite = <T>(accountId: number, fn: (q: Tx) => Promise<T>): Promise<T> =>
    tx(ctx, async (q) => {
      await lockId(q, FILTER_LOCK.sieveScripts, accountId);
      return fn(q);
    });

  return {
    async list(accountId) {
      checkId(accountId, "account");
      const rows = await db(ctx).rows<Row>(`SELECT ${COLUMNS} FROM sieve_scripts WHERE account_id = $1`, [
        accountId,
      ]);
      return rows.sort(byName).map(toRecord);
    },

    async get(accountId, name) {
      checkId(accountId, "account");
      if (typeof name !== "string" || name.includes("\0")) return null;
      const r = await byNameIn(db(ctx), accountId, name);
      return r ? toRecord(r) : null;
    },

    async getById(accountId, scriptId) {
      checkId(accountId, "account");
      if (!Number.isSafeInteger(scriptId) || scriptId <= 0) return null;
      const r = await db(ctx).one<Row>(
        `SELECT ${COLUMNS} FROM sieve_scripts WHERE account_id = $1 AND id = $2`,
        [accountId, scriptId],
      );
      return r ? toRecord(r) : null;
    },

    async active(accountId) {
      checkId(accountId, "account");
      const r = await db(ctx).one<Row>(
        `SELECT ${COLUMNS} FROM sieve_scripts WHERE account_id = $1 AND active`,
        [accountId],
      );
      return r ? toRecord(r) : null;
    },

    async put(accountId, rawName, rawContent, limits, opts) {
      checkId(accountId, "account");
      const name = checkSieveName(rawName);
      const content = contentBytes(rawContent);
      const now = Date.now();
      return scriptWrite(accountId, async (q) => {
        // FOR KEY SHARE: the account stays until this commits (its scripts go with it).
        if (!(await q.one("SELECT 1 FROM accounts WHERE id = $1 FOR KEY SHARE", [accountId])))
          throw new StoreError("not-found", `no account ${accountId}`);
        const old = await q.one<{ id: number; bytes: number }>(
          "SELECT id, bytes FROM sieve_scripts WHERE account_id = $1 AND name = $2",
          [accountId, name],
        );
        if (old && opts?.createOnly)
          throw new StoreError("exists", `a script named ${JSON.stringify(name)} exists`);
        const use = await q.one<{ n: number; bytes: number | null }>(
          "SELECT count(*) AS n, sum(bytes) AS bytes FROM sieve_scripts WHERE account_id = $1",
          [accountId],
        );
        const total = (use?.bytes ?? 0) - (old?.bytes ?? 0) + content.length;
        if (!old && (use?.n ?? 0) >= limits.maxScripts)
          throw new StoreError("quota", `an account may keep at most ${limits.maxScripts} scripts`);
        if (total > limits.maxTotalBytes)
          throw new StoreError(
            "quota",
            `an account's scripts may take at most ${limits.maxTotalBytes} bytes`,
          );
        const row = old
          ? await q.one<Row>(
              `UPDATE sieve_scripts SET content = $2, bytes = $3, updated_at = $4 WHERE id = $1
               RETURNING ${COLUMNS}`,
              [old.id, content, content.length, now],
            )
          : await q.one<Row>(
              `INSERT INTO sieve_scripts (account_id, name, content, bytes, updated_at)
               VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
              [accountId, name, content, content.length, now],
            );
        if (!row) throw new StoreError("not-found", "script vanished");
        return toRecord(row);
      });
    },

    async rename(accountId, from, rawTo) {
      checkId(accountId, "account");
      const to = checkSieveName(rawTo);
      return scriptWrite(accountId, async (q) => {
        const r = await mustScript(q, accountId, from);
        if (to === r.name) return toRecord(r);
        if (await byNameIn(q, accountId, to))
          throw new StoreError("exists", `a script named ${JSON.stringify(to)} exists`);
        const row = await q.one<Row>(
          `UPDATE sieve_scripts SET name = $2, updated_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
          [r.id, to, Date.now()],
        );
        if (!row) throw new StoreError("not-found", "script vanished");
        return toRecord(row);
      });
    },

    async remove(accountId, name) {
      checkId(accountId, "account");
      await scriptWrite(accountId, async (q) => {
        const r = await mustScript(q, accountId, name);
        // RFC 5804 2.10: the active script cannot be deleted; deactivate (or activate another) first.
        if (r.active) throw new StoreError("readonly", "the active script cannot be deleted");
        await q.run("DELETE FROM sieve_scripts WHERE id = $1", [r.id]);
      });
    },

    async setActive(accountId, name) {
      checkId(accountId, "account");
      await scriptWrite(accountId, async (q) => {
        if (name === null) {
          await q.run("UPDATE sieve_scripts SET active = false WHERE account_id = $1 AND active", [
            accountId,
          ]);
          return;
        }
        const r = await mustScript(q, accountId, name);
        // Activating the active script again changes nothing (and logs nothing).
        if (r.active) return;
        await q.run("UPDATE sieve_scripts SET active = false WHERE account_id = $1 AND active", [accountId]);
        await q.run("UPDATE sieve_scripts SET active = true WHERE id = $1", [r.id]);
      });
    },

    async state(accountId) {
      checkId(accountId, "account");
      const r = await db(ctx).one<{ seq: number | null }>(
        "SELECT max(seq) AS seq FROM object_changes WHERE account_id = $1 AND type = $2",
        [accountId, SIEVE_SCRIPT],
      );
      return r?.seq ?? 0;
    },

    async duplicate(accountId, key, now, seconds, last) {
      checkId(accountId, "account");
      if (!duplicateKey(key))
        throw new StoreError(
          "invalid",
          `a duplicate key must be 1 to ${DUPLICATE_KEY_MAX} characters, without U+0000`,
        );
      checkPeriod(seconds);
      const t = millis(now, "now");
      const expires = t + Math.floor(seconds * 1000);
      return tx(ctx, async (q) => {
        await lockText(q, FILTER_LOCK.sieveDuplicate, `${accountId}:${key}`);
        const r = await q.one<{ seen_at: number }>(
          "SELECT seen_at FROM sieve_duplicates WHERE account_id = $1 AND key = $2",
          [accountId, key],
        );
        const seen = seenWithin(r?.seen_at, t, seconds);
        // RFC 7352 3.3 (:last): a seen key's period starts again from now; without it the first
        // sighting's period stands, so a steady stream is still let through once per period.
        if (!seen || last) {
          // From the accounts row: an account gone since the caller looked it up records nothing.
          await q.run(
            `INSERT INTO sieve_duplicates (account_id, key, seen_at, expires_at)
             SELECT id, $2, $3, $4 FROM accounts WHERE id = $1 FOR KEY SHARE
             ON CONFLICT (account_id, key) DO UPDATE SET seen_at = excluded.seen_at, expires_at = excluded.expires_at`,
            [accountId, key, t, expires],
          );
          await sweep(q, t, DUPLICATE_SWEEP_PER_RECORD);
        }
        return seen;
      });
    },

    async seenDuplicate(accountId, key, now, seconds) {
      checkId(accountId, "account");
      if (!duplicateKey(key)) return false;
      checkPeriod(seconds);
      const t = millis(now, "now");
      const r = await db(ctx).one<{ seen_at: number }>(
        "SELECT seen_at FROM sieve_duplicates WHERE account_id = $1 AND key = $2",
        [accountId, key],
      );
      return seenWithin(r?.seen_at, t, seconds);
    },

    async sweepDuplicates(now, limit) {
      const t = millis(now, "now");
      checkSweepLimit(limit);
      return tx(ctx, (q) => sweep(q, t, limit));
    },
  };
}

/** Deletes at most `limit` records expired at `t`. SKIP LOCKED: rows another node is sweeping
 *  (or recording) right now are left to it rather than waited for. */
function sweep(q: Tx, t: number, limit: number): Promise<number> {
  return q.run(
    `DELETE FROM sieve_duplicates WHERE (account_id, key) IN (
       SELECT account_id, key FROM sieve_duplicates WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [t, limit],
  );
}
