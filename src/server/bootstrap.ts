// First start: a first domain and an admin account whose random password is printed once,
// plus postmaster@ (RFC 5321 4.5.1 requires it) as an alias of that account.
import { randomBytes } from "node:crypto";
import { hashPassword } from "../auth/password.js";
import type { Config } from "../config/schema.js";
import { algorithmsOf, ensureDkimKeys } from "../mailauth/keys.js";
import type { Store } from "../store/types.js";

export interface FirstAccount {
  address: string;
  password: string;
}

export async function ensureFirstAccount(store: Store, config: Config): Promise<FirstAccount | null> {
  if ((await store.directory.listAccounts()).length > 0) return null;
  const domains = await store.directory.listDomains();
  const domain =
    domains[0]?.name ?? (await store.directory.addDomain(config.server.hostname.toLowerCase())).name;
  await ensureDkimKeys(config.server.dataDir, domain, {
    algorithms: algorithmsOf(config.mailauth.algorithms),
    rsaBits: config.mailauth.rsaBits,
  });
  const address = `admin@${domain}`;
  const password = randomBytes(12).toString("base64url");
  await store.directory.createAccount({
    address,
    passwordHash: await hashPassword(password),
    isAdmin: true,
    quotaBytes: config.quota.defaultBytes,
    quotaMessages: config.quota.defaultMessages,
  });
  if (!(await store.directory.getAlias(`postmaster@${domain}`)))
    await store.directory.addAlias(`postmaster@${domain}`, [address]);
  return { address, password };
}
