// Directory and mailbox row shapes and their mapping to the contract's objects, shared by the
// SQLite (src/store/sqlite/rows.ts) and PostgreSQL (src/store/postgres/rows.ts) stores. The flag
// columns are not here: SQLite keeps them as 0/1 integers and PostgreSQL as booleans, so each
// backend's row type adds them and passes them in already read as booleans.
import type { Account, Alias, Domain, Mailbox, SpecialUse } from "../types.js";

export interface DomainRow {
  name: string;
  created_at: number;
}
export const toDomain = (r: DomainRow): Domain => ({ name: r.name, createdAt: new Date(r.created_at) });

/** The accounts columns but is_admin and disabled (whose type is the backend's). */
export interface AccountRowBase {
  id: number;
  address: string;
  domain: string;
  password_hash: string;
  quota_bytes: number;
  quota_messages: number;
  used_bytes: number;
  used_messages: number;
  created_at: number;
}
export const accountOf = (r: AccountRowBase, flags: { isAdmin: boolean; disabled: boolean }): Account => ({
  id: r.id,
  address: r.address,
  domain: r.domain,
  passwordHash: r.password_hash,
  quotaBytes: r.quota_bytes,
  quotaMessages: r.quota_messages,
  isAdmin: flags.isAdmin,
  disabled: flags.disabled,
  createdAt: new Date(r.created_at),
});

export interface AliasRow {
  address: string;
  targets: string;
  created_at: number;
}
export const toAlias = (r: AliasRow): Alias => ({
  address: r.address,
  targets: JSON.parse(r.targets) as string[],
  createdAt: new Date(r.created_at),
});

/** The mailboxes columns but subscribed (whose type is the backend's). */
export interface MailboxRowBase {
  id: number;
  account_id: number;
  name: string;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  special_use: string | null;
  created_at: number;
  first_recent_uid: number;
}
export const mailboxOf = (r: MailboxRowBase, subscribed: boolean): Mailbox => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  uidValidity: r.uid_validity,
  uidNext: r.uid_next,
  highestModseq: r.highest_modseq,
  specialUse: r.special_use as SpecialUse | null,
  subscribed,
  createdAt: new Date(r.created_at),
});
