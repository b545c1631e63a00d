// AppPasswordStore on SQLite (table: app-password-schema.ts). Writes are rare (a user making or
// revoking one, a login's last-use stamp, which the auth layer writes at most once a minute per
// app password and IP), so each is one immediate transaction of its own.
import { StoreError } from "../errors.js";
import type { AppPassword, AppPasswordScope, AppPasswordStore } from "../types.js";
import type { Ctx } from "./context.js";

/** Every scope, in the order they are stored and listed. */
export const APP_PASSWORD_SCOPES: readonly AppPasswordScope[] = [
  "imap",
  "pop3",
  "smtp",
  "jmap",
  "managesieve",
];
/** Longest name, in characters: a device's name, not a note. */
export const APP_PASSWORD_NAME_MAX = 64;
/** Longest client address kept (an IPv6 address with a zone is under 64). */
const IP_MAX = 64;

interface Row {
  id: number;
  account_id: number;
  name: string;
  scopes: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  last_used_ip: string | null;
}

const isScope = (s: unknown): s is AppPasswordScope => APP_PASSWORD_SCOPES.includes(s as AppPasswordScope);

const toAppPassword = (r: Row): AppPassword => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  scopes: r.scopes.split(",").filter(isScope),
  createdAt: new Date(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
  lastUsedIp: r.last_used_ip,
});

function millis(d: Date, what: string): number {
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new StoreError("invalid", `${what} is not a valid date`);
  return t;
}

function id(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new StoreError("invalid", `bad ${what} id ${n}`);
}

/** The name as stored (trimmed), or a StoreError: 1–64 characters, no control characters. */
function checkName(raw: unknown): string {
  const name = typeof raw === "string" ? raw.trim() : "";
  if (name.length === 0 || name.length > APP_PASSWORD_NAME_MAX)
    throw new StoreError("invalid", `app password name must be 1 to ${APP_PASSWORD_NAME_MAX} characters`);
  for (const ch of name) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0))
      throw new StoreError("invalid", "app password name has a control character");
  }
  return name;
}

/** The scopes as stored: known ones only, each once, in APP_PASSWORD_SCOPES order. */
function checkScopes(raw: unknown): string {
  if (!Array.isArray(raw) || raw.length === 0)
    throw new StoreError("invalid", "an app password needs at least one scope");
  for (const s of raw)
    if (!isScope(s)) throw new StoreError("invalid", `unknown app password scope ${JSON.stringify(s)}`);
  return APP_PASSWORD_SCOPES.filter((s) => raw.includes(s)).join(",");
}

export function createAppPasswords(ctx: Ctx): AppPasswordStore {
  const db = ctx.db;
  const s = {
    account: db.prepare<[number], { id: number }>("SELECT id FROM accounts WHERE id = ?"),
    count: db.prepare<[number], { n: number }>(
      "SELECT count(*) AS n FROM app_passwords WHERE account_id = ?",
    ),
    insert: db.prepare<[number, string, string, string, number]>(
      "INSERT INTO app_passwords (account_id, name, scopes, hash, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    byId: db.prepare<[number, number], Row>("SELECT * FROM app_passwords WHERE account_id = ? AND id = ?"),
    list: db.prepare<[number], Row>("SELECT * FROM app_passwords WHERE account_id = ? ORDER BY id"),
    touch: db.prepare<[number, string, number, number]>(
      "UPDATE app_passwords SET last_used_at = ?, last_used_ip = ? WHERE account_id = ? AND id = ?",
    ),
    revoke: db.prepare<[number, number]>("DELETE FROM app_passwords WHERE account_id = ? AND id = ?"),
  };

  return {
    async create(p) {
      id(p.accountId, "account");
      const name = checkName(p.name);
      const scopes = checkScopes(p.scopes);
      const at = millis(p.createdAt, "createdAt");
      if (typeof p.hash !== "string" || p.hash.length === 0)
        throw new StoreError("invalid", "app password hash missing");
      return ctx.write(() => {
        if (!s.account.get(p.accountId)) throw new StoreError("not-found", `no account ${p.accountId}`);
        const n = s.count.get(p.accountId)?.n ?? 0;
        if (n >= p.maxPerAccount)
          throw new StoreError("quota", `an account may have at most ${p.maxPerAccount} app passwords`);
        const rowid = Number(s.insert.run(p.accountId, name, scopes, p.hash, at).lastInsertRowid);
        const row = s.byId.get(p.accountId, rowid);
        if (!row) throw new StoreError("not-found", "app password vanished");
        return { value: toAppPassword(row) };
      });
    },

    async list(accountId) {
      id(accountId, "account");
      return ctx.read(() => s.list.all(accountId).map(toAppPassword));
    },

    async get(accountId, appId) {
      id(accountId, "account");
      id(appId, "app password");
      return ctx.read(() => {
        const r = s.byId.get(accountId, appId);
        return r ? toAppPassword(r) : null;
      });
    },

    async candidates(accountId) {
      id(accountId, "account");
      return ctx.read(() => s.list.all(accountId).map((r) => ({ ...toAppPassword(r), hash: r.hash })));
    },

    async touch(accountId, appId, use: { at: Date; ip: string }) {
      id(accountId, "account");
      id(appId, "app password");
      const at = millis(use.at, "at");
      const ip = String(use.ip).slice(0, IP_MAX);
      ctx.write(() => {
        s.touch.run(at, ip, accountId, appId);
        return { value: undefined };
      });
    },

    async revoke(accountId, appId) {
      id(accountId, "account");
      id(appId, "app password");
      return ctx.write(() => ({ value: s.revoke.run(accountId, appId).changes > 0 }));
    },
  };
}
