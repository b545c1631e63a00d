// Schema and its migrations, keyed by SQLite's user_version.
// Each migration runs in its own transaction and bumps user_version, so an interrupted upgrade
// resumes where it stopped. A database newer than this code is refused rather than misread.
//
// Invariants kept by triggers, so that every path (expunge, move, account removal) keeps them:
//  - blobs.refcount = number of messages + queue entries that reference the blob;
//  - a blob whose refcount drops to 0 is deleted, and if its body is a file, its hash goes to
//    blob_trash, which is drained (files unlinked) after the commit;
//  - accounts.used_bytes / used_messages = sums over the account's messages (quota in O(1)).

import type Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import { adminDomainMigration } from "./admin-domains.js";
import { appPasswordMigration } from "./app-password-schema.js";
import { changelogMigration } from "./changelog-schema.js";
import { deletedIndexMigration } from "./flag-list.js";
import { fullTextMigration } from "./fulltext.js";
import { fullTextWordsMigration } from "./fulltext-words-schema.js";
import { greylistMigration } from "./greylist-schema.js";
import { headerIndexMigration, headerIndexRefreshMigration } from "./header-index.js";
import { importMigration } from "./imports.js";
import { listingMigration } from "./listing.js";
import { queueCidMigration } from "./queue-cid-schema.js";
import { queueLeaseMigration } from "./queue-lease-schema.js";
import { recentMigration } from "./recent.js";
import { reportSendingMigration } from "./report-sending-schema.js";
import { reportsMigration } from "./reports-schema.js";
import { secondFactorMigration } from "./second-factor-schema.js";
import { sendingMigration } from "./sending-schema.js";
import { settingsMigration } from "./settings-schema.js";
import { sieveMigration } from "./sieve-schema.js";
import { spamExpiryMigration } from "./spam-expiry-schema.js";
import { spamMigration } from "./spam-schema.js";
import { spamVersionMigration } from "./spam-version-schema.js";
import { statsMigration } from "./stats-schema.js";
import { subscriptionMigration } from "./subscriptions.js";
import { webSessionMigration } from "./web-session-schema.js";

const v1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);

CREATE TABLE domains (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL);

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  address TEXT NOT NULL,
  address_key TEXT NOT NULL UNIQUE,
  domain TEXT NOT NULL REFERENCES domains(name),
  password_hash TEXT NOT NULL,
  quota_bytes INTEGER NOT NULL DEFAULT 0,
  quota_messages INTEGER NOT NULL DEFAULT 0,
  is_admin INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  used_bytes INTEGER NOT NULL DEFAULT 0,
  used_messages INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX accounts_domain ON accounts(domain);

CREATE TABLE aliases (
  address_key TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  domain TEXT NOT NULL REFERENCES domains(name),
  targets TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX aliases_domain ON aliases(domain);

CREATE TABLE send_as (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  address_key TEXT NOT NULL,
  address TEXT NOT NULL,
  PRIMARY KEY (account_id, address_key)
);

CREATE TABLE mailboxes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  uid_next INTEGER NOT NULL DEFAULT 1,
  highest_modseq INTEGER NOT NULL DEFAULT 1,
  special_use TEXT,
  subscribed INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, name)
);

CREATE TABLE blobs (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  inline INTEGER NOT NULL,
  refcount INTEGER NOT NULL DEFAULT 0,
  msgid TEXT,
  refs TEXT NOT NULL,
  structure TEXT NOT NULL
);
CREATE TABLE blob_data (blob_id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE blob_trash (hash TEXT PRIMARY KEY);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  created_modseq INTEGER NOT NULL,
  sys_flags INTEGER NOT NULL DEFAULT 0,
  keywords TEXT NOT NULL DEFAULT '',
  internal_date INTEGER NOT NULL,
  saved_date INTEGER NOT NULL,
  size INTEGER NOT NULL,
  blob_id INTEGER NOT NULL,
  thread_id INTEGER NOT NULL,
  msgid TEXT,
  UNIQUE (mailbox_id, uid)
);
CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);
CREATE INDEX messages_msgid ON messages(account_id, msgid) WHERE msgid IS NOT NULL;

-- Expunged UIDs are kept (RFC 7162 QRESYNC VANISHED (EARLIER)) until the mailbox goes.
CREATE TABLE expunged (
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  message_id INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);

CREATE TABLE queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  blob_id INTEGER NOT NULL,
  size INTEGER NOT NULL,
  mail_from TEXT NOT NULL,
  recipients TEXT NOT NULL,
  env_id TEXT,
  ret TEXT,
  account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  state TEXT NOT NULL
);
CREATE INDEX queue_due ON queue(next_attempt_at, id);

CREATE TRIGGER messages_ins AFTER INSERT ON messages BEGIN
  UPDATE blobs SET refcount = refcount + 1 WHERE id = NEW.blob_id;
  UPDATE accounts SET used_bytes = used_bytes + NEW.size, used_messages = used_messages + 1
    WHERE id = NEW.account_id;
END;
CREATE TRIGGER messages_del AFTER DELETE ON messages BEGIN
  UPDATE blobs SET refcount = refcount - 1 WHERE id = OLD.blob_id;
  UPDATE accounts SET used_bytes = used_bytes - OLD.size, used_messages = used_messages - 1
    WHERE id = OLD.account_id;
END;
CREATE TRIGGER messages_account AFTER UPDATE OF account_id ON messages
  WHEN NEW.account_id <> OLD.account_id BEGIN
  UPDATE accounts SET used_bytes = used_bytes - OLD.size, used_messages = used_messages - 1
    WHERE id = OLD.account_id;
  UPDATE accounts SET used_bytes = used_bytes + NEW.size, used_messages = used_messages + 1
    WHERE id = NEW.account_id;
END;
CREATE TRIGGER queue_ins AFTER INSERT ON queue BEGIN
  UPDATE blobs SET refcount = refcount + 1 WHERE id = NEW.blob_id;
END;
CREATE TRIGGER queue_del AFTER DELETE ON queue BEGIN
  UPDATE blobs SET refcount = refcount - 1 WHERE id = OLD.blob_id;
END;
CREATE TRIGGER blobs_unref AFTER UPDATE OF refcount ON blobs WHEN NEW.refcount <= 0 BEGIN
  INSERT OR IGNORE INTO blob_trash(hash) SELECT NEW.hash WHERE NEW.inline = 0;
  DELETE FROM blob_data WHERE blob_id = NEW.id;
  DELETE FROM blobs WHERE id = NEW.id;
END;
`;

/** migrations[i] upgrades user_version i to i + 1. Append only; never edit a shipped one. */
// v2: the account-wide change log for JMAP (changelog-schema.ts).
// v3: indexes for JMAP's ordered mailbox listings (listing.ts).
// v4: identities, vacation response and its replied senders (settings-schema.ts).
// v5: a partial index of \Deleted messages, for EXPUNGE (flag-list.ts).
// v6: where each mailbox's unclaimed \Recent messages begin (recent.ts).
// v7: a per-body index of FROM/TO/CC/BCC/SUBJECT and SORT's envelope, filled lazily (header-index.ts).
// v8: per-account sending limits, the last day's sends and the freeze (sending-schema.ts).
// v9: greylisting triplets and auto-allowed networks (greylist-schema.ts).
// v10: the spam filter's token counts, training records, user prefs and verdicts (spam-schema.ts).
// v11: app passwords (app-password-schema.ts).
// v12: second factors for the web login: TOTP, recovery codes, passkeys (second-factor-schema.ts).
// v13: Sieve scripts and the duplicate test's memory (sieve-schema.ts).
// v14: the full-text index (FTS5 trigram) and the blobs it has yet to index (fulltext.ts).
// v15: subscriptions to names whose mailbox was deleted (subscriptions.ts).
// v16: the header index rebuilt, its address fields now also in parsed form (header-index.ts).
// v17: import resume cursors, and messages by body for import's dedupe (imports.ts).
// v18: web sessions and JMAP tokens, and the log of login changes (web-session-schema.ts).
// v19: the domains an account administers as a domain administrator (admin-domains.ts).
// v20: hourly and daily counters of the admin charts (stats-schema.ts).
// v21: aggregate reports received for our domains, DMARC and TLS-RPT (reports-schema.ts).
// v22: TLS-RPT and DMARC aggregate counts for the reports we send (report-sending-schema.ts).
// v23: the full-text index by word, with a vocabulary, in place of v14's trigrams (fulltext-words-schema.ts).
// v24: the post office's correlation id kept with each queue entry (queue-cid-schema.ts).
// v25: the spam models' version, bumped by every training, for the token count cache (spam-version-schema.ts).
// v26: the spam tokens' keep day and the indexes of expiry (spam-expiry-schema.ts).
// v27: the queue entry's lease token, which fences an attempt's writes (queue-lease-schema.ts).
export const migrations: readonly string[] = [
  v1,
  changelogMigration,
  listingMigration,
  settingsMigration,
  deletedIndexMigration,
  recentMigration,
  headerIndexMigration,
  sendingMigration,
  greylistMigration,
  spamMigration,
  appPasswordMigration,
  secondFactorMigration,
  sieveMigration,
  fullTextMigration,
  subscriptionMigration,
  headerIndexRefreshMigration,
  importMigration,
  webSessionMigration,
  adminDomainMigration,
  statsMigration,
  reportsMigration,
  reportSendingMigration,
  fullTextWordsMigration,
  queueCidMigration,
  spamVersionMigration,
  spamExpiryMigration,
  queueLeaseMigration,
];

export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new StoreError(
      "invalid",
      `database schema version ${current} is newer than this program (${migrations.length})`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
