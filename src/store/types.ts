// The storage contract every protocol uses (SMTP, POP3, IMAP, JMAP, CLI).
// Invariants, whatever the backend:
//  - A promise that resolves after storing a message means body and metadata are on disk (fsync'd).
//  - UIDs in a mailbox only grow; a UID is never reused while the mailbox keeps its UIDVALIDITY.
//  - Every change to a mailbox's messages bumps its HIGHESTMODSEQ and is recorded, so
//    changesSince(modseq) can answer CONDSTORE/QRESYNC and JMAP /changes.
//  - Bodies are stored once however many mailboxes hold the message (refcounted blobs).
// No SQL or file paths leak through these interfaces, so a second backend (PostgreSQL, planned for
// several nodes) would implement the same ones and pass the same contract suite (contract.ts).

import type { Envelope, MessageStructure } from "../mime/types.js";

export type SpecialUse = "\\Drafts" | "\\Sent" | "\\Trash" | "\\Junk" | "\\Archive" | "\\All" | "\\Flagged";

const SPECIAL_USES: ReadonlySet<string> = new Set<SpecialUse>([
  "\\Drafts",
  "\\Sent",
  "\\Trash",
  "\\Junk",
  "\\Archive",
  "\\All",
  "\\Flagged",
]);

/** Whether a mailbox role (RFC 6154 attribute) is one Yubin keeps. */
export function isSpecialUse(s: string): s is SpecialUse {
  return SPECIAL_USES.has(s);
}

export interface Domain {
  name: string; // lower-case ASCII (IDNs stored as A-labels)
  createdAt: Date;
}

export interface Account {
  id: number;
  address: string; // canonical login and primary address: local@domain, lower-case domain
  domain: string;
  passwordHash: string;
  quotaBytes: number; // 0 = unlimited
  quotaMessages: number; // 0 = unlimited
  isAdmin: boolean;
  disabled: boolean;
  createdAt: Date;
}

export interface NewAccount {
  address: string;
  passwordHash: string;
  quotaBytes?: number;
  quotaMessages?: number;
  isAdmin?: boolean;
}

/** An alias maps an address (or `@domain` for a catch-all) to one or more destinations. */
export interface Alias {
  address: string; // local@domain, or @domain for a catch-all
  targets: string[]; // addresses, local or remote
  createdAt: Date;
}

/** An address an account may use as sender besides its own and the aliases pointing at it. */
export interface SendAsGrant {
  accountId: number;
  address: string;
}

export interface Mailbox {
  id: number;
  accountId: number;
  name: string; // full UTF-8 name, hierarchy delimiter "/", "INBOX" for the inbox
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  specialUse: SpecialUse | null;
  subscribed: boolean;
  createdAt: Date;
}

/** UIDs from..to (inclusive; empty when from > to) of the messages a claim made recent. */
export interface RecentClaim {
  from: number;
  to: number;
}

export interface MailboxCounts {
  messages: number;
  unseen: number;
  recent: number;
  size: number; // sum of message sizes in octets
}

/** One message in one mailbox. The same body in two mailboxes is two MessageMeta sharing a blobId. */
export interface MessageMeta {
  id: number; // unique across the store (IMAP EMAILID/OBJECTID, JMAP Email id)
  mailboxId: number;
  uid: number;
  modseq: number;
  flags: string[]; // system flags (\Seen, \Answered, \Flagged, \Deleted, \Draft) and keywords
  internalDate: Date;
  savedDate: Date;
  size: number; // octets of the stored message (CRLF line ends)
  blobId: string; // content hash of the body
  threadId: number;
}

/** The part of MessageMeta that flag reads need (IMAP FETCH (UID FLAGS), EXPUNGE, SELECT). */
export interface MessageFlags {
  uid: number;
  modseq: number;
  flags: string[]; // exactly as MessageMeta.flags
}

export interface ParsedMessage {
  meta: MessageMeta;
  structure: MessageStructure; // cached at store time; FETCH never re-parses
  /** The body as readBody gives it, when getMessage was asked for it (opts.body). */
  body?: Buffer;
}

/** What SELECT and EXAMINE read (MailStore.selectMailbox). */
export interface MailboxSelection {
  mailbox: Mailbox;
  /** As listFlags gives them: every message of the mailbox, in UID order. */
  messages: MessageFlags[];
  /** As claimRecent gives it; null when not asked for. */
  recent: RecentClaim | null;
}

/** Header fields MailStore.searchHeader answers from an index (the IMAP SEARCH keys FROM, TO,
 *  CC, BCC, SUBJECT, and HEADER with one of these names). */
export type IndexedHeaderField = "FROM" | "TO" | "CC" | "BCC" | "SUBJECT";

/** What MailStore.searchText looks in: "body", the decoded text parts (IMAP BODY, JMAP body);
 *  "text", those and the decoded header (IMAP TEXT, JMAP text). */
export type FullTextField = "body" | "text";
/** One mailbox (answered with UIDs) or a whole account (answered with message ids). */
export type FullTextScope = { mailboxId: number } | { accountId: number };
/** MailStore.matchText's answer, UIDs or message ids ascending, the two lists disjoint. */
export interface TextMatch {
  /** Messages that match IMAP SEARCH BODY / TEXT (RFC 9051 6.4.4) with this needle: no need to
   *  read them. */
  sure: number[];
  /** Messages that may match: read them and match exactly. Every other message does not match. */
  maybe: number[];
}

/** What SORT and THREAD need of a message (RFC 5256): its cached envelope and References. */
export interface MessageEnvelope {
  uid: number;
  envelope: Envelope; // as in ParsedMessage.structure.envelope
  references: string[]; // as in ParsedMessage.structure.references
}

export type ChangeKind = "added" | "flags" | "expunged";

export interface MessageChange {
  kind: ChangeKind;
  uid: number;
  modseq: number;
  messageId: number;
}

export interface NewMessage {
  body: Buffer; // raw RFC 5322 message with CRLF line ends
  flags?: string[];
  internalDate?: Date;
}

export interface DeliveryTarget {
  accountId: number;
  mailboxId?: number; // default: the account's INBOX
  flags?: string[];
}

export interface DeliveredCopy {
  accountId: number;
  mailboxId: number;
  uid: number;
  messageId: number;
}

export interface FlagUpdate {
  mode: "add" | "remove" | "replace";
  flags: string[];
  unchangedSince?: number; // CONDSTORE: skip (and report) messages whose modseq is greater
}

export interface FlagUpdateResult {
  updated: { uid: number; flags: string[]; modseq: number; messageId: number }[];
  failedUnchangedSince: number[]; // UIDs that failed the UNCHANGEDSINCE test
}

export interface CopyResult {
  uidValidity: number;
  mapping: { from: number; to: number }[]; // source UID -> destination UID (COPYUID)
}

export interface QuotaUsage {
  bytes: number;
  messages: number;
  quotaBytes: number;
  quotaMessages: number;
}

/** Outbound queue entry (mail for other domains). Delivery engine is a separate concern. */
export interface QueuedMessage {
  id: number;
  blobId: string;
  size: number;
  mailFrom: string; // "" for the null sender
  recipients: QueuedRecipient[];
  envId: string | null; // DSN ENVID
  ret: "FULL" | "HDRS" | null; // DSN RET
  accountId: number | null; // submitting account, if any
  createdAt: Date;
  nextAttemptAt: Date;
  attempts: number;
  lastError: string | null;
  /** "held": kept, not sent, while its account's outgoing mail is frozen (SendingStore). */
  state: "queued" | "deferred" | "sending" | "held" | "failed" | "done";
  /** The post office's id for the message (correlation id in the logs), if it was given one. */
  cid: string | null;
}

export interface QueuedRecipient {
  address: string;
  notify: string[] | null; // DSN NOTIFY
  orcpt: string | null; // DSN ORCPT
  state: "pending" | "delivered" | "failed";
  lastError: string | null;
}

export interface NewQueuedMessage {
  body: Buffer;
  mailFrom: string;
  recipients: { address: string; notify?: string[] | null; orcpt?: string | null }[];
  envId?: string | null;
  ret?: "FULL" | "HDRS" | null;
  accountId?: number | null;
  /** "held": never claimed for delivery until an admin releases it (e.g. outbound mail the spam
   *  filter scored as spam); default "queued". */
  state?: "queued" | "held";
  /** The post office's id for the message, kept for the delivery engine's log lines. */
  cid?: string | null;
}

export interface RecipientQuery {
  addresses: readonly string[];
  domains: readonly string[];
}

/** What the post office reads of a local account for a delivery besides filing it, read with the
 *  account at RCPT. The quota is what RCPT refuses a full mailbox by; the filing checks it again,
 *  exactly, under the account's lock. */
export interface DeliveryFacts {
  quota: QuotaUsage;
  /** The active Sieve script, or null. */
  sieve: SieveScriptRecord | null;
  vacation: VacationResponse;
}

export interface RecipientLookup {
  /** One of the query's domains is ours. */
  domainIsOurs: boolean;
  /** The account with one of the query's addresses, or null. */
  account: { account: Account; facts: DeliveryFacts } | null;
}

/** Domains, accounts, aliases: the directory. */
export interface DirectoryStore {
  addDomain(name: string): Promise<Domain>;
  listDomains(): Promise<Domain[]>;
  getDomain(name: string): Promise<Domain | null>;
  removeDomain(name: string): Promise<void>; // refuses while accounts exist (StoreError "domain-not-empty")

  createAccount(a: NewAccount): Promise<Account>; // also creates the default mailboxes
  getAccount(id: number): Promise<Account | null>;
  getAccountByAddress(address: string): Promise<Account | null>;
  listAccounts(domain?: string): Promise<Account[]>;
  updateAccount(
    id: number,
    patch: Partial<Pick<Account, "passwordHash" | "quotaBytes" | "quotaMessages" | "isAdmin" | "disabled">>,
  ): Promise<Account>;
  removeAccount(id: number): Promise<void>; // deletes its mailboxes and messages

  addAlias(address: string, targets: string[]): Promise<Alias>;
  listAliases(domain?: string): Promise<Alias[]>;
  getAlias(address: string): Promise<Alias | null>;
  removeAlias(address: string): Promise<void>;

  /** What delivering to one address needs, in one look-up (one round trip on PostgreSQL): whether
   *  its domain is ours, and the account with that address with its quota usage, active Sieve
   *  script and vacation response (src/delivery/resolve.ts's direct case; aliases take the walk).
   *  `addresses` and `domains` are spellings of one address (src/delivery/lookup.ts); the account
   *  is that of the first spelling that has one. */
  lookupRecipient(q: RecipientQuery): Promise<RecipientLookup>;

  grantSendAs(accountId: number, address: string): Promise<void>;
  revokeSendAs(accountId: number, address: string): Promise<void>;
  listSendAs(accountId: number): Promise<string[]>;

  /** Domain administrators: the domains an account administers (its users, aliases and DNS page
   *  in the admin pages), sorted; [] for none. A global admin (isAdmin) administers every domain
   *  whatever this holds. Rows go with the account and with the domain. */
  listAdminDomains(accountId: number): Promise<string[]>;
  /** Replaces the account's administered domains ([] = none). StoreError "not-found" for an
   *  unknown account or a domain that is not ours. */
  setAdminDomains(accountId: number, domains: readonly string[]): Promise<void>;
  /** The accounts that administer `domain` as domain administrators (not the global admins). */
  listDomainAdmins(domain: string): Promise<Account[]>;
}

/** Objects whose changes are logged account-wide (JMAP Email, Mailbox, Thread, Identity,
 *  VacationResponse, which has one object per account, id 1, and SieveScript). */
export type ChangeObjectType =
  | "email"
  | "mailbox"
  | "thread"
  | "identity"
  | "vacationResponse"
  | "sieveScript";

/** One object changed since a given seq (RFC 8620 5.2): created after it, destroyed, or updated.
 *  An object both created and destroyed since then is not reported. */
export interface ObjectChange {
  id: number; // MessageMeta.id, Mailbox.id or MessageMeta.threadId
  kind: "created" | "updated" | "destroyed";
  seq: number;
}

export interface ObjectChanges {
  changes: ObjectChange[];
  hasMore: boolean; // more changes after `seq`
  seq: number; // the state after these changes: ask again from here
}

/** Mailboxes and the messages in them. */
export interface MailStore {
  listMailboxes(accountId: number): Promise<Mailbox[]>;
  getMailbox(accountId: number, name: string): Promise<Mailbox | null>; // "INBOX" case-insensitive
  getMailboxById(id: number): Promise<Mailbox | null>;
  /** Missing parents are created too. `subscribed` (default true) for the mailbox and the parents
   *  made with it; a name with a dangling subscription is subscribed whatever it says. */
  createMailbox(
    accountId: number,
    name: string,
    opts?: { specialUse?: SpecialUse | null; subscribed?: boolean },
  ): Promise<Mailbox>;
  renameMailbox(mailboxId: number, newName: string): Promise<Mailbox>; // INBOX: moves messages to a new mailbox
  deleteMailbox(mailboxId: number): Promise<void>;
  setSubscribed(mailboxId: number, subscribed: boolean): Promise<void>;
  /** Subscribed names with no mailbox, sorted: a subscribed mailbox's name once it is deleted
   *  (RFC 9051 6.3.7: the server does not drop it), until unsubscribed or created again. */
  listDanglingSubscriptions(accountId: number): Promise<string[]>;
  /** Drops a dangling subscription; false if the name had none. */
  unsubscribeDangling(accountId: number, name: string): Promise<boolean>;
  mailboxCounts(mailboxId: number): Promise<MailboxCounts>; // recent: not claimed by any session
  /** \Recent (RFC 3501 2.3.2): the UIDs no session had claimed, which become this caller's, so no
   *  other session sees them as recent; `peek` (EXAMINE) only looks. An empty range when none. */
  claimRecent(mailboxId: number, opts?: { peek?: boolean }): Promise<RecentClaim>;
  /** The messages from UID `minUid` on, as listFlags lists them, and, when there are any, the
   *  \Recent claim as claimRecent makes it ("peek": only looks; "none": not asked for): what a
   *  session reads to report new messages, in one call (on PostgreSQL one statement, where it was
   *  two round trips). StoreError("not-found") for an unknown mailbox. */
  listNew(
    mailboxId: number,
    opts: { minUid: number; recent: "claim" | "peek" | "none" },
  ): Promise<{ messages: MessageFlags[]; recent: RecentClaim | null }>;
  /** SELECT's reads in one call (on PostgreSQL one statement, where they were four round trips):
   *  the mailbox by name as getMailbox finds it, its messages as listFlags lists them, and its
   *  \Recent claim as claimRecent makes it ("peek": only looks; "none": not asked for). The
   *  listing holds every change up to mailbox.highestModseq (and may hold later ones). null: no
   *  such mailbox. */
  selectMailbox(
    accountId: number,
    name: string,
    opts: { recent: "claim" | "peek" | "none" },
  ): Promise<MailboxSelection | null>;

  /** Store a body once and file a copy into each target, in one durable transaction.
   *  Throws QuotaError (and stores nothing) if any target account is over quota. */
  deliver(body: Buffer, targets: DeliveryTarget[], opts?: { internalDate?: Date }): Promise<DeliveredCopy[]>;
  append(accountId: number, mailboxId: number, msg: NewMessage): Promise<DeliveredCopy>;

  /** Messages of a mailbox in UID order. */
  listMessages(mailboxId: number, opts?: { minUid?: number; maxUid?: number }): Promise<MessageMeta[]>;
  /** UID, MODSEQ and flags of a mailbox's messages in UID order: listMessages without the rest,
   *  much cheaper on large mailboxes. StoreError("not-found") for an unknown mailbox. */
  listFlags(mailboxId: number, opts?: { minUid?: number; maxUid?: number }): Promise<MessageFlags[]>;
  /** UIDs (ascending) of the messages that have `flag` (matched case-insensitively; \Recent is
   *  never stored, so none). StoreError("invalid") for an unknown system flag or bad keyword. */
  uidsWithFlag(mailboxId: number, flag: string): Promise<number[]>;
  /** `body`: with the body too (as readBody gives it), so that FETCH of a message's structure and
   *  body is one read (on PostgreSQL one round trip, where it was two). */
  getMessage(mailboxId: number, uid: number, opts?: { body?: boolean }): Promise<ParsedMessage | null>;
  getMessageById(messageId: number): Promise<ParsedMessage | null>;
  readBody(blobId: string): Promise<Buffer>;
  /** UIDs (ascending) of the mailbox's messages whose top-level header has `field` with `text` in
   *  one of its occurrences, compared case-insensitively (full Unicode lower-casing) on the
   *  RFC 2047-decoded value; `text === ""`: the field is present. Answered from an index filled
   *  lazily (by the first call after messages arrive), so the first call on a large mailbox costs
   *  one pass over its headers and later ones a single query. StoreError("not-found") for an
   *  unknown mailbox. */
  searchHeader(mailboxId: number, field: IndexedHeaderField, text: string): Promise<number[]>;
  /** Candidates for a case-insensitive substring search of `field` (FullTextField) from a
   *  full-text index: the UIDs (mailbox scope) or message ids (account scope), ascending, of a
   *  superset of the messages whose lower-cased decoded text contains the lower-cased needle, so
   *  the caller's exact match decides and never finds fewer than a scan of every message would
   *  (RFC 9051 6.4.4). Messages not yet indexed (just delivered, or before an upgrade's catch-up)
   *  are always candidates. null: the index cannot answer this needle (fewer than 3 characters);
   *  scan. StoreError("not-found") for an unknown mailbox. */
  searchText(scope: FullTextScope, field: FullTextField, needle: string): Promise<number[] | null>;
  /** As searchText, with the candidates split: those the index shows to match IMAP SEARCH BODY
   *  ("body") or TEXT ("text") as RFC 9051 6.4.4 defines them, and those it cannot decide. */
  matchText(scope: FullTextScope, field: FullTextField, needle: string): Promise<TextMatch | null>;
  /** Envelope and References of a mailbox's messages in UID order, from the same index (filled
   *  first if needed). A message filed while this runs may be missing: callers fall back to
   *  getMessage for it. StoreError("not-found") for an unknown mailbox. */
  listEnvelopes(mailboxId: number, opts?: { minUid?: number; maxUid?: number }): Promise<MessageEnvelope[]>;

  setFlags(mailboxId: number, uids: number[], update: FlagUpdate): Promise<FlagUpdateResult>;
  expunge(mailboxId: number, uids: number[]): Promise<number[]>; // returns the UIDs actually removed
  copy(fromMailboxId: number, uids: number[], toMailboxId: number): Promise<CopyResult>;
  move(fromMailboxId: number, uids: number[], toMailboxId: number): Promise<CopyResult>;

  /** Changes with modseq > since, oldest first; expunges included (for QRESYNC VANISHED). */
  changesSince(mailboxId: number, since: number): Promise<MessageChange[]>;
  quotaUsage(accountId: number): Promise<QuotaUsage>;

  /** Account-wide change log, kept for every change whatever made it (SMTP, IMAP, JMAP):
   *  the current seq of each object type (grows with every change of that type; 0 = none yet). */
  changeState(accountId: number): Promise<Record<ChangeObjectType, number>>;
  /** Objects of `type` changed after `since`, oldest change first, at most `max` of them.
   *  StoreError("invalid") if `since` is beyond the account's current seq. */
  objectChangesSince(
    accountId: number,
    type: ChangeObjectType,
    since: number,
    max: number,
  ): Promise<ObjectChanges>;
  /** The account's messages in these threads, oldest internal date first. */
  threadMessages(accountId: number, threadIds: number[]): Promise<MessageMeta[]>;
  /** All messages of an account (every mailbox), newest internal date first. */
  listAccountMessages(accountId: number): Promise<MessageMeta[]>;

  /** A page of a mailbox's message ids in internal-date order (JMAP Email/query with
   *  inMailbox sorted by receivedAt), from an index: the cost grows with offset + limit, not with
   *  the mailbox's size. StoreError("not-found") for an unknown mailbox. */
  mailboxMessageIds(
    mailboxId: number,
    order: MailboxOrder,
    range: { offset: number; limit: number },
  ): Promise<number[]>;
  /** 0-based position of a message in that order; null if it is not in the mailbox (or, with
   *  collapseThreads, is not the first of its thread). */
  mailboxMessagePosition(mailboxId: number, messageId: number, order: MailboxOrder): Promise<number | null>;
  /** How many entries that order has: messages, or threads with collapseThreads (a count over
   *  an index, cheaper than mailboxCounts). */
  mailboxMessageCount(mailboxId: number, order: MailboxOrder): Promise<number>;
  /** Threads with a message in the mailbox, and those with an unseen one there. */
  mailboxThreadCounts(mailboxId: number): Promise<MailboxThreadCounts>;
}

/** Internal-date order of a mailbox's messages; ties on the date are broken by message id in the
 *  same direction. collapseThreads keeps only the first message of each thread in that order. */
export interface MailboxOrder {
  ascending: boolean;
  collapseThreads?: boolean;
}

export interface MailboxThreadCounts {
  threads: number;
  unseenThreads: number;
}

/** What updateQueued and updateLeased may change. */
export type QueuePatch = Partial<
  Pick<QueuedMessage, "state" | "nextAttemptAt" | "attempts" | "lastError" | "recipients">
>;

/** A claimed entry with its lease token: the claim generation, a counter in the row that every
 *  claim increments. Writes conditional on it (renewLease, updateLeased, removeLeased) fail once
 *  another claim took the entry, so an engine whose lease lapsed cannot overwrite the new
 *  owner's state (issue 17, several engines on one queue). */
export type ClaimedQueuedMessage = QueuedMessage & { lease: number };

export interface QueueStore {
  enqueue(msg: NewQueuedMessage): Promise<QueuedMessage>; // durable on return
  listQueue(opts?: { state?: QueuedMessage["state"] }): Promise<QueuedMessage[]>;
  getQueued(id: number): Promise<QueuedMessage | null>;
  updateQueued(id: number, patch: QueuePatch): Promise<QueuedMessage>;
  removeQueued(id: number): Promise<void>;
  /** Atomically lease up to `limit` due entries for delivery, oldest due first: "queued" or
   *  "deferred" ones whose nextAttemptAt <= now, and "sending" ones whose lease ran out (their
   *  worker died). They become "sending" with nextAttemptAt = leaseUntil, so two workers (or two
   *  processes on one data directory) never take the same entry, and a crashed worker's entries
   *  come back once its lease expires. Each claim gives the entry a new lease token (`lease`,
   *  one more than the last), which fences the writes of that attempt (below). */
  claimQueued(opts: { now: Date; leaseUntil: Date; limit: number }): Promise<ClaimedQueuedMessage[]>;
  /** Extends the lease `lease` of entry `id` to `until`. False, with nothing written, when the
   *  entry is gone or was claimed again since (its token is not `lease`): the lease is lost. */
  renewLease(id: number, lease: number, until: Date): Promise<boolean>;
  /** updateQueued under the lease `lease`: null, with nothing written, when it is lost. */
  updateLeased(id: number, lease: number, patch: QueuePatch): Promise<QueuedMessage | null>;
  /** removeQueued under the lease `lease`: false, with nothing removed, when it is lost. */
  removeLeased(id: number, lease: number): Promise<boolean>;
  /** What is waiting, without reading the entries (/metrics, `yubin status`): entries not yet
   *  done or failed, of those the deferred ones, and the oldest one's creation time. */
  queueStats(): Promise<{ count: number; deferred: number; oldest: Date | null }>;
}

/** A name and address (JMAP EmailAddress, RFC 8621 4.1.2.3). */
export interface NamedAddress {
  name: string | null;
  email: string;
}

/** A From identity of an account (RFC 8621 6): an address it may send as, with a display name
 *  and signatures. Every account has one primary identity for its own address, created with the
 *  account and never removed. Changes are logged (ChangeObjectType "identity"). */
export interface Identity {
  id: number;
  accountId: number;
  email: string;
  name: string;
  replyTo: NamedAddress[] | null;
  bcc: NamedAddress[] | null;
  textSignature: string;
  htmlSignature: string;
  primary: boolean;
}

export type IdentityFields = Pick<
  Identity,
  "email" | "name" | "replyTo" | "bcc" | "textSignature" | "htmlSignature"
>;

/** One per account (RFC 8621 8); never set = disabled, everything null. */
export interface VacationResponse {
  isEnabled: boolean;
  fromDate: Date | null;
  toDate: Date | null;
  subject: string | null;
  textBody: string | null;
  htmlBody: string | null;
}

/** Per-account settings: identities, the vacation response and the senders it answered. */
export interface SettingsStore {
  /** Identities of the account, primary first, then by id. */
  listIdentities(accountId: number): Promise<Identity[]>;
  /** StoreError "invalid" for a malformed email, "not-found" for an unknown account. Whether the
   *  account may send as that address is the caller's rule (src/delivery/send-as.ts). */
  createIdentity(accountId: number, fields: IdentityFields): Promise<Identity>;
  /** The email cannot change (RFC 8621 6: immutable). StoreError "not-found". */
  updateIdentity(
    accountId: number,
    id: number,
    patch: Partial<Omit<IdentityFields, "email">>,
  ): Promise<Identity>;
  /** StoreError "not-found"; "invalid" for the primary identity. */
  removeIdentity(accountId: number, id: number): Promise<void>;

  getVacation(accountId: number): Promise<VacationResponse>;
  /** Replaces the whole response and forgets the senders already answered, so a new absence
   *  answers everyone again (RFC 5230 4.2 lets a changed reason reset the memory). */
  setVacation(accountId: number, v: VacationResponse): Promise<VacationResponse>;
  /** Atomically: true (and remembers `sender` at `now`) unless an auto-reply to that sender was
   *  remembered less than `intervalMs` before `now` (RFC 3834 2, RFC 5230 4.6). Older entries of
   *  the account are forgotten on the way, so the memory stays bounded by the interval. */
  claimVacationReply(accountId: number, sender: string, now: Date, intervalMs: number): Promise<boolean>;
}

/** Per-account sending limits (0 = no limit); null in an override: the config's value. */
export interface SendingLimits {
  messagesPerHour: number;
  messagesPerDay: number;
  recipientsPerHour: number;
  recipientsPerDay: number;
}

/** An account's own limits (overrides of the config's) and its freeze. */
export interface SendingPolicy {
  limits: { [K in keyof SendingLimits]: number | null };
  frozenAt: Date | null;
  frozenReason: string | null;
}

/** What recordSend decided: within the limits (recorded as sent), or over one of them (recorded
 *  as refused). `attempts*` count the last hour's sends and refusals, this one included. */
export interface SendDecision {
  allowed: boolean;
  /** The first limit this send would exceed, with its value; null when allowed. */
  over: { limit: keyof SendingLimits; value: number } | null;
  attemptedMessagesHour: number;
  attemptedRecipientsHour: number;
}

/** Outbound sending per account: limits, what it sent in the last day, the freeze. Kept in the
 *  store, so windows survive a restart and several nodes on one database share them. */
export interface SendingStore {
  getSendingPolicy(accountId: number): Promise<SendingPolicy>;
  /** Sets the given overrides (null: back to the config's value); others are kept. */
  setSendingLimits(accountId: number, limits: Partial<SendingPolicy["limits"]>): Promise<SendingPolicy>;
  /** Atomically: counts the account's sends within the hour and the day before `now`, checks one
   *  more message with `recipients` against `limits` and records it as sent or refused. Rows
   *  older than a day are forgotten on the way, so the log stays bounded. */
  recordSend(
    accountId: number,
    send: { now: Date; recipients: number; limits: SendingLimits },
  ): Promise<SendDecision>;
  /** Freezes the account's outgoing mail and holds its queue entries created since `holdSince`
   *  that are not yet sent ("queued"/"deferred" → "held"). False when it was already frozen. */
  freezeSending(accountId: number, opts: { now: Date; reason: string; holdSince: Date }): Promise<boolean>;
  /** Lifts the freeze, forgets the last day's sends and releases the held entries (due now).
   *  Returns how many were released. */
  unfreezeSending(accountId: number, now: Date): Promise<number>;
  /** Accounts whose sending is frozen, by id. */
  listFrozen(): Promise<Map<number, { frozenAt: Date; reason: string }>>;
}

/** Greylisting (RFC 6647): who is asked to retry. `network` is the client's network as the caller
 *  names it (e.g. "192.0.2.0/24"); `sender` and `recipient` are already normalised by the caller. */
export interface GreylistTriplet {
  network: string;
  sender: string;
  recipient: string;
}

/** The rules a check applies, from the [greylist] config (so a store holds no config of its own). */
export interface GreylistPolicy {
  /** Least time between the first attempt and a retry that passes (RFC 6647 §2.2). */
  delaySec: number;
  /** A retry later than this after the first attempt starts over. */
  retryWindowSec: number;
  /** A passed triplet (and an auto-allowed network) is forgotten this long after its last pass. */
  passedTtlSec: number;
  /** Triplets of one network that must pass before the whole network passes; 0: never. */
  autoAllowAfter: number;
}

export type GreylistResult =
  | { verdict: "defer"; retryAfterSec: number }
  /** triplet: it retried and passed now or before; network: its network is auto-allowed. */
  | { verdict: "pass"; by: "triplet" | "network" };

/** Greylisting state, shared by every node using the store. */
export interface GreylistStore {
  /** Decides and records, atomically: a first attempt (or one after the retry window) defers
   *  for delaySec, a retry before the delay defers for what is left, a retry after it passes and
   *  the triplet is remembered for passedTtlSec; each triplet's first pass counts towards its
   *  network's auto-allow. StoreError "invalid" for a bad date or policy. */
  check(triplet: GreylistTriplet, now: Date, policy: GreylistPolicy): Promise<GreylistResult>;
  /** Removes at most `limit` expired entries (triplets and networks); returns how many. */
  sweep(now: Date, limit: number): Promise<number>;
}

/** Token counts of one model: how many trained spam and ham messages had the token. */
export interface SpamTokenCounts {
  spam: number;
  ham: number;
}

/** A model's scope: 0 is the global model (everyone's training), an account id that account's. */
export type SpamScope = number;

export type SpamClass = "spam" | "ham";

/** One message trained (or untrained) into the models. */
export interface SpamTraining {
  /** Whose training it is (the account that moved or flagged it); 0 for an admin's corpus. */
  accountId: number;
  /** Identifies the message for that account across folders: its content address (blob id) or,
   *  for a corpus, a hash of its bytes. The same key trained again as the same class is a no-op;
   *  as the other class, its tokens move from one class to the other (SpamAssassin's bayes_seen). */
  key: string;
  /** The class it is trained as; null forgets an earlier training. */
  as: SpamClass | null;
  /** Its token hashes, each once (src/spam/classifier): integers in [0, 2^53). */
  hashes: readonly number[];
  /** The models it goes into: [0, accountId] for a user's action, [0] for a corpus. */
  scopes: readonly SpamScope[];
  /** When it was trained (default: now): its tokens' last-trained day, which expiry reads
   *  (SpamExpiryStore.expireTokens). */
  at?: Date;
}

/** A user's own spam settings, set in the webmail, the admin pages or the CLI. */
export interface SpamPrefs {
  /** Senders whose mail is never scored as spam: addresses ("a@b.example") or domains
   *  ("@b.example", subdomains included), lower-case. */
  allow: string[];
  /** Senders whose mail always goes to Junk, same forms. */
  block: string[];
  /** Score from which the user's mail goes to Junk; null: the domain's or the config's. */
  junkScore: number | null;
  /** False: never file into Junk (headers only); null: the domain's or the config's. */
  fileIntoJunk: boolean | null;
}

/** One scored message, for the admin page of recent verdicts. */
export interface SpamVerdictRecord {
  at: Date;
  /** The post office's id (the SMTP 250 reply's). */
  messageId: string;
  door: "inbound" | "submission" | "jmap";
  /** Envelope sender, "" for the null sender. */
  mailFrom: string;
  /** First recipient, and how many in all. */
  recipient: string;
  recipients: number;
  score: number;
  action: "deliver" | "junk" | "reject" | "hold";
  /** The signals, "NAME=score" joined by spaces (bounded to 1,000 chars). */
  reasons: string;
}

/** The spam filter's state: token counts per model, what was trained, users' settings and the
 *  recent verdicts. Kept in the store, so several nodes on one database share one model. */
export interface SpamStore {
  /** Counts of these tokens in one model; tokens it never saw are absent from the map. */
  tokenCounts(scope: SpamScope, hashes: readonly number[]): Promise<Map<number, SpamTokenCounts>>;
  /** How many spam and ham messages the model was trained with. */
  modelTotals(scope: SpamScope): Promise<SpamTokenCounts>;
  /** A number that changes with every training that changes any model, every expiry that removes
   *  tokens (SpamExpiryStore) and every change of a user's prefs (in the same transaction,
   *  whichever process or handle wrote): the same number
   *  read twice means no count, total or prefs changed in between, so what was read after the
   *  first read is still current. One cheap read, for the filter's cache of token counts and
   *  prefs (src/spam/classifier/token-cache.ts). */
  modelVersion(): Promise<number>;
  /** Trains (or untrains) one message into its scopes, atomically and durably; counts never go
   *  below 0. Returns what it did: "trained" (new), "retrained" (moved to the other class),
   *  "forgotten" (as: null and it had been trained), "unchanged". */
  train(t: SpamTraining): Promise<"trained" | "retrained" | "forgotten" | "unchanged">;
  /** How the account's message `key` was trained, or null. */
  trainedAs(accountId: number, key: string): Promise<SpamClass | null>;
  /** Number of models with any training and tokens kept in all (for the admin page). */
  modelStats(): Promise<{ models: number; tokens: number }>;

  getSpamPrefs(accountId: number): Promise<SpamPrefs>;
  /** Sets the given fields, keeps the others. StoreError "invalid" for a malformed entry,
   *  "not-found" for an unknown account. */
  setSpamPrefs(accountId: number, patch: Partial<SpamPrefs>): Promise<SpamPrefs>;

  /** Remembers a verdict; only the newest `keep` are kept. */
  recordVerdict(v: SpamVerdictRecord, keep: number): Promise<void>;
  /** Newest first. */
  recentVerdicts(limit: number): Promise<SpamVerdictRecord[]>;
}

/** The most token rows a model keeps (SpamExpiryStore.expireTokens): the global one, each user's. */
export interface SpamTokenCaps {
  global: number;
  perUser: number;
}

/** The latest expiry that removed tokens: when (the sweep's `now`) and how many rows in all. */
export interface SpamExpiryRecord {
  at: Date;
  removed: number;
}

/** Keeping the spam models bounded: a background job cuts each model over its cap back to it,
 *  least useful tokens first. Apart from SpamStore: the classifier and its in-memory model
 *  (src/spam/classifier/memory-model.ts) never expire. */
export interface SpamExpiryStore {
  /** Removes at most `limit` token rows, from the models holding more rows than their cap, down
   *  to the cap: those with the earliest keep day first (the day a token was last trained, plus
   *  SPAM_KEEP_DAYS_PER_DOUBLING for each doubling of its count, src/store/shared/spam.ts), so a
   *  hapax goes before a token trained often. Each model's token total drops by what it lost and
   *  modelVersion() changes; the models' message totals stay (the classifier's priors count
   *  messages, not rows). Safe to run on several nodes at once: they never cut a model below its
   *  cap. Returns how many rows it removed; calls with the same `now` (one sweep's batches) are
   *  recorded as one expiry (lastExpiry). */
  expireTokens(caps: SpamTokenCaps, limit: number, now: Date): Promise<number>;
  /** The latest expiry that removed rows, or null if none ever did. */
  lastExpiry(): Promise<SpamExpiryRecord | null>;
}

/** What an app password may open (issue 15). "smtp" is SMTP submission (AUTH); "jmap" is JMAP's
 *  Basic authentication; "managesieve" is accepted and stored for the ManageSieve server to come. */
export type AppPasswordScope = "imap" | "pop3" | "smtp" | "jmap" | "managesieve";

/** A per-device password of an account, as listed: never the secret, which is shown once. */
export interface AppPassword {
  id: number;
  accountId: number;
  /** The device or program it is for ("Phone"), as the user named it. */
  name: string;
  scopes: AppPasswordScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
}

export interface NewAppPassword {
  accountId: number;
  name: string;
  scopes: AppPasswordScope[];
  /** The caller's keyed hash of the generated secret (src/auth/app-passwords.ts): the store keeps
   *  it and gives it back to a login, it never sees the secret. */
  hash: string;
  createdAt: Date;
  /** Most app passwords the account may have: one more is refused with StoreError "quota". */
  maxPerAccount: number;
}

/** Per-device passwords (issue 15), shared by every node using the store. An account's app
 *  passwords go with it when it is deleted. */
export interface AppPasswordStore {
  /** StoreError "not-found" for an unknown account, "invalid" for an empty or over-long name
   *  (1–64 characters, no control characters) or no or unknown scopes, "quota" beyond
   *  maxPerAccount. */
  create(p: NewAppPassword): Promise<AppPassword>;
  /** The account's app passwords, oldest first. */
  list(accountId: number): Promise<AppPassword[]>;
  /** One of them, or null once revoked (a logged-in session rechecks with this). */
  get(accountId: number, id: number): Promise<AppPassword | null>;
  /** The account's app passwords with their hashes, for a login to compare against. */
  candidates(accountId: number): Promise<(AppPassword & { hash: string })[]>;
  /** Records a use: time and client IP. Nothing happens for one revoked meanwhile. */
  touch(accountId: number, id: number, use: { at: Date; ip: string }): Promise<void>;
  /** Removes it; false when the account has no such app password. */
  revoke(accountId: number, id: number): Promise<boolean>;
}

/** One of an account's Sieve scripts (issue 19). At most one is active: the one run at delivery. */
export interface SieveScriptRecord {
  id: number;
  accountId: number;
  /** As the user named it (ManageSieve, RFC 5804 1.6: 1–128 Unicode characters, no control
   *  characters); unique per account, compared exactly. */
  name: string;
  /** The script's text (UTF-8), as uploaded. */
  content: string;
  active: boolean;
  updatedAt: Date;
}

/** Sieve scripts per account and the memory of the duplicate test (RFC 7352), shared by every
 *  node using the store. An account's scripts go with it when it is deleted. */
export interface SieveStore {
  /** The account's scripts, by name. */
  list(accountId: number): Promise<SieveScriptRecord[]>;
  get(accountId: number, name: string): Promise<SieveScriptRecord | null>;
  getById(accountId: number, id: number): Promise<SieveScriptRecord | null>;
  /** The active script, or null. */
  active(accountId: number): Promise<SieveScriptRecord | null>;
  /** Creates or replaces the script of that name (its id and active flag stay when replaced).
   *  StoreError "not-found" for an unknown account, "invalid" for a bad name, "quota" when a new
   *  one would exceed limits.maxScripts or the account's scripts together limits.maxTotalBytes.
   *  With opts.createOnly, an existing script of that name is left alone: StoreError "exists"
   *  (JMAP SieveScript/set create never replaces, RFC 9661 2.4 alreadyExists). */
  put(
    accountId: number,
    name: string,
    content: string,
    limits: { maxScripts: number; maxTotalBytes: number },
    opts?: { createOnly?: boolean },
  ): Promise<SieveScriptRecord>;
  /** StoreError "not-found" (no such script), "exists" (the new name is taken), "invalid". */
  rename(accountId: number, from: string, to: string): Promise<SieveScriptRecord>;
  /** StoreError "not-found"; "readonly" for the active script (RFC 5804 2.10: deactivate first). */
  remove(accountId: number, name: string): Promise<void>;
  /** Makes that script the active one (others inactive); null deactivates all.
   *  StoreError "not-found" for an unknown name. */
  setActive(accountId: number, name: string | null): Promise<void>;
  /** Changes to the account's scripts since `since` (JMAP SieveScript/changes): a counter that
   *  grows with every put, rename, remove and activation. It is the account change log's
   *  "sieveScript" seq: mail.objectChangesSince(accountId, "sieveScript", …) lists the changes. */
  state(accountId: number): Promise<number>;
  /** RFC 7352: true when `key` was recorded for the account within `seconds` before `now`.
   *  Records it (with the expiry now + seconds) unless it was seen and `last` is false; with
   *  `last`, a seen key's expiry moves to now + seconds. */
  duplicate(accountId: number, key: string, now: Date, seconds: number, last: boolean): Promise<boolean>;
  /** RFC 7352 3: the same question as `duplicate`, recording nothing. The sieve stage asks this
   *  while scripts run and records with `duplicate` only once the message is filed, so a delivery
   *  that fails (a full mailbox) and is retried is not taken for a duplicate of itself. */
  seenDuplicate(accountId: number, key: string, now: Date, seconds: number): Promise<boolean>;
  /** Deletes expired duplicate records (at most `limit`); how many. */
  sweepDuplicates(now: Date, limit: number): Promise<number>;
}

/** An account's TOTP authenticator (RFC 6238), as the auth layer stored it. */
export interface TotpRecord {
  /** The secret as the auth layer sealed it (src/auth/second-factor-key.ts): opaque here. */
  sealedSecret: string;
  /** False between "scan this QR code" and the first right code: not yet a second factor. */
  confirmed: boolean;
  /** The last time step a code was accepted for (RFC 6238 §5.2: each code once), or null. */
  lastStep: number | null;
  createdAt: Date;
}

/** A registered WebAuthn credential (passkey or security key), as listed. */
export interface WebAuthnCredential {
  /** The credential id, base64url (WebAuthn §6.1); unique across accounts. */
  id: string;
  accountId: number;
  /** COSE public key (WebAuthn §6.5.1.1). */
  publicKey: Uint8Array;
  /** Signature counter last seen (WebAuthn §6.1.1); 0 for authenticators that keep none. */
  counter: number;
  /** Transports the browser reported ("internal", "usb", "hybrid", …), for allowCredentials. */
  transports: string[];
  /** What the user called it ("Laptop"). */
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface NewWebAuthnCredential extends Omit<WebAuthnCredential, "lastUsedAt"> {
  /** Most credentials the account may have: one more is refused with StoreError "quota". */
  maxPerAccount: number;
}

/** Second factors for the web login (issue 15): TOTP, recovery codes, WebAuthn credentials.
 *  Secrets arrive sealed or hashed by the auth layer; the store never sees a usable secret.
 *  Everything goes with the account when it is deleted. */
export interface SecondFactorStore {
  totp(accountId: number): Promise<TotpRecord | null>;
  /** Stores an unconfirmed secret (enrolment begins), replacing any earlier one, confirmed or
   *  not. StoreError "not-found" for an unknown account. */
  beginTotp(accountId: number, p: { sealedSecret: string; at: Date }): Promise<void>;
  /** Marks the enrolment done and records the step its first code used; false if there is no
   *  TOTP record. */
  confirmTotp(accountId: number, step: number): Promise<boolean>;
  /** Records `step` as used if it is later than the last one used, atomically: false for a
   *  step already used or earlier (a replayed code), or without a confirmed TOTP. */
  useTotpStep(accountId: number, step: number): Promise<boolean>;
  removeTotp(accountId: number): Promise<void>;
  /** Replaces all recovery codes with these hashes (all unused). */
  setRecoveryCodes(accountId: number, hashes: string[], at: Date): Promise<void>;
  /** How many recovery codes are left unused, and how many were made. */
  recoveryCodeCount(accountId: number): Promise<{ unused: number; total: number }>;
  /** Marks the code with this hash used; false if unknown or used already (atomic: one use). */
  useRecoveryCode(accountId: number, hash: string, at: Date): Promise<boolean>;
  /** StoreError "exists" for a credential id already registered (to any account), "quota"
   *  beyond maxPerAccount, "invalid" for an empty or over-long name or id, "not-found" for an
   *  unknown account. */
  addCredential(c: NewWebAuthnCredential): Promise<WebAuthnCredential>;
  /** The account's credentials, oldest first. */
  credentials(accountId: number): Promise<WebAuthnCredential[]>;
  /** A credential by id, whoever owns it (a discoverable-credential login names no user). */
  credential(id: string): Promise<WebAuthnCredential | null>;
  /** After a successful assertion: the new counter and the time. */
  useCredential(id: string, p: { counter: number; at: Date }): Promise<void>;
  /** False when the account has no such credential. */
  removeCredential(accountId: number, id: string): Promise<boolean>;
  /** Removes TOTP, recovery codes and credentials (2FA turned off). */
  clear(accountId: number): Promise<void>;
}

/** One message as an import files it (issue 16). */
export interface ImportedMessage {
  body: Buffer; // raw RFC 5322 message with CRLF line ends
  flags: string[]; // system flags and keywords, as MessageMeta.flags
  internalDate: Date;
  /** The UID it had on the old server, kept when the mailbox has the old UIDVALIDITY; must be
   *  at least the mailbox's uidNext and increasing within the batch. Omitted: the next UID. */
  uid?: number;
}

/** What an import needs beyond MailStore: old UIDs kept, batches filed in one transaction, and a
 *  resume position written with them, so an interrupted import continues without duplicates. */
export interface ImportStore {
  /** The mailbox an import fills, created with its parents when missing. `uidValidity` is given
   *  to a mailbox created here and to an existing one that has never held a message (uidNext 1,
   *  e.g. a new account's INBOX); `kept` says whether the mailbox now has that UIDVALIDITY (so
   *  the source's UIDs can be kept). specialUse is set when the mailbox has none and no other
   *  mailbox of the account has that role. */
  importMailbox(
    accountId: number,
    name: string,
    opts: { specialUse: SpecialUse | null; uidValidity?: number; subscribed?: boolean },
  ): Promise<{ mailbox: Mailbox; kept: boolean }>;
  /** Files messages into one mailbox in one durable transaction, all or none: QuotaError when
   *  they would take the account over its quota; StoreError "invalid" for a uid below uidNext or
   *  not increasing. `dedupe`: a message whose body (content hash) the account already holds in
   *  any mailbox, or that appears earlier in the batch, is skipped and counted in `duplicates`.
   *  `cursor` is written in the same transaction (read back by `cursor`). Changes are announced
   *  like appends (cause "append"); imported bodies are indexed for search like any other.
   *  `bytes`: the octets filed (duplicates left out). */
  importBatch(
    accountId: number,
    mailboxId: number,
    messages: ImportedMessage[],
    opts?: { dedupe?: boolean; cursor?: { key: string; value: string } },
  ): Promise<{ copies: DeliveredCopy[]; duplicates: number; bytes: number }>;
  /** Raises the mailbox's uidNext to at least `uidNext` (dovecot-uidlist's next UID); never
   *  lowers it. */
  raiseUidNext(mailboxId: number, uidNext: number): Promise<Mailbox>;
  /** The value importBatch last wrote under `key` for the account, or null. */
  cursor(accountId: number, key: string): Promise<string | null>;
}

/** Which login a web session is: a web page session (cookie) or a JMAP bearer token (the
 *  webmail's cookie, API clients). */
export type WebSessionKind = "web" | "jmap";

/** A login kept across restarts (issue 15). The token itself is never stored, only its hash. */
export interface WebSession {
  kind: WebSessionKind;
  /** SHA-256 of the token, base64url: the key it is found by. */
  tokenHash: string;
  accountId: number;
  /** credentialStamp() of the password hash at login (auth/credential.ts). */
  credentialStamp: string;
  ip: string;
  createdAt: Date;
  /** Last use as recorded: writers record it at most every so often, not per request. */
  lastSeenAt: Date;
  /** Ends then, used or not (the session's maximum age). */
  expiresAt: Date;
  /** Ends when unused this long after lastSeenAt. */
  idleMs: number;
}

/** Web sessions and JMAP tokens shared by every node and surviving a restart, and the feed of
 *  account changes that must end logins at once (issue 15). An account's sessions go with it. */
export interface WebSessionStore {
  /** Stores a new session. Beyond `maxPerAccount` of its kind for the account, or `maxTotal` of
   *  its kind in all, the least recently seen go. Expired ones are swept on the way (bounded).
   *  StoreError "not-found" for an unknown account, "exists" for a hash already stored. */
  create(s: WebSession, limits: { maxPerAccount: number; maxTotal: number }): Promise<void>;
  /** The live session with this hash at `now`; null if unknown or expired (an expired one is
   *  removed). */
  get(kind: WebSessionKind, tokenHash: string, now: Date): Promise<WebSession | null>;
  /** Records a use (lastSeenAt); nothing happens for one removed meanwhile. */
  touch(kind: WebSessionKind, tokenHash: string, at: Date): Promise<void>;
  /** False when there was no such session. */
  remove(kind: WebSessionKind, tokenHash: string): Promise<boolean>;
  /** Ends the account's sessions (of one kind, or all), except the one with hash `except`; how
   *  many. */
  removeAccount(accountId: number, opts?: { kind?: WebSessionKind; except?: string }): Promise<number>;
  /** Removes sessions expired at `now` (at most `limit`); how many. */
  sweep(now: Date, limit: number): Promise<number>;
  /** How many sessions of that kind are stored (expired ones not yet swept included). */
  count(kind: WebSessionKind): Promise<number>;
  /** Calls `listener` with the id of each account whose logins must be checked again: its
   *  password changed, it was disabled or deleted, one of its app passwords was revoked, or it
   *  turned on a second factor, whichever process did it (this one's writes right after they
   *  commit; another process's within the backend's poll interval). Returns the unsubscribe. */
  onLoginChange(listener: (accountId: number) => void): () => void;
}

/** One count of a named series in one hour. `hour` is whole hours since the Unix epoch (UTC). */
export interface StatsEntry {
  name: string;
  hour: number;
  n: number;
}

/** A stored value: `at` is the hour (series) or the UTC day (daily: whole days since the epoch). */
export interface StatsPoint {
  name: string;
  at: number;
  n: number;
}

/** The admin charts' counters (issue 21): counts per named series and hour, and their roll-up
 *  per UTC day, shared by every process of the server and surviving restarts. A name is either a
 *  counter (add) or a gauge (gauge), never both. Names are at most 64 characters. */
export interface StatsStore {
  /** Adds each entry's n to its (name, hour) and to its (name, day): several writers add up.
   *  StoreError "invalid" for an empty or long name, a negative or non-integer hour or n. */
  add(entries: readonly StatsEntry[]): Promise<void>;
  /** A gauge sample: the hour, and its day, keep the largest value seen (a queue's peak within
   *  the hour is what an admin looks for; the last sample would hide it). */
  gauge(name: string, hour: number, value: number): Promise<void>;
  /** Hourly values of these names for fromHour <= hour < toHour, by name then hour; hours with
   *  nothing are absent. */
  series(names: readonly string[], fromHour: number, toHour: number): Promise<StatsPoint[]>;
  /** Daily values (counters summed, gauges their maximum) for fromDay <= day < toDay. */
  daily(names: readonly string[], fromDay: number, toDay: number): Promise<StatsPoint[]>;
  /** Removes hours before `hourlyBefore` and days before `dailyBefore`; how many rows. */
  prune(opts: { hourlyBefore: number; dailyBefore: number }): Promise<number>;
}

/** Outbound TLS sessions of one kind, counted for TLS-RPT (RFC 8460 4.4). */
export interface TlsResultCount {
  /** UTC day, "YYYY-MM-DD". */
  day: string;
  policyDomain: string;
  policyType: "tlsa" | "sts" | "no-policy-found";
  /** RFC 8460 4.4 policy-string and mx-host. */
  policyStrings: string[];
  mxHosts: string[];
  /** "success" or an RFC 8460 4.3 result type. */
  result: string;
  /** "" when unknown. */
  sendingIp: string;
  receivingMx: string;
  receivingIp: string;
  /** additional-information for a failure (the first seen), "" none. */
  detail: string;
  count: number;
}

/** Inbound messages of one kind, counted for a DMARC aggregate report (RFC 7489 Appendix C). */
export interface DmarcRecordCount {
  day: string;
  /** The RFC5322.From domain (the DMARC author domain). */
  headerFrom: string;
  sourceIp: string;
  /** The RFC5321.MailFrom domain ("" for the null sender). */
  envelopeFrom: string;
  disposition: "none" | "quarantine" | "reject";
  /** policy_evaluated: aligned DKIM and SPF, "pass" or "fail". */
  dkim: "pass" | "fail";
  spf: "pass" | "fail";
  /** auth_results: each DKIM signature's domain and result; SPF's domain and result. */
  dkimResults: { domain: string; result: string }[];
  spfDomain: string;
  spfResult: string;
  count: number;
}

/** The reports we send to other operators: their counts, and which went out (src/reports/outbound). */
export interface ReportSendingStore {
  /** Adds the counts (rows with the same key are summed; the first detail stays). */
  addTlsResults(rows: readonly TlsResultCount[]): Promise<void>;
  /** The counts of one day, by policy domain. */
  tlsResults(day: string): Promise<TlsResultCount[]>;
  addDmarcRecords(rows: readonly DmarcRecordCount[]): Promise<void>;
  /** The counts of one day, by header From domain. */
  dmarcRecords(day: string): Promise<DmarcRecordCount[]>;
  /** Records that the report of (kind, domain, day) went out; false when one already had (one
   *  report per domain per day, whichever process sent it). */
  markSent(s: {
    kind: "tlsrpt" | "dmarc";
    domain: string;
    day: string;
    reportId: string;
    at: Date;
  }): Promise<boolean>;
  /** How many reports of that kind about `day` went out. */
  sentCount(kind: "tlsrpt" | "dmarc", day: string): Promise<number>;
  /** Forgets counts and sent marks of days before `day`; how many rows went. */
  sweep(beforeDay: string): Promise<number>;
}

/** Everything a protocol needs from storage. */
export interface Store {
  directory: DirectoryStore;
  mail: MailStore;
  queue: QueueStore;
  settings: SettingsStore;
  sending: SendingStore;
  greylist: GreylistStore;
  spam: SpamStore & SpamExpiryStore;
  appPasswords: AppPasswordStore;
  secondFactors: SecondFactorStore;
  webSessions: WebSessionStore;
  sieve: SieveStore;
  imports: ImportStore;
  reports: ReportStore;
  /** Hourly counters of the admin charts (issue 21). */
  statistics: StatsStore;
  /** What we report to other operators: TLS-RPT and DMARC aggregate counts (issue 21). */
  reportSending: ReportSendingStore;
  close(): Promise<void>;
}

/** Received aggregate reports (issue 21): DMARC (RFC 7489 §7.2, Appendix C) and TLS-RPT
 *  (RFC 8460 §4) reports that other operators mailed to one of our domains. */
export type ReceivedReportKind = "dmarc" | "tlsrpt";

/** One DMARC <record>: a source IP's messages with one set of results. */
export interface DmarcRecord {
  sourceIp: string;
  count: number;
  /** policy_evaluated (RFC 7489 Appendix C): none | quarantine | reject. */
  disposition: string;
  /** policy_evaluated dkim / spf: the aligned results, pass | fail. */
  dkim: string;
  spf: string;
  headerFrom: string;
  envelopeFrom: string | null;
  /** auth_results: the raw (unaligned) results. */
  authDkim: { domain: string; selector: string | null; result: string }[];
  authSpf: { domain: string; result: string }[];
}

export interface DmarcPolicyPublished {
  domain: string;
  adkim: string | null;
  aspf: string | null;
  p: string;
  sp: string | null;
  pct: number | null;
}

export interface DmarcAggregateReport {
  kind: "dmarc";
  org: string;
  email: string | null;
  reportId: string;
  begin: Date;
  end: Date;
  policy: DmarcPolicyPublished;
  records: DmarcRecord[];
}

/** One TLS-RPT failure-details entry (RFC 8460 §4.3, §4.4). */
export interface TlsRptFailure {
  resultType: string;
  sendingMtaIp: string | null;
  receivingMxHostname: string | null;
  receivingIp: string | null;
  failedSessionCount: number;
  additionalInformation: string | null;
  failureReasonCode: string | null;
}

export interface TlsRptPolicy {
  /** sts | tlsa | no-policy-found. */
  type: string;
  strings: string[];
  domain: string;
  mxHosts: string[];
  successful: number;
  failed: number;
  failures: TlsRptFailure[];
}

export interface TlsRptReport {
  kind: "tlsrpt";
  org: string;
  contact: string | null;
  reportId: string;
  begin: Date;
  end: Date;
  policies: TlsRptPolicy[];
}

export type ReceivedReport = DmarcAggregateReport | TlsRptReport;

/** A stored report's line in the list. DMARC: messages, those passing DMARC (an aligned DKIM or
 *  SPF pass) and failing, and the aligned DKIM and SPF passes. TLS-RPT: sessions, successful and
 *  failed (dkimPass/spfPass 0). */
export interface ReportSummary {
  id: number;
  kind: ReceivedReportKind;
  /** The domain reported on: policy_published domain, or the TLS-RPT policy-domain. */
  domain: string;
  org: string;
  reportId: string;
  begin: Date;
  end: Date;
  receivedAt: Date;
  total: number;
  passed: number;
  failed: number;
  dkimPass: number;
  spfPass: number;
  /** TLS-RPT: the distinct result types of its failures; DMARC: []. */
  failureTypes: string[];
}

/** One report with a page of its rows (DMARC records; TLS-RPT failures, under their policy). */
export interface StoredReport {
  summary: ReportSummary;
  report: ReceivedReport;
  /** All rows (records or failure details), not just this page. */
  rowCount: number;
}

/** Messages from one source IP with one header_from over a period, across DMARC reports. */
export interface DmarcSource {
  sourceIp: string;
  headerFrom: string;
  messages: number;
  passed: number;
  failed: number;
  reports: number;
}

export interface ReportQuery {
  /** Only these domains; null: all. */
  domains: readonly string[] | null;
  kind?: ReceivedReportKind;
  /** Reports whose period ends at or after `since`. */
  since?: Date;
  limit: number;
  offset?: number;
}

/** The received reports. A report is identified by (kind, org, reportId): mailed twice, stored once. */
export interface ReportStore {
  /** Stores the report; created false (and the first one's id) when it was stored before. */
  save(report: ReceivedReport, receivedAt: Date): Promise<{ id: number; created: boolean }>;
  /** Newest period first. */
  list(q: ReportQuery): Promise<ReportSummary[]>;
  /** The report with rows [offset, offset + limit); null when unknown. */
  get(id: number, page: { offset: number; limit: number }): Promise<StoredReport | null>;
  /** DMARC sources of reports whose period ends at or after `since`, the most messages first. */
  dmarcSources(q: { domains: readonly string[] | null; since: Date; limit: number }): Promise<DmarcSource[]>;
  /** Removes reports whose period ended before `before`; how many. */
  deleteEndedBefore(before: Date): Promise<number>;
}
