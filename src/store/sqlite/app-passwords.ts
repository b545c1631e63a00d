// AppPasswordStore on SQLite (table: app-password-schema.ts). Writes are rare (a user making or
// revoking one, a login's last-use stamp, which the auth layer writes at most once a minute per
// app password and IP), so each is one immediate transaction of its own.
import { StoreError } from "../errors.js";
import {
  checkNewAppPassword,
  IP_MAX,
  type AppPasswordRow as Row,
  toAppPassword,
} from "../shared/app-passwords.js";
import { checkId, millis } from "../shared/checks.js";
import type { AppPasswordStore } from "../types.js";
import type { Ctx } from "./context.js";

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
      const { name, scopes, at } = checkNewAppPassword(p);
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
      checkId(accountId, "account");
      return ctx.read(() => s.list.all(accountId).map(toAppPassword));
    },

    async get(accountId, appId) {
      checkId(accountId, "account");
      checkId(appId, "app password");
      return ctx.read(() => {
        const r = s.byId.get(accountId, appId);
        return r ? toAppPassword(r) : null;
      });
    },

    async candidates(accountId) {
      checkId(accountId, "account");
      return ctx.read(() => s.list.all(accountId).map((r) => ({ ...toAppPassword(r), hash: r.hash })));
    },

    async touch(accountId, appId, use: { at: Date; ip: string }) {
      checkId(accountId, "account");
      checkId(appId, "app password");
      const at = millis(use.at, "at");
      const ip = String(use.ip).slice(0, IP_MAX);
      ctx.write(() => {
        s.touch.run(at, ip, accountId, appId);
        return { value: undefined };
      });
    },

    async revoke(accountId, appId) {
      checkId(accountId, "account");
      checkId(appId, "app password");
      return ctx.write(() => ({ value: s.revoke.run(accountId, appId).changes > 0 }));
    },
  };
}
