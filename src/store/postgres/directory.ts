// Domains, accounts, aliases, send-as grants and domain administrators on PostgreSQL (issue 17),
// with the SQLite store's behaviour (src/store/sqlite/directory.ts): domains lower-case, addresses
// keyed case-insensitively by address_key, an address is an account or an alias, never both.
// That last rule spans two tables, so a writer of an address first takes an advisory lock on its
// key: two nodes creating one address at once take turns, and the second sees the first's row.
import { StoreError } from "../errors.js";
import {
  aliasTargets,
  DEFAULT_MAILBOXES,
  keyOf,
  mailboxDeletedEvents,
  normalizeAddress,
  normalizeDomain,
} from "../shared/directory.js";
import type { Account, Alias, DirectoryStore, Domain, NewAccount } from "../types.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";
import { nextUidValidity } from "./mailboxes.js";
import { createRecipientLookup } from "./recipient-lookup.js";
import {
  ACCOUNT_COLUMNS,
  type AccountRow,
  type AliasRow,
  type DomainRow,
  toAccount,
  toAlias,
  toDomain,
} from "./rows.js";
import { existsOnConflict } from "./unique.js";

/** First key of the advisory lock on an address (the second is the hash of its key). */
const ADDRESS_LOCK = 0x79_0101;

async function lockAddress(t: Tx, key: string): Promise<void> {
  await t.run("SELECT pg_advisory_xact_lock($1::int, hashtext($2))", [ADDRESS_LOCK, key]);
}

async function addressTaken(t: Tx, key: string): Promise<boolean> {
  const r = await t.one(
    "SELECT 1 FROM accounts WHERE address_key = $1 UNION ALL SELECT 1 FROM aliases WHERE address_key = $1 LIMIT 1",
    [key],
  );
  return r !== null;
}

async function mustDomain(q: Pick<Tx, "one">, name: string): Promise<void> {
  if (!(await q.one("SELECT 1 FROM domains WHERE name = $1", [name])))
    throw new StoreError("not-found", `no domain ${name}`);
}

function count(n: number | undefined, what: string): number {
  const v = n ?? 0;
  if (!Number.isSafeInteger(v) || v < 0) throw new StoreError("invalid", `${what} must be an integer >= 0`);
  return v;
}

const SELECT_ACCOUNT = `SELECT ${ACCOUNT_COLUMNS} FROM accounts`;

export function createDirectory(ctx: PgCtx): DirectoryStore {
  const db = ctx.db;
  const read = () => {
    ctx.assertOpen();
    return db;
  };
  const mustAccount = async (q: Pick<Tx, "one">, id: number, lock = false): Promise<AccountRow> => {
    const r = await q.one<AccountRow>(`${SELECT_ACCOUNT} WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
    if (!r) throw new StoreError("not-found", `no account ${id}`);
    return r;
  };

  return {
    async addDomain(name: string): Promise<Domain> {
      const d = normalizeDomain(name);
      const now = Date.now();
      return ctx.write(async (t) => {
        const n = await existsOnConflict(
          t.run("INSERT INTO domains (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", [d, now]),
          `domain ${d} exists`,
        );
        if (n === 0) throw new StoreError("exists", `domain ${d} exists`);
        return { value: { name: d, createdAt: new Date(now) } };
      });
    },
    async listDomains() {
      return (await read().rows<DomainRow>("SELECT name, created_at FROM domains ORDER BY name")).map(
        toDomain,
      );
    },
    async getDomain(name: string) {
      const r = await read().one<DomainRow>("SELECT name, created_at FROM domains WHERE name = $1", [
        name.trim().toLowerCase(),
      ]);
      return r ? toDomain(r) : null;
    },
    async removeDomain(name: string) {
      const d = name.trim().toLowerCase();
      await ctx.write(async (t) => {
        // Locked, so an account or alias being added in it meanwhile waits (its foreign key check
        // takes a share lock on this row) and then fails, rather than outliving its domain.
        if (!(await t.one("SELECT 1 FROM domains WHERE name = $1 FOR UPDATE", [d])))
          throw new StoreError("not-found", `no domain ${d}`);
        const used = await t.one(
          "SELECT 1 FROM accounts WHERE domain = $1 UNION ALL SELECT 1 FROM aliases WHERE domain = $1 LIMIT 1",
          [d],
        );
        if (used) throw new StoreError("domain-not-empty", `domain ${d} still has accounts or aliases`);
        await t.run("DELETE FROM domains WHERE name = $1", [d]);
        return { value: undefined };
      });
    },

    async createAccount(a: NewAccount): Promise<Account> {
      const { address, domain } = normalizeAddress(a.address, false);
      const quotaBytes = count(a.quotaBytes, "quotaBytes");
      const quotaMessages = count(a.quotaMessages, "quotaMessages");
      if (typeof a.passwordHash !== "string") throw new StoreError("invalid", "passwordHash required");
      const key = keyOf(address);
      return ctx.write(async (t) => {
        await mustDomain(t, domain);
        await lockAddress(t, key);
        if (await addressTaken(t, key)) throw new StoreError("exists", `${address} exists`);
        const now = Date.now();
        const row = await existsOnConflict(
          t.one<AccountRow>(
            `INSERT INTO accounts (address, address_key, domain, password_hash, quota_bytes, quota_messages, is_admin, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${ACCOUNT_COLUMNS}`,
            [address, key, domain, a.passwordHash, quotaBytes, quotaMessages, a.isAdmin === true, now],
          ),
          `${address} exists`,
        );
        const id = row!.id;
        for (const [name, use] of DEFAULT_MAILBOXES) {
          await t.run(
            `INSERT INTO mailboxes (account_id, name, uid_validity, special_use, subscribed, created_at)
             VALUES ($1, $2, $3, $4, true, $5)`,
            [id, name, await nextUidValidity(t), use, now],
          );
        }
        return { value: toAccount(row!) };
      });
    },
    async getAccount(id: number) {
      if (!Number.isSafeInteger(id)) return null;
      const r = await read().one<AccountRow>(`${SELECT_ACCOUNT} WHERE id = $1`, [id]);
      return r ? toAccount(r) : null;
    },
    async getAccountByAddress(address: string) {
      const r = await read().one<AccountRow>(`${SELECT_ACCOUNT} WHERE address_key = $1`, [
        keyOf(address.trim()),
      ]);
      return r ? toAccount(r) : null;
    },
    async listAccounts(domain?: string) {
      const rows =
        domain === undefined
          ? await read().rows<AccountRow>(`${SELECT_ACCOUNT} ORDER BY address_key`)
          : await read().rows<AccountRow>(`${SELECT_ACCOUNT} WHERE domain = $1 ORDER BY address_key`, [
              domain.toLowerCase(),
            ]);
      return rows.map(toAccount);
    },
    async updateAccount(id, patch) {
      const quotaBytes = patch.quotaBytes === undefined ? undefined : count(patch.quotaBytes, "quotaBytes");
      const quotaMessages =
        patch.quotaMessages === undefined ? undefined : count(patch.quotaMessages, "quotaMessages");
      return ctx.write(async (t) => {
        const cur = await mustAccount(t, id, true);
        const next: AccountRow = {
          ...cur,
          password_hash: patch.passwordHash ?? cur.password_hash,
          quota_bytes: quotaBytes ?? cur.quota_bytes,
          quota_messages: quotaMessages ?? cur.quota_messages,
          is_admin: patch.isAdmin ?? cur.is_admin,
          disabled: patch.disabled ?? cur.disabled,
        };
        await t.run(
          "UPDATE accounts SET password_hash = $1, quota_bytes = $2, quota_messages = $3, is_admin = $4, disabled = $5 WHERE id = $6",
          [next.password_hash, next.quota_bytes, next.quota_messages, next.is_admin, next.disabled, id],
        );
        return { value: toAccount(next) };
      });
    },
    async removeAccount(id: number) {
      await ctx.write(async (t) => {
        // Mailboxes first (the lock order of schema-mail.ts), then the account.
        const boxes = await t.rows<{ id: number; name: string }>(
          "SELECT id, name FROM mailboxes WHERE account_id = $1 ORDER BY id FOR UPDATE",
          [id],
        );
        await mustAccount(t, id, true);
        // Messages first, so the triggers release their blobs.
        await t.run("DELETE FROM messages WHERE account_id = $1", [id]);
        await t.run("DELETE FROM mailboxes WHERE account_id = $1", [id]);
        await t.run("DELETE FROM accounts WHERE id = $1", [id]);
        return {
          value: undefined,
          events: mailboxDeletedEvents(id, boxes),
        };
      });
    },

    async addAlias(address: string, targets: string[]): Promise<Alias> {
      const n = normalizeAddress(address, true);
      const list = aliasTargets(targets);
      const key = keyOf(n.address);
      return ctx.write(async (t) => {
        await mustDomain(t, n.domain);
        await lockAddress(t, key);
        if (await addressTaken(t, key)) throw new StoreError("exists", `${n.address} exists`);
        const now = Date.now();
        await existsOnConflict(
          t.run(
            "INSERT INTO aliases (address_key, address, domain, targets, created_at) VALUES ($1, $2, $3, $4, $5)",
            [key, n.address, n.domain, JSON.stringify(list), now],
          ),
          `${n.address} exists`,
        );
        return { value: { address: n.address, targets: list, createdAt: new Date(now) } };
      });
    },
    async listAliases(domain?: string) {
      const cols = "SELECT address, targets, created_at FROM aliases";
      const rows =
        domain === undefined
          ? await read().rows<AliasRow>(`${cols} ORDER BY address_key`)
          : await read().rows<AliasRow>(`${cols} WHERE domain = $1 ORDER BY address_key`, [
              domain.toLowerCase(),
            ]);
      return rows.map(toAlias);
    },
    async getAlias(address: string) {
      const r = await read().one<AliasRow>(
        "SELECT address, targets, created_at FROM aliases WHERE address_key = $1",
        [keyOf(address.trim())],
      );
      return r ? toAlias(r) : null;
    },
    async removeAlias(address: string) {
      await ctx.write(async (t) => {
        if ((await t.run("DELETE FROM aliases WHERE address_key = $1", [keyOf(address.trim())])) === 0)
          throw new StoreError("not-found", `no alias ${address}`);
        return { value: undefined };
      });
    },

    lookupRecipient: createRecipientLookup(ctx),

    async grantSendAs(accountId: number, address: string) {
      const a = normalizeAddress(address.trim(), true).address;
      await ctx.write(async (t) => {
        await mustAccount(t, accountId);
        const n = await existsOnConflict(
          t.run(
            "INSERT INTO send_as (account_id, address_key, address) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [accountId, keyOf(a), a],
          ),
          `account ${accountId} may already send as ${a}`,
        );
        if (n === 0) throw new StoreError("exists", `account ${accountId} may already send as ${a}`);
        return { value: undefined };
      });
    },
    async revokeSendAs(accountId: number, address: string) {
      await ctx.write(async (t) => {
        const n = await t.run("DELETE FROM send_as WHERE account_id = $1 AND address_key = $2", [
          accountId,
          keyOf(address.trim()),
        ]);
        if (n === 0)
          throw new StoreError("not-found", `account ${accountId} has no send-as grant for ${address}`);
        return { value: undefined };
      });
    },
    async listSendAs(accountId: number) {
      const rows = await read().rows<{ address: string }>(
        "SELECT address FROM send_as WHERE account_id = $1 ORDER BY address_key",
        [accountId],
      );
      return rows.map((r) => r.address);
    },

    async listAdminDomains(accountId: number): Promise<string[]> {
      const rows = await read().rows<{ domain: string }>(
        "SELECT domain FROM admin_domains WHERE account_id = $1 ORDER BY domain",
        [accountId],
      );
      return rows.map((r) => r.domain);
    },
    async setAdminDomains(accountId: number, domains: readonly string[]): Promise<void> {
      const wanted = [...new Set(domains.map((d) => d.trim().toLowerCase()))];
      await ctx.write(async (t) => {
        await mustAccount(t, accountId);
        for (const d of wanted) await mustDomain(t, d);
        await t.run("DELETE FROM admin_domains WHERE account_id = $1", [accountId]);
        if (wanted.length > 0)
          await t.run(
            "INSERT INTO admin_domains (account_id, domain) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
            [accountId, wanted],
          );
        return { value: undefined };
      });
    },
    async listDomainAdmins(name: string): Promise<Account[]> {
      const rows = await read().rows<AccountRow>(
        `SELECT ${ACCOUNT_COLUMNS.split(", ")
          .map((c) => `a.${c}`)
          .join(", ")} FROM admin_domains d JOIN accounts a ON a.id = d.account_id
         WHERE d.domain = $1 ORDER BY a.address_key`,
        [name.trim().toLowerCase()],
      );
      return rows.map(toAccount);
    },
  };
}
