// Row shapes and their mapping to the contract's objects.
import type { MessageStructure } from "../../mime/types.js";
import { flagList } from "../shared/flags.js";
import { type AccountRowBase, accountOf, type MailboxRowBase, mailboxOf } from "../shared/rows.js";
import type { Account, Mailbox, MessageMeta } from "../types.js";

export { type AliasRow, type DomainRow, toAlias, toDomain } from "../shared/rows.js";

/** is_admin and disabled are 0/1 integers. */
export interface AccountRow extends AccountRowBase {
  is_admin: number;
  disabled: number;
}
export const toAccount = (r: AccountRow): Account =>
  accountOf(r, { isAdmin: r.is_admin === 1, disabled: r.disabled === 1 });

/** subscribed is a 0/1 integer. */
export interface MailboxRow extends MailboxRowBase {
  subscribed: number;
}
export const toMailbox = (r: MailboxRow): Mailbox => mailboxOf(r, r.subscribed === 1);

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
