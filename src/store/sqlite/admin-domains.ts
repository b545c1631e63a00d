// Domain administrators (issue 15): which domains an account administers besides the global
// admin flag (accounts.is_admin). A separate table rather than a column: an account may
// administer several domains, and a login (getAccount, the hot path) never reads it — only the
// admin pages' dispatcher, postmaster@/abuse@ routing and the CLI do.
import { StoreError } from "../errors.js";
import type { Account, DirectoryStore } from "../types.js";
import type { Ctx } from "./context.js";
import { type AccountRow, toAccount } from "./rows.js";

/** v19: admin_domains, one row per (account, domain) it administers; rows go with the account and
 *  with the domain (ON DELETE CASCADE, foreign_keys is ON: db.ts). */
export const adminDomainMigration = `
CREATE TABLE IF NOT EXISTS admin_domains (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
  PRIMARY KEY (account_id, domain)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS admin_domains_domain ON admin_domains(domain);
`;

type AdminDomainMethods = Pick<DirectoryStore, "listAdminDomains" | "setAdminDomains" | "listDomainAdmins">;

export function createAdminDomains(ctx: Ctx): AdminDomainMethods {
  // Prepared on first use: most processes (a login, a delivery to a user) never need them.
  let stmts: ReturnType<typeof prepare> | null = null;
  const s = () => {
    stmts ??= prepare(ctx);
    return stmts;
  };
  return {
    async listAdminDomains(accountId: number): Promise<string[]> {
      return ctx.read(() => s().list.all(accountId));
    },
    async setAdminDomains(accountId: number, domains: readonly string[]): Promise<void> {
      const wanted = [...new Set(domains.map((d) => d.trim().toLowerCase()))];
      ctx.write(() => {
        const q = s();
        if (!q.account.get(accountId)) throw new StoreError("not-found", `no account ${accountId}`);
        for (const d of wanted) if (!q.domain.get(d)) throw new StoreError("not-found", `no domain ${d}`);
        q.clear.run(accountId);
        for (const d of wanted) q.add.run(accountId, d);
        return { value: undefined };
      });
    },
    async listDomainAdmins(name: string): Promise<Account[]> {
      return ctx.read(() => s().admins.all(name.trim().toLowerCase()).map(toAccount));
    },
  };
}

function prepare(ctx: Ctx) {
  const db = ctx.db;
  const list = db.prepare<[number], string>(
    "SELECT domain FROM admin_domains WHERE account_id = ? ORDER BY domain",
  );
  list.pluck(true);
  return {
    list,
    account: db.prepare<[number], { id: number }>("SELECT id FROM accounts WHERE id = ?"),
    domain: db.prepare<[string], { name: string }>("SELECT name FROM domains WHERE name = ?"),
    clear: db.prepare<[number]>("DELETE FROM admin_domains WHERE account_id = ?"),
    add: db.prepare<[number, string]>(
      "INSERT OR IGNORE INTO admin_domains (account_id, domain) VALUES (?, ?)",
    ),
    admins: db.prepare<[string], AccountRow>(
      `SELECT a.* FROM admin_domains d JOIN accounts a ON a.id = d.account_id
       WHERE d.domain = ? ORDER BY a.address_key`,
    ),
  };
}
