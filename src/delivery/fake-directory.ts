// An in-memory DirectoryStore for unit tests of auth and delivery. Look-ups are exact-match
// (case-sensitive), like the least forgiving backend, so callers' normalisation is exercised.

import { StoreError } from "../store/errors.js";
import { DISABLED_VACATION } from "../store/shared/settings.js";
import type {
  Account,
  Alias,
  DirectoryStore,
  Domain,
  NewAccount,
  RecipientLookup,
  RecipientQuery,
} from "../store/types.js";

export class FakeDirectory implements DirectoryStore {
  readonly domains = new Map<string, Domain>();
  readonly accounts = new Map<number, Account>();
  readonly aliases = new Map<string, Alias>();
  readonly sendAs = new Map<number, Set<string>>();
  readonly adminDomains = new Map<number, string[]>();
  /** Every look-up made, to assert how many queries a resolution costs. */
  readonly queries: string[] = [];
  private nextId = 1;

  async addDomain(name: string): Promise<Domain> {
    if (this.domains.has(name)) throw new StoreError("exists", `domain ${name} exists`);
    const d = { name, createdAt: new Date(0) };
    this.domains.set(name, d);
    return d;
  }
  async listDomains(): Promise<Domain[]> {
    return [...this.domains.values()];
  }
  async getDomain(name: string): Promise<Domain | null> {
    this.queries.push(`domain ${name}`);
    return this.domains.get(name) ?? null;
  }
  async removeDomain(name: string): Promise<void> {
    this.domains.delete(name);
  }

  async createAccount(a: NewAccount): Promise<Account> {
    const domain = a.address.slice(a.address.lastIndexOf("@") + 1);
    if (!this.domains.has(domain)) throw new StoreError("not-found", `no domain ${domain}`);
    const acc: Account = {
      id: this.nextId++,
      address: a.address,
      domain,
      passwordHash: a.passwordHash,
      quotaBytes: a.quotaBytes ?? 0,
      quotaMessages: a.quotaMessages ?? 0,
      isAdmin: a.isAdmin ?? false,
      disabled: false,
      createdAt: new Date(0),
    };
    this.accounts.set(acc.id, acc);
    return { ...acc };
  }
  async getAccount(id: number): Promise<Account | null> {
    const a = this.accounts.get(id);
    return a ? { ...a } : null;
  }
  async getAccountByAddress(address: string): Promise<Account | null> {
    this.queries.push(`account ${address}`);
    for (const a of this.accounts.values()) if (a.address === address) return { ...a };
    return null;
  }
  async listAccounts(domain?: string): Promise<Account[]> {
    return [...this.accounts.values()].filter((a) => domain === undefined || a.domain === domain);
  }
  async updateAccount(
    id: number,
    patch: Partial<Pick<Account, "passwordHash" | "quotaBytes" | "quotaMessages" | "isAdmin" | "disabled">>,
  ): Promise<Account> {
    const a = this.accounts.get(id);
    if (!a) throw new StoreError("not-found", `no account ${id}`);
    Object.assign(a, patch);
    return { ...a };
  }
  async removeAccount(id: number): Promise<void> {
    this.accounts.delete(id);
  }

  async addAlias(address: string, targets: string[]): Promise<Alias> {
    const alias = { address, targets: [...targets], createdAt: new Date(0) };
    this.aliases.set(address, alias);
    return alias;
  }
  async listAliases(domain?: string): Promise<Alias[]> {
    return [...this.aliases.values()].filter((a) => domain === undefined || a.address.endsWith(`@${domain}`));
  }
  async getAlias(address: string): Promise<Alias | null> {
    this.queries.push(`alias ${address}`);
    return this.aliases.get(address) ?? null;
  }
  async removeAlias(address: string): Promise<void> {
    this.aliases.delete(address);
  }

  /** No quota used, no Sieve script, no vacation: a unit test's accounts have none. */
  async lookupRecipient(q: RecipientQuery): Promise<RecipientLookup> {
    this.queries.push(`lookup ${q.addresses.join(" ")}`);
    const domainIsOurs = q.domains.some((d) => this.domains.has(d));
    for (const address of q.addresses)
      for (const a of this.accounts.values())
        if (a.address === address) {
          const quota = { bytes: 0, messages: 0, quotaBytes: a.quotaBytes, quotaMessages: a.quotaMessages };
          return {
            domainIsOurs,
            account: { account: { ...a }, facts: { quota, sieve: null, vacation: { ...DISABLED_VACATION } } },
          };
        }
    return { domainIsOurs, account: null };
  }

  async grantSendAs(accountId: number, address: string): Promise<void> {
    const s = this.sendAs.get(accountId) ?? new Set<string>();
    s.add(address);
    this.sendAs.set(accountId, s);
  }
  async revokeSendAs(accountId: number, address: string): Promise<void> {
    this.sendAs.get(accountId)?.delete(address);
  }
  async listSendAs(accountId: number): Promise<string[]> {
    return [...(this.sendAs.get(accountId) ?? [])];
  }

  async listAdminDomains(accountId: number): Promise<string[]> {
    return [...(this.adminDomains.get(accountId) ?? [])].sort();
  }
  async setAdminDomains(accountId: number, domains: readonly string[]): Promise<void> {
    if (!this.accounts.has(accountId)) throw new StoreError("not-found", `no account ${accountId}`);
    for (const d of domains) if (!this.domains.has(d)) throw new StoreError("not-found", `no domain ${d}`);
    this.adminDomains.set(accountId, [...new Set(domains)]);
  }
  async listDomainAdmins(domain: string): Promise<Account[]> {
    return [...this.accounts.values()]
      .filter((a) => this.adminDomains.get(a.id)?.includes(domain))
      .map((a) => ({ ...a }));
  }
}
