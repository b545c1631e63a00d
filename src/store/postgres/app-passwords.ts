// AppPasswordStore on PostgreSQL (table: schema-accounts.ts). The behaviour and the checks are
// the SQLite store's (src/store/sqlite/app-passwords.ts). create counts the account's app
// passwords under a per-account advisory lock, so two nodes creating at once cannot both pass
// the bound; revoking deletes the row, and a trigger records a login change (the sessions that
// logged in with it end, web-sessions.ts).
import { StoreError } from "../errors.js";
import {
  checkNewAppPassword,
  IP_MAX,
  type AppPasswordRow as Row,
  toAppPassword,
} from "../shared/app-passwords.js";
import { checkId, millis } from "../shared/checks.js";
import type { AppPasswordStore } from "../types.js";
import { LOCK, lockFor, mustAccount } from "./account-kit.js";
import type { PgCtx } from "./context.js";

const COLUMNS = "id, account_id, name, scopes, hash, created_at, last_used_at, last_used_ip";

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
      const { name, scopes, at } = checkNewAppPassword(p);
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
