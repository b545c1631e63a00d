// SieveStore on SQLite (tables: sieve-schema.ts). Script writes are rare (a user saving a rule),
// so each is one immediate transaction of its own; the duplicate test runs per delivered message
// and goes through the group-commit writer with the deliveries around it.
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
import type { Ctx } from "./context.js";

interface Row {
  id: number;
  account_id: number;
  name: string;
  content: string;
  active: number;
  updated_at: number;
}

const toRecord = (r: Row): SieveScriptRecord => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  content: r.content,
  active: r.active === 1,
  updatedAt: new Date(r.updated_at),
});

export function createSieve(ctx: Ctx): SieveStore {
  const db = ctx.db;
  const s = {
    account: db.prepare<[number], { id: number }>("SELECT id FROM accounts WHERE id = ?"),
    list: db.prepare<[number], Row>("SELECT * FROM sieve_scripts WHERE account_id = ?"),
    byName: db.prepare<[number, string], Row>(
      "SELECT * FROM sieve_scripts WHERE account_id = ? AND name = ?",
    ),
    byId: db.prepare<[number, number], Row>("SELECT * FROM sieve_scripts WHERE account_id = ? AND id = ?"),
    active: db.prepare<[number], Row>("SELECT * FROM sieve_scripts WHERE account_id = ? AND active = 1"),
    usage: db.prepare<[number], { n: number; bytes: number | null }>(
      "SELECT count(*) AS n, sum(bytes) AS bytes FROM sieve_scripts WHERE account_id = ?",
    ),
    insert: db.prepare<[number, string, string, number, number]>(
      "INSERT INTO sieve_scripts (account_id, name, content, bytes, updated_at) VALUES (?, ?, ?, ?, ?)",
    ),
    replace: db.prepare<[string, number, number, number]>(
      "UPDATE sieve_scripts SET content = ?, bytes = ?, updated_at = ? WHERE id = ?",
    ),
    rename: db.prepare<[string, number, number]>(
      "UPDATE sieve_scripts SET name = ?, updated_at = ? WHERE id = ?",
    ),
    remove: db.prepare<[number]>("DELETE FROM sieve_scripts WHERE id = ?"),
    deactivate: db.prepare<[number]>(
      "UPDATE sieve_scripts SET active = 0 WHERE account_id = ? AND active = 1",
    ),
    activate: db.prepare<[number]>("UPDATE sieve_scripts SET active = 1 WHERE id = ?"),
    state: db.prepare<[number, number], { seq: number | null }>(
      "SELECT max(seq) AS seq FROM object_changes WHERE account_id = ? AND type = ?",
    ),
    dupGet: db.prepare<[number, string], { seen_at: number; expires_at: number }>(
      "SELECT seen_at, expires_at FROM sieve_duplicates WHERE account_id = ? AND key = ?",
    ),
    dupPut: db.prepare<[number, string, number, number]>(
      `INSERT INTO sieve_duplicates (account_id, key, seen_at, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, key) DO UPDATE SET seen_at = excluded.seen_at, expires_at = excluded.expires_at`,
    ),
    sweep: db.prepare<[number, number]>(
      `DELETE FROM sieve_duplicates WHERE (account_id, key) IN
         (SELECT account_id, key FROM sieve_duplicates WHERE expires_at <= ? LIMIT ?)`,
    ),
  };

  const mustAccount = (accountId: number): void => {
    if (!s.account.get(accountId)) throw new StoreError("not-found", `no account ${accountId}`);
  };
  const mustScript = (accountId: number, name: string): Row => {
    const r = s.byName.get(accountId, name);
    if (!r) throw new StoreError("not-found", `no script named ${JSON.stringify(name)}`);
    return r;
  };

  return {
    async list(accountId) {
      checkId(accountId, "account");
      return ctx.read(() => s.list.all(accountId).sort(byName).map(toRecord));
    },

    async get(accountId, name) {
      checkId(accountId, "account");
      if (typeof name !== "string") return null;
      return ctx.read(() => {
        const r = s.byName.get(accountId, name);
        return r ? toRecord(r) : null;
      });
    },

    async getById(accountId, scriptId) {
      checkId(accountId, "account");
      if (!Number.isSafeInteger(scriptId) || scriptId <= 0) return null;
      return ctx.read(() => {
        const r = s.byId.get(accountId, scriptId);
        return r ? toRecord(r) : null;
      });
    },

    async active(accountId) {
      checkId(accountId, "account");
      return ctx.read(() => {
        const r = s.active.get(accountId);
        return r ? toRecord(r) : null;
      });
    },

    async put(accountId, rawName, rawContent, limits, opts) {
      checkId(accountId, "account");
      const name = checkSieveName(rawName);
      const content = checkSieveContent(rawContent);
      const bytes = Buffer.byteLength(content, "utf8");
      const now = Date.now();
      return ctx.write(() => {
        mustAccount(accountId);
        const old = s.byName.get(accountId, name);
        if (old && opts?.createOnly)
          throw new StoreError("exists", `a script named ${JSON.stringify(name)} exists`);
        const use = s.usage.get(accountId);
        const count = use?.n ?? 0;
        const total = (use?.bytes ?? 0) - (old ? Buffer.byteLength(old.content, "utf8") : 0) + bytes;
        if (!old && count >= limits.maxScripts)
          throw new StoreError("quota", `an account may keep at most ${limits.maxScripts} scripts`);
        if (total > limits.maxTotalBytes)
          throw new StoreError(
            "quota",
            `an account's scripts may take at most ${limits.maxTotalBytes} bytes`,
          );
        let rowId: number;
        if (old) {
          s.replace.run(content, bytes, now, old.id);
          rowId = old.id;
        } else rowId = Number(s.insert.run(accountId, name, content, bytes, now).lastInsertRowid);
        const row = s.byId.get(accountId, rowId);
        if (!row) throw new StoreError("not-found", "script vanished");
        return { value: toRecord(row) };
      });
    },

    async rename(accountId, from, rawTo) {
      checkId(accountId, "account");
      const to = checkSieveName(rawTo);
      return ctx.write(() => {
        const r = mustScript(accountId, String(from));
        if (to !== r.name) {
          if (s.byName.get(accountId, to))
            throw new StoreError("exists", `a script named ${JSON.stringify(to)} exists`);
          s.rename.run(to, Date.now(), r.id);
        }
        const row = s.byId.get(accountId, r.id);
        if (!row) throw new StoreError("not-found", "script vanished");
        return { value: toRecord(row) };
      });
    },

    async remove(accountId, name) {
      checkId(accountId, "account");
      ctx.write(() => {
        const r = mustScript(accountId, String(name));
        // RFC 5804 2.10: the active script cannot be deleted; deactivate (or activate another) first.
        if (r.active === 1) throw new StoreError("readonly", "the active script cannot be deleted");
        s.remove.run(r.id);
        return { value: undefined };
      });
    },

    async setActive(accountId, name) {
      checkId(accountId, "account");
      ctx.write(() => {
        if (name === null) {
          s.deactivate.run(accountId);
          return { value: undefined };
        }
        const r = mustScript(accountId, String(name));
        // Activating the active script again changes nothing (and logs nothing).
        if (r.active === 1) return { value: undefined };
        s.deactivate.run(accountId);
        s.activate.run(r.id);
        return { value: undefined };
      });
    },

    async state(accountId) {
      checkId(accountId, "account");
      return ctx.read(() => s.state.get(accountId, SIEVE_SCRIPT)?.seq ?? 0);
    },

    async duplicate(accountId, key, now, seconds, last) {
      checkId(accountId, "account");
      if (typeof key !== "string" || key.length === 0 || key.length > DUPLICATE_KEY_MAX)
        throw new StoreError("invalid", `a duplicate key must be 1 to ${DUPLICATE_KEY_MAX} characters`);
      checkPeriod(seconds);
      const t = millis(now, "now");
      const expires = t + Math.floor(seconds * 1000);
      return ctx.grouped(() => {
        const r = s.dupGet.get(accountId, key);
        const seen = seenWithin(r?.seen_at, t, seconds);
        // RFC 7352 3.3 (:last): a seen key's period starts again from now; without it the first
        // sighting's period stands, so a steady stream is still let through once per period.
        if (!seen || last) {
          // The account may be gone since the caller looked it up: nothing to remember then.
          if (!s.account.get(accountId)) return { value: seen };
          s.dupPut.run(accountId, key, t, expires);
          s.sweep.run(t, DUPLICATE_SWEEP_PER_RECORD);
        }
        return { value: seen };
      });
    },

    async seenDuplicate(accountId, key, now, seconds) {
      checkId(accountId, "account");
      if (typeof key !== "string" || key.length === 0 || key.length > DUPLICATE_KEY_MAX) return false;
      checkPeriod(seconds);
      const t = millis(now, "now");
      return ctx.read(() => seenWithin(s.dupGet.get(accountId, key)?.seen_at, t, seconds));
    },

    async sweepDuplicates(now, limit) {
      const t = millis(now, "now");
      checkSweepLimit(limit);
      return ctx.grouped(() => ({ value: s.sweep.run(t, limit).changes }));
    },
  };
}
