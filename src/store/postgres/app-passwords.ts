// AppPasswordStore on PostgreSQL (table: schema-accounts.ts). The behaviour and the checks are
// the SQLite store's (src/store/sqlite/app-passwords.ts). create counts the account's app
// passwords under a per-account advisory lock, so two nodes creating at once cannot both pass
// the bound; revoking deletes the row, and a trigger records a login change (the sessions that
// logged in with it end, web-sessions.ts).
import { StoreError } from "../errors.js";
import { APP_PASSWORD_NAME_MAX, APP_PASSWORD_SCOPES } from "../sqlite/app-passwords.js";
import type { AppPassword, AppPasswordScope, AppPasswordStore } from "../types.js";
import { checkId, LOCK, lockFor, millis, mustAccount } from "./account-kit.js";
import type { PgCtx } from "./context.js";

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

const COLUMNS = "id, account_id, name, scopes, hash, created_at, last_used_at, last_used_ip";

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

export function createAppPasswords(ctx: PgCtx): AppPasswordStore {
  const db = ctx.db;
  const list = async (accountId: number): Promise<Row[]> => {
    ctx.assertOpen();
    checkId(accountId, "account");
    return db.rows<Row>(`SELECT ${COLUMNS} FROM app_passwords WHERE account_id = $1 ORDER BY id`, [
      accountId,
    ]);
  };

  return {
    async create(p) {
      checkId(p.accountId, "account");
      const name = checkName(p.name);
      const scopes = checkScopes(p.scopes);
      const at = millis(p.createdAt, "createdAt");
      if (typeof p.hash !== "string" || p.hash.length === 0)
        throw new StoreError("invalid", "app password hash missing");
      return ctx.write(async (t) => {
        await mustAccount(t, p.accountId);
        await lockFor(t, LOCK.appPasswords, p.accountId);
        const n = (await t.one<{ n: number }>(
          "SELECT count(*) AS n FROM app_passwords WHERE account_id = $1",
          [p.accountId],
        ))!.n;
        if (n >= p.maxPerAccount)
          throw new StoreError("quota", `an account may have at most ${p.maxPerAccount} app passwords`);
        const row = await t.one<Row>(
          `INSERT INTO app_passwords (account_id, name, scopes, hash, created_at) VALUES ($1, $2, $3, $4, $5)
           RETURNING ${COLUMNS}`,
          [p.accountId, name, scopes, p.hash, at],
        );
        if (!row) throw new StoreError("not-found", "app password vanished");
        return { value: toAppPassword(row) };
      });
    },

    async list(accountId) {
      return (await list(accountId)).map(toAppPassword);
    },

    async get(accountId, appId) {
      checkId(accountId, "account");
      checkId(appId, "app password");
      ctx.assertOpen();
      const r = await db.one<Row>(`SELECT ${COLUMNS} FROM app_passwords WHERE account_id = $1 AND id = $2`, [
        accountId,
        appId,
      ]);
      return r ? toAppPassword(r) : null;
    },

    async candidates(accountId) {
      return (await list(accountId)).map((r) => ({ ...toAppPassword(r), hash: r.hash }));
    },

    async touch(accountId, appId, use) {
      checkId(accountId, "account");
      checkId(appId, "app password");
      const at = millis(use.at, "at");
      const ip = String(use.ip).slice(0, IP_MAX);
      await ctx.write(async (t) => {
        await t.run(
          "UPDATE app_passwords SET last_used_at = $1, last_used_ip = $2 WHERE account_id = $3 AND id = $4",
          [at, ip, accountId, appId],
        );
        return { value: undefined };
      });
    },

    async revoke(accountId, appId) {
      checkId(accountId, "account");
      checkId(appId, "app password");
      return ctx.write(async (t) => ({
        value:
          (await t.run("DELETE FROM app_passwords WHERE account_id = $1 AND id = $2", [accountId, appId])) >
          0,
      }));
    },
  };
}
