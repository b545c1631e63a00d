// SieveStore on SQLite (tables: sieve-schema.ts). Script writes are rare (a user saving a rule),
// so each is one immediate transaction of its own; the duplicate test runs per delivered message
// and goes through the group-commit writer with the deliveries around it.
import { StoreError } from "../errors.js";
import { SIEVE_SCRIPT } from "../shared/changes.js";
import type { SieveScriptRecord, SieveStore } from "../types.js";
import type { Ctx } from "./context.js";

/** Longest script name, in Unicode characters (RFC 5804 1.6 asks servers to allow at least 128). */
export const SIEVE_NAME_MAX = 128;
/** Longest duplicate key kept: the interpreter hashes or composes it, so this only stops abuse. */
const DUPLICATE_KEY_MAX = 1024;
/** Expired duplicate records removed by each one recorded: more than one, so the expired rows
 *  shrink under any traffic and the table stays bounded by the keys still within their period,
 *  with no timer (and nothing grows in quiet times, when nothing is recorded). */
const DUPLICATE_SWEEP_PER_RECORD = 2;

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

/** No lone surrogates: the text survives UTF-8 (what ManageSieve and JMAP carry) unchanged. */
const wellFormed = (t: string): boolean => Buffer.from(t, "utf8").toString("utf8") === t;

function id(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new StoreError("invalid", `bad ${what} id ${n}`);
}

function millis(d: Date, what: string): number {
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new StoreError("invalid", `${what} is not a valid date`);
  return t;
}

/** RFC 5804 1.6: a script name is 1–128 Unicode characters and none of them a control character
 *  (0000-001F, 007F-009F), a line or paragraph separator (2028, 2029). Kept exactly as given. */
export function checkSieveName(raw: unknown): string {
  if (typeof raw !== "string" || !wellFormed(raw))
    throw new StoreError("invalid", "a script name must be a string of Unicode characters");
  let n = 0;
  for (const ch of raw) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x2028 || c === 0x2029)
      throw new StoreError("invalid", "a script name may not contain control characters");
    n++;
  }
  if (n === 0 || n > SIEVE_NAME_MAX)
    throw new StoreError("invalid", `a script name must be 1 to ${SIEVE_NAME_MAX} characters`);
  return raw;
}

function checkContent(raw: unknown): string {
  if (typeof raw !== "string" || !wellFormed(raw))
    throw new StoreError("invalid", "a script must be UTF-8 text");
  return raw;
}

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
  // Names compare exactly (RFC 5804 1.6 leaves it to the server; exact keeps "Rules" and "rules"
  // apart as ManageSieve clients expect), so the listing sorts by code unit, not by locale.
  const byName = (a: Row, b: Row): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

  return {
    async list(accountId) {
      id(accountId, "account");
      return ctx.read(() => s.list.all(accountId).sort(byName).map(toRecord));
    },

    async get(accountId, name) {
      id(accountId, "account");
      if (typeof name !== "string") return null;
      return ctx.read(() => {
        const r = s.byName.get(accountId, name);
        return r ? toRecord(r) : null;
      });
    },

    async getById(accountId, scriptId) {
      id(accountId, "account");
      if (!Number.isSafeInteger(scriptId) || scriptId <= 0) return null;
      return ctx.read(() => {
        const r = s.byId.get(accountId, scriptId);
        return r ? toRecord(r) : null;
      });
    },

    async active(accountId) {
      id(accountId, "account");
      return ctx.read(() => {
        const r = s.active.get(accountId);
        return r ? toRecord(r) : null;
      });
    },

    async put(accountId, rawName, rawContent, limits, opts) {
      id(accountId, "account");
      const name = checkSieveName(rawName);
      const content = checkContent(rawContent);
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
      id(accountId, "account");
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
      id(accountId, "account");
      ctx.write(() => {
        const r = mustScript(accountId, String(name));
        // RFC 5804 2.10: the active script cannot be deleted; deactivate (or activate another) first.
        if (r.active === 1) throw new StoreError("readonly", "the active script cannot be deleted");
        s.remove.run(r.id);
        return { value: undefined };
      });
    },

    async setActive(accountId, name) {
      id(accountId, "account");
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
      id(accountId, "account");
      return ctx.read(() => s.state.get(accountId, SIEVE_SCRIPT)?.seq ?? 0);
    },

    async duplicate(accountId, key, now, seconds, last) {
      id(accountId, "account");
      if (typeof key !== "string" || key.length === 0 || key.length > DUPLICATE_KEY_MAX)
        throw new StoreError("invalid", `a duplicate key must be 1 to ${DUPLICATE_KEY_MAX} characters`);
      if (!Number.isFinite(seconds) || seconds < 0) throw new StoreError("invalid", `bad period ${seconds}`);
      const t = millis(now, "now");
      const expires = t + Math.floor(seconds * 1000);
      return ctx.grouped(() => {
        const r = s.dupGet.get(accountId, key);
        // RFC 7352 3: a duplicate when the key was recorded less than :seconds ago.
        const seen = r !== undefined && t - r.seen_at < seconds * 1000;
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
      id(accountId, "account");
      if (typeof key !== "string" || key.length === 0 || key.length > DUPLICATE_KEY_MAX) return false;
      if (!Number.isFinite(seconds) || seconds < 0) throw new StoreError("invalid", `bad period ${seconds}`);
      const t = millis(now, "now");
      return ctx.read(() => {
        const r = s.dupGet.get(accountId, key);
        // The same rule as duplicate(): recorded less than :seconds ago.
        return r !== undefined && t - r.seen_at < seconds * 1000;
      });
    },

    async sweepDuplicates(now, limit) {
      const t = millis(now, "now");
      if (!Number.isSafeInteger(limit) || limit < 1) throw new StoreError("invalid", `bad limit ${limit}`);
      return ctx.grouped(() => ({ value: s.sweep.run(t, limit).changes }));
    },
  };
}
