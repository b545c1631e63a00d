// Row shapes and their mapping to the contract's objects.
import type { MessageStructure } from "../../mime/types.js";
import type { Account, Alias, Domain, Mailbox, MessageMeta, SpecialUse } from "../types.js";
import { flagList } from "./flags.js";

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
  is_admin: number;
  disabled: number;
  used_bytes: number;
  used_messages: number;
  created_at: number;
}
export const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  address: r.address,
  domain: r.domain,
  passwordHash: r.password_hash,
  quotaBytes: r.quota_bytes,
  quotaMessages: r.quota_messages,
  isAdmin: r.is_admin === 1,
  disabled: r.disabled === 1,
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
  subscribed: number;
  created_at: number;
  first_recent_uid: number;
}
export const toMailbox = (r: MailboxRow): Mailbox => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  uidValidity: r.uid_validity,
  uidNext: r.uid_next,
  highestModseq: r.highest_modseq,
  specialUse: r.special_use as SpecialUse | null,
  subscribed: r.subscribed === 1,
  createdAt: new Date(r.created_at),
});

/** Columns of MESSAGE_SELECT, in order, read with .raw() for speed on large mailboxes. */
export const MESSAGE_SELECT = `SELECT m.id, m.mailbox_id, m.uid, m.modseq, m.sys_flags, m.keywords,
  m.internal_date, m.saved_date, m.size, b.hash, m.thread_id
  FROM messages m JOIN blobs b ON b.id = m.blob_id`;
export type MessageTuple = [
  number,
  number,
  number,
  number,
  number,
  string,
  number,
  number,
  number,
  string,
  number,
];

export const toMeta = (t: MessageTuple): MessageMeta => ({
  id: t[0],
  mailboxId: t[1],
  uid: t[2],
  modseq: t[3],
  flags: flagList(t[4], t[5]),
  internalDate: new Date(t[6]),
  savedDate: new Date(t[7]),
  size: t[8],
  blobId: t[9],
  threadId: t[10],
});

export const parseStructureJson = (s: string): MessageStructure => JSON.parse(s) as MessageStructure;
