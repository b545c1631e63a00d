// Domains, accounts, aliases and send-as grants.
// Domains are lower-case. An address keeps its local part as given, with a lower-cased domain;
// look-ups are case-insensitive through address_key (the whole address lower-cased).
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
import { createAdminDomains } from "./admin-domains.js";
import type { Ctx } from "./context.js";
import { createRecipientLookup } from "./recipient-lookup.js";
import {
  type AccountRow,
  type AliasRow,
  type DomainRow,
  type MailboxRow,
  toAccount,
  toAlias,
  toDomain,
} from "./rows.js";

export function createDirectory(ctx: Ctx): DirectoryStore {
  const db = ctx.db;
  const s = {
    addDomain: db.prepare<[string, number]>("INSERT INTO domains (name, created_at) VALUES (?, ?)"),
    domains: db.prepare<[], DomainRow>("SELECT * FROM domains ORDER BY name"),
    domain: db.prepare<[string], DomainRow>("SELECT * FROM domains WHERE name = ?"),
    domainUsers: db.prepare<[string, string], { n: number }>(
      "SELECT (SELECT count(*) FROM accounts WHERE domain = ?) + (SELECT count(*) FROM aliases WHERE domain = ?) AS n",
    ),
    delDomain: db.prepare<[string]>("DELETE FROM domains WHERE name = ?"),
    insAccount: db.prepare<[string, string, string, string, number, number, number, number]>(
      `INSERT INTO accounts (address, address_key, domain, password_hash, quota_bytes, quota_messages, is_admin, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updAccount: db.prepare<[string, number, number, number, number, number]>(
      "UPDATE accounts SET password_hash = ?, quota_bytes = ?, quota_messages = ?, is_admin = ?, disabled = ? WHERE id = ?",
    ),
    account: db.prepare<[number], AccountRow>("SELECT * FROM accounts WHERE id = ?"),
    accountByKey: db.prepare<[string], AccountRow>("SELECT * FROM accounts WHERE address_key = ?"),
    accounts: db.prepare<[], AccountRow>("SELECT * FROM accounts ORDER BY address_key"),
    accountsIn: db.prepare<[string], AccountRow>(
      "SELECT * FROM accounts WHERE domain = ? ORDER BY address_key",
    ),
    insMailbox: db.prepare<[number, string, number, string | null, number]>(
      "INSERT INTO mailboxes (account_id, name, uid_validity, special_use, subscribed, created_at) VALUES (?, ?, ?, ?, 1, ?)",
    ),
    mailboxes: db.prepare<[number], MailboxRow>("SELECT * FROM mailboxes WHERE account_id = ?"),
    delMessages: db.prepare<[number]>("DELETE FROM messages WHERE account_id = ?"),
    delMailboxes: db.prepare<[number]>("DELETE FROM mailboxes WHERE account_id = ?"),
    delAccount: db.prepare<[number]>("DELETE FROM accounts WHERE id = ?"),
    insAlias: db.prepare<[string, string, string, string, number]>(
      "INSERT INTO aliases (address_key, address, domain, targets, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    alias: db.prepare<[string], AliasRow>("SELECT * FROM aliases WHERE address_key = ?"),
    aliases: db.prepare<[], AliasRow>("SELECT * FROM aliases ORDER BY address_key"),
    aliasesIn: db.prepare<[string], AliasRow>("SELECT * FROM aliases WHERE domain = ? ORDER BY address_key"),
    delAlias: db.prepare<[string]>("DELETE FROM aliases WHERE address_key = ?"),
    grant: db.prepare<[number, string, string]>(
      "INSERT INTO send_as (account_id, address_key, address) VALUES (?, ?, ?)",
    ),
    revoke: db.prepare<[number, string]>("DELETE FROM send_as WHERE account_id = ? AND address_key = ?"),
    grants: db.prepare<[number], { address: string }>(
      "SELECT address FROM send_as WHERE account_id = ? ORDER BY address_key",
    ),
  };

  const mustAccount = (id: number): AccountRow => {
    const r = s.account.get(id);
    if (!r) throw new StoreError("not-found", `no account ${id}`);
    return r;
  };
  const mustDomain = (name: string) => {
    if (!s.domain.get(name)) throw new StoreError("not-found", `no domain ${name}`);
  };
  const count = (n: number | undefined, what: string): number => {
    const v = n ?? 0;
    if (!Number.isSafeInteger(v) || v < 0) throw new StoreError("invalid", `${what} must be an integer >= 0`);
    return v;
  };

  return {
    async addDomain(name: string): Promise<Domain> {
      const d = normalizeDomain(name);
      return ctx.write(() => {
        if (s.domain.get(d)) throw new StoreError("exists", `domain ${d} exists`);
        const now = Date.now();
        s.addDomain.run(d, now);
        return { value: { name: d, createdAt: new Date(now) } };
      });
    },
    async listDomains() {
      return ctx.read(() => s.domains.all().map(toDomain));
    },
    async getDomain(name: string) {
      return ctx.read(() => {
        const r = s.domain.get(name.trim().toLowerCase());
        return r ? toDomain(r) : null;
      });
    },
    async removeDomain(name: string) {
      const d = name.trim().toLowerCase();
      ctx.write(() => {
        mustDomain(d);
        if (s.domainUsers.get(d, d)!.n > 0) {
          throw new StoreError("domain-not-empty", `domain ${d} still has accounts or aliases`);
        }
        s.delDomain.run(d);
        return { value: undefined };
      });
    },

    async createAccount(a: NewAccount): Promise<Account> {
      const { address, domain } = normalizeAddress(a.address, false);
      const quotaBytes = count(a.quotaBytes, "quotaBytes");
      const quotaMessages = count(a.quotaMessages, "quotaMessages");
      if (typeof a.passwordHash !== "string") throw new StoreError("invalid", "passwordHash required");
      return ctx.write(() => {
        mustDomain(domain);
        const key = keyOf(address);
        if (s.accountByKey.get(key) || s.alias.get(key)) throw new StoreError("exists", `${address} exists`);
        const now = Date.now();
        const id = Number(
          s.insAccount.run(
            address,
            key,
            domain,
            a.passwordHash,
            quotaBytes,
            quotaMessages,
            a.isAdmin ? 1 : 0,
            now,
          ).lastInsertRowid,
        );
        for (const [name, use] of DEFAULT_MAILBOXES)
          s.insMailbox.run(id, name, ctx.nextUidValidity(), use, now);
        return { value: toAccount(mustAccount(id)) };
      });
    },
    async getAccount(id: number) {
      return ctx.read(() => {
        const r = s.account.get(id);
        return r ? toAccount(r) : null;
      });
    },
    async getAccountByAddress(address: string) {
      return ctx.read(() => {
        const r = s.accountByKey.get(keyOf(address.trim()));
        return r ? toAccount(r) : null;
      });
    },
    async listAccounts(domain?: string) {
      return ctx.read(() =>
        (domain === undefined ? s.accounts.all() : s.accountsIn.all(domain.toLowerCase())).map(toAccount),
      );
    },
    async updateAccount(id, patch) {
      return ctx.write(() => {
        const cur = mustAccount(id);
        const next: AccountRow = {
          ...cur,
          password_hash: patch.passwordHash ?? cur.password_hash,
          quota_bytes:
            patch.quotaBytes === undefined ? cur.quota_bytes : count(patch.quotaBytes, "quotaBytes"),
          quota_messages:
            patch.quotaMessages === undefined
              ? cur.quota_messages
              : count(patch.quotaMessages, "quotaMessages"),
          is_admin: patch.isAdmin === undefined ? cur.is_admin : patch.isAdmin ? 1 : 0,
          disabled: patch.disabled === undefined ? cur.disabled : patch.disabled ? 1 : 0,
        };
        s.updAccount.run(
          next.password_hash,
          next.quota_bytes,
          next.quota_messages,
          next.is_admin,
          next.disabled,
          id,
        );
        return { value: toAccount(next) };
      });
    },
    async removeAccount(id: number) {
      ctx.write(() => {
        mustAccount(id);
        const boxes = s.mailboxes.all(id);
        // Messages first, so the refcount triggers release their blobs.
        s.delMessages.run(id);
        s.delMailboxes.run(id);
        s.delAccount.run(id);
        return {
          value: undefined,
          events: mailboxDeletedEvents(id, boxes),
        };
      });
    },

    async addAlias(address: string, targets: string[]): Promise<Alias> {
      const n = normalizeAddress(address, true);
      const list = aliasTargets(targets);
      return ctx.write(() => {
        mustDomain(n.domain);
        const key = keyOf(n.address);
        if (s.alias.get(key) || s.accountByKey.get(key))
          throw new StoreError("exists", `${n.address} exists`);
        const now = Date.now();
        s.insAlias.run(key, n.address, n.domain, JSON.stringify(list), now);
        return { value: { address: n.address, targets: list, createdAt: new Date(now) } };
      });
    },
    async listAliases(domain?: string) {
      return ctx.read(() =>
        (domain === undefined ? s.aliases.all() : s.aliasesIn.all(domain.toLowerCase())).map(toAlias),
      );
    },
    async getAlias(address: string) {
      return ctx.read(() => {
        const r = s.alias.get(keyOf(address.trim()));
        return r ? toAlias(r) : null;
      });
    },
    async removeAlias(address: string) {
      ctx.write(() => {
        if (s.delAlias.run(keyOf(address.trim())).changes === 0) {
          throw new StoreError("not-found", `no alias ${address}`);
        }
        return { value: undefined };
      });
    },

    lookupRecipient: createRecipientLookup(ctx),

    async grantSendAs(accountId: number, address: string) {
      const a = normalizeAddress(address.trim(), true).address;
      ctx.write(() => {
        mustAccount(accountId);
        try {
          s.grant.run(accountId, keyOf(a), a);
        } catch (e) {
          if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
            throw new StoreError("exists", `account ${accountId} may already send as ${a}`);
          }
          throw e;
        }
        return { value: undefined };
      });
    },
    async revokeSendAs(accountId: number, address: string) {
      ctx.write(() => {
        if (s.revoke.run(accountId, keyOf(address.trim())).changes === 0) {
          throw new StoreError("not-found", `account ${accountId} has no send-as grant for ${address}`);
        }
        return { value: undefined };
      });
    },
    async listSendAs(accountId: number) {
      return ctx.read(() => s.grants.all(accountId).map((r) => r.address));
    },

    ...createAdminDomains(ctx),
  };
}
