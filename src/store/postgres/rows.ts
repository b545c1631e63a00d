// Row shapes of the directory and mail tables (schema-mail.ts) and their mapping to the contract's
// objects, shared by the PostgreSQL store's files. BIGINTs arrive as numbers (db.ts), booleans
// as booleans.

import { flagList } from "../shared/flags.js";
import { type AccountRowBase, accountOf, type MailboxRowBase, mailboxOf } from "../shared/rows.js";
import type { Account, Mailbox, MessageMeta } from "../types.js";

export { type AliasRow, type DomainRow, toAlias, toDomain } from "../shared/rows.js";

export interface AccountRow extends AccountRowBase {
  is_admin: boolean;
  disabled: boolean;
}
export const ACCOUNT_COLUMNS =
  "id, address, domain, password_hash, quota_bytes, quota_messages, is_admin, disabled, used_bytes, used_messages, created_at";
export const toAccount = (r: AccountRow): Account =>
  accountOf(r, { isAdmin: r.is_admin, disabled: r.disabled });

export interface MailboxRow extends MailboxRowBase {
  subscribed: boolean;
}
export const MAILBOX_COLUMNS =
  "id, account_id, name, uid_validity, uid_next, highest_modseq, special_use, subscribed, created_at, first_recent_uid";
export const toMailbox = (r: MailboxRow): Mailbox => mailboxOf(r, r.subscribed);

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

/** A row's flags (bits and keywords) as a flag list. */
export type FlagsOf = (bits: number, keywords: string) => string[];

/** Flag lists shared between messages (most have one of a few), frozen; bounded. */
export function flagListCache(): FlagsOf {
  const lists = new Map<string, string[]>();
  return (bits, keywords) => {
    const key = `${bits} ${keywords}`;
    let l = lists.get(key);
    if (!l) {
      if (lists.size >= 1024) lists.clear();
      l = Object.freeze(flagList(bits, keywords)) as string[];
      lists.set(key, l);
    }
    return l;
  };
}
