// Row shapes of the directory and mail tables (schema-mail.ts) and their mapping to the contract's
// objects, shared by the PostgreSQL store's files. BIGINTs arrive as numbers (db.ts), booleans
// as booleans.

import { flagList } from "../sqlite/flags.js";
import type { Account, Alias, Domain, Mailbox, MessageMeta, SpecialUse } from "../types.js";

export interface DomainRow {
  name: string;
  created_at: number;
}
export const toDomain = (r: DomainRow): Domain => ({ name: r.name, createdAt: new Date(r.created_at) });

export interface AccountRow {
  id: number;
  address: string;
  domain: string;
  password_hash: string;
  quota_bytes: number;
  quota_messages: number;
  is_admin: boolean;
  disabled: boolean;
  used_bytes: number;
  used_messages: number;
  created_at: number;
}
export const ACCOUNT_COLUMNS =
  "id, address, domain, password_hash, quota_bytes, quota_messages, is_admin, disabled, used_bytes, used_messages, created_at";
export const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  address: r.address,
  domain: r.domain,
  passwordHash: r.password_hash,
  quotaBytes: r.quota_bytes,
  quotaMessages: r.quota_messages,
  isAdmin: r.is_admin,
  disabled: r.disabled,
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

export interface MailboxRow {
  id: number;
  account_id: number;
  name: string;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  special_use: string | null;
  subscribed: boolean;
  created_at: number;
  first_recent_uid: number;
}
export const MAILBOX_COLUMNS =
  "id, account_id, name, uid_validity, uid_next, highest_modseq, special_use, subscribed, created_at, first_recent_uid";
export const toMailbox = (r: MailboxRow): Mailbox => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  uidValidity: r.uid_validity,
  uidNext: r.uid_next,
  highestModseq: r.highest_modseq,
  specialUse: r.special_use as SpecialUse | null,
  subscribed: r.subscribed,
  createdAt: new Date(r.created_at),
});

/** Columns of a message as MessageMeta needs them (with its body's hash, the blobId). */
export const MESSAGE_SELECT = `SELECT m.id, m.mailbox_id, m.uid, m.modseq, m.sys_flags, m.keywords,
  m.internal_date, m.saved_date, m.size, b.hash, m.thread_id
  FROM messages m JOIN blobs b ON b.id = m.blob_id`;

export interface MessageMetaRow {
  id: number;
  mailbox_id: number;
  uid: number;
  modseq: number;
  sys_flags: number;
  keywords: string;
  internal_date: number;
  saved_date: number;
  size: number;
  hash: string;
  thread_id: number;
}

export const toMeta = (r: MessageMetaRow): MessageMeta => ({
  id: r.id,
  mailboxId: r.mailbox_id,
  uid: r.uid,
  modseq: r.modseq,
  flags: flagList(r.sys_flags, r.keywords),
  internalDate: new Date(r.internal_date),
  savedDate: new Date(r.saved_date),
  size: r.size,
  blobId: r.hash,
  threadId: r.thread_id,
});
