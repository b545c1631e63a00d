// Tables of the per-account services (schema v1, issue 17): the outbound queue, settings
// (identities, vacation), sending limits, greylisting, web sessions, app passwords, second factors.
// The same tables as the SQLite store's (src/store/sqlite/*-schema.ts, which say what each row
// means); what differs on PostgreSQL:
//  - triggers are plpgsql functions; the account's primary identity is still made by a trigger
//    on accounts, so no path can create an account without one;
//  - login_changes (the feed that ends web logins) keys each account's last change by the id of
//    the transaction that made it (xid8) instead of a table-wide max(seq) + 1, which two nodes
//    committing at once could hand out twice or out of commit order. A reader keeps as cursor
//    the oldest transaction still running when it last read (pg_snapshot_xmin): every change
//    below it was visible to that read, so none is missed whatever order the nodes commit in
//    (web-sessions.ts);
//  - the queue holds a reference to its body's blob by the same refcount the messages keep
//    (blob_ref, schema-mail.ts): a trigger counts queue rows in and out;
//  - webauthn_credentials and identities need an insertion order of their own (SQLite's rowid):
//    an identity column.
// Times are BIGINT epoch milliseconds, as in the SQLite store.

/** A plpgsql trigger function and its trigger; `body` runs FOR EACH ROW. */
function trigger(o: { name: string; on: string; when: string; body: string; condition?: string }): string[] {
  return [
    `CREATE FUNCTION ${o.name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${o.body}
RETURN NULL;
END $$`,
    `CREATE TRIGGER ${o.name} ${o.when} ON ${o.on} FOR EACH ROW${o.condition ? ` WHEN (${o.condition})` : ""}
  EXECUTE FUNCTION ${o.name}_fn()`,
  ];
}

const SETTINGS = [
  `CREATE TABLE identities (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  reply_to TEXT,
  bcc TEXT,
  text_signature TEXT NOT NULL DEFAULT '',
  html_signature TEXT NOT NULL DEFAULT '',
  is_primary BOOLEAN NOT NULL DEFAULT false
)`,
  "CREATE INDEX identities_account ON identities(account_id)",
  `CREATE TABLE vacation (
  account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  is_enabled BOOLEAN NOT NULL,
  from_date BIGINT,
  to_date BIGINT,
  subject TEXT,
  text_body TEXT,
  html_body TEXT
)`,
  `CREATE TABLE vacation_replies (
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  sender TEXT NOT NULL,
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, sender)
)`,
  // Identity (type 4) and VacationResponse (type 5) changes go to the account change log
  // (log_change, schema-mail.ts), so Identity/changes and the state strings move. An insert makes
  // sure the account's change_seq row exists whatever order the accounts triggers run in.
  ...trigger({
    name: "identity_changelog",
    on: "identities",
    when: "AFTER INSERT OR UPDATE OR DELETE",
    body: `IF TG_OP = 'INSERT' THEN
  INSERT INTO change_seq (account_id, seq) VALUES (NEW.account_id, 0) ON CONFLICT DO NOTHING;
  PERFORM log_change(NEW.account_id, 4, NEW.id, 'create');
ELSIF TG_OP = 'UPDATE' THEN
  PERFORM log_change(NEW.account_id, 4, NEW.id, 'touch');
ELSE
  PERFORM log_change(OLD.account_id, 4, OLD.id, 'destroy');
END IF;`,
  }),
  ...trigger({
    name: "vacation_changelog",
    on: "vacation",
    when: "AFTER INSERT OR UPDATE",
    body: `IF TG_OP = 'INSERT' THEN
  INSERT INTO change_seq (account_id, seq) VALUES (NEW.account_id, 0) ON CONFLICT DO NOTHING;
  PERFORM log_change(NEW.account_id, 5, 1, 'create');
ELSE
  PERFORM log_change(NEW.account_id, 5, 1, 'touch');
END IF;`,
  }),
  ...trigger({
    name: "identity_account_ins",
    on: "accounts",
    when: "AFTER INSERT",
    body: "INSERT INTO identities (account_id, email, is_primary) VALUES (NEW.id, NEW.address, true);",
  }),
];

const SENDING = [
  `CREATE TABLE sending_log (
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  recipients INTEGER NOT NULL,
  sent BOOLEAN NOT NULL
)`,
  // Covers the sums (account, sent, time range → recipients): an index-only scan.
  "CREATE INDEX sending_log_account ON sending_log(account_id, sent, at) INCLUDE (recipients)",
  // One row per account that sends: recordSend locks it (FOR UPDATE), so two nodes counting one
  // account's sends take turns and neither slips under a limit on a count the other has not added.
  `CREATE TABLE sending_policy (
  account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  messages_per_hour INTEGER,
  messages_per_day INTEGER,
  recipients_per_hour INTEGER,
  recipients_per_day INTEGER,
  frozen_at BIGINT,
  frozen_reason TEXT
)`,
  "CREATE INDEX sending_policy_frozen ON sending_policy(account_id) WHERE frozen_at IS NOT NULL",
];

const GREYLIST = [
  `CREATE TABLE greylist_triplets (
  network TEXT NOT NULL,
  sender TEXT NOT NULL,
  recipient TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  passed_at BIGINT,
  touched_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (network, sender, recipient)
)`,
  "CREATE INDEX greylist_triplets_expiry ON greylist_triplets(expires_at)",
  `CREATE TABLE greylist_networks (
  network TEXT PRIMARY KEY,
  passes INTEGER NOT NULL,
  touched_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
)`,
  "CREATE INDEX greylist_networks_expiry ON greylist_networks(expires_at)",
];

const APP_PASSWORDS = [
  `CREATE TABLE app_passwords (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  last_used_ip TEXT
)`,
  "CREATE INDEX app_passwords_account ON app_passwords(account_id)",
];

const SECOND_FACTORS = [
  `CREATE TABLE totp (
  account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  sealed_secret TEXT NOT NULL,
  confirmed BOOLEAN NOT NULL DEFAULT false,
  last_step BIGINT,
  created_at BIGINT NOT NULL
)`,
  `CREATE TABLE recovery_codes (
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  used_at BIGINT,
  PRIMARY KEY (account_id, hash)
)`,
  `CREATE TABLE webauthn_credentials (
  id TEXT PRIMARY KEY,
  ord BIGINT GENERATED ALWAYS AS IDENTITY,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  public_key BYTEA NOT NULL,
  counter BIGINT NOT NULL,
  transports TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
)`,
  "CREATE INDEX webauthn_credentials_account ON webauthn_credentials(account_id, created_at, ord)",
];

/** The statement recording that account `acc`'s logins must be checked again. */
const bump = (acc: string) => `PERFORM login_changed(${acc});`;

const WEB_SESSIONS = [
  `CREATE TABLE web_sessions (
  kind TEXT NOT NULL CHECK (kind IN ('web', 'jmap')),
  token_hash TEXT NOT NULL,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  credential_stamp TEXT NOT NULL,
  ip TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  idle_ms BIGINT NOT NULL,
  PRIMARY KEY (kind, token_hash)
)`,
  "CREATE INDEX web_sessions_account ON web_sessions(account_id, kind, last_seen_at)",
  "CREATE INDEX web_sessions_seen ON web_sessions(kind, last_seen_at)",
  "CREATE INDEX web_sessions_expiry ON web_sessions(expires_at)",
  "CREATE INDEX web_sessions_idle ON web_sessions((last_seen_at + idle_ms))",
  // No foreign key: the row of a deleted account is the news that its logins end.
  `CREATE TABLE login_changes (
  account_id BIGINT PRIMARY KEY,
  xid xid8 NOT NULL
)`,
  "CREATE INDEX login_changes_xid ON login_changes(xid)",
  // The row's xid is the writing transaction's; NOTIFY (delivered at COMMIT, to every node
  // listening on this database) wakes the readers at once, the poll catches what a lost
  // connection missed. The payload is the schema, so stores sharing a database in other schemas
  // ignore it.
  `CREATE FUNCTION login_changed(acc BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO login_changes (account_id, xid) VALUES (acc, pg_current_xact_id())
    ON CONFLICT (account_id) DO UPDATE SET xid = excluded.xid;
  PERFORM pg_notify('yubin_login_changes', current_schema());
END $$`,
  ...trigger({
    name: "login_change_account",
    on: "accounts",
    when: "AFTER UPDATE OF password_hash, disabled",
    condition:
      "OLD.password_hash IS DISTINCT FROM NEW.password_hash OR OLD.disabled IS DISTINCT FROM NEW.disabled",
    body: bump("NEW.id"),
  }),
  ...trigger({
    name: "login_change_account_gone",
    on: "accounts",
    when: "AFTER DELETE",
    body: bump("OLD.id"),
  }),
  ...trigger({
    name: "login_change_app_password",
    on: "app_passwords",
    when: "AFTER DELETE",
    body: bump("OLD.account_id"),
  }),
  ...trigger({
    name: "login_change_totp",
    on: "totp",
    when: "AFTER UPDATE OF confirmed",
    condition: "NEW.confirmed AND NOT OLD.confirmed",
    body: bump("NEW.account_id"),
  }),
  ...trigger({
    name: "login_change_passkey",
    on: "webauthn_credentials",
    when: "AFTER INSERT",
    body: bump("NEW.account_id"),
  }),
];

// The outbound queue (src/store/sqlite/queue.ts). recipients is JSON text (QueuedRecipient[]).
// Entries a delivery engine may claim are on a partial index in due order, so a claim
// (SELECT … FOR UPDATE SKIP LOCKED, queue.ts) walks only those.
const QUEUE = [
  `CREATE TABLE queue (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  blob_id BIGINT NOT NULL REFERENCES blobs(id),
  size BIGINT NOT NULL,
  mail_from TEXT NOT NULL,
  recipients TEXT NOT NULL,
  env_id TEXT,
  ret TEXT,
  account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  state TEXT NOT NULL CHECK (state IN ('queued', 'deferred', 'sending', 'held', 'failed', 'done')),
  cid TEXT
)`,
  "CREATE INDEX queue_due ON queue(next_attempt_at, id) WHERE state IN ('queued', 'deferred', 'sending')",
  "CREATE INDEX queue_order ON queue(next_attempt_at, id)",
  "CREATE INDEX queue_account ON queue(account_id, state) WHERE account_id IS NOT NULL",
  "CREATE INDEX queue_blob ON queue(blob_id)",
  // The body's refcount counts queue entries as it counts messages (blob_ref, schema-mail.ts).
  ...trigger({
    name: "queue_blob_ref",
    on: "queue",
    when: "AFTER INSERT OR DELETE",
    body: `IF TG_OP = 'INSERT' THEN
  PERFORM blob_ref(NEW.blob_id, 1);
ELSE
  PERFORM blob_ref(OLD.blob_id, -1);
END IF;`,
  }),
];

export const ACCOUNT_TABLES: readonly string[] = [
  ...QUEUE,
  ...SETTINGS,
  ...SENDING,
  ...GREYLIST,
  ...APP_PASSWORDS,
  ...SECOND_FACTORS,
  ...WEB_SESSIONS,
];
