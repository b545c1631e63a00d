// Tables of the filters and reports (schema v1, issue 17): spam models and preferences, Sieve
// scripts and their memory, received reports, report sending counts, the admin charts' counters.
// The same tables as the SQLite store's (sqlite/spam-schema.ts, sieve-schema.ts,
// reports-schema.ts, report-sending-schema.ts, stats-schema.ts), with these differences:
//  - Text that is a key, or that a listing sorts by, is COLLATE "C": byte order, as SQLite's
//    BINARY, whatever the database's locale, and cheaper to compare.
//  - spam_tokens leaves a fifth of each page free (fillfactor 80): a training updates counts in
//    place, and with room on the page PostgreSQL writes the new row version there without
//    touching the primary key index (a HOT update), which most token updates then are.
//  - A Sieve script's text is BYTEA (its UTF-8 bytes): PostgreSQL's TEXT cannot hold U+0000,
//    which a script may contain and must come back byte-exact.
//  - Rows without an account to reference (scope 0, account 0: the global model and an admin's
//    corpus) go with their account through a trigger, as in SQLite; the rest by ON DELETE CASCADE.
//  - Every insert, change (name, content, activation) and delete of a Sieve script is logged in
//    the account change log as type 6 (log_change() of schema-mail.ts), so JMAP
//    SieveScript/changes (RFC 9661 2.2) answers from it and SieveStore.state() is its latest seq.
import { SIEVE_SCRIPT } from "../shared/changes.js";

const SPAM = [
  `CREATE TABLE spam_tokens (
    scope BIGINT NOT NULL,
    hash BIGINT NOT NULL,
    spam INTEGER NOT NULL,
    ham INTEGER NOT NULL,
    PRIMARY KEY (scope, hash)
  ) WITH (fillfactor = 80)`,
  `CREATE TABLE spam_models (
    scope BIGINT PRIMARY KEY,
    spam BIGINT NOT NULL,
    ham BIGINT NOT NULL,
    tokens BIGINT NOT NULL
  )`,
  // One row, bumped in the transaction of every training that changes a model (SpamStore.
  // modelVersion): the classifier's token cache compares it once per message.
  `CREATE TABLE spam_model_version (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    version BIGINT NOT NULL
  )`,
  "INSERT INTO spam_model_version (id, version) VALUES (0, 0)",
  `CREATE TABLE spam_trained (
    account_id BIGINT NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    class TEXT NOT NULL CHECK (class IN ('spam', 'ham')),
    scopes BIGINT[] NOT NULL,
    PRIMARY KEY (account_id, key)
  )`,
  `CREATE TABLE spam_prefs (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    allow TEXT[] NOT NULL DEFAULT '{}',
    block TEXT[] NOT NULL DEFAULT '{}',
    junk_score DOUBLE PRECISION,
    file_into_junk BOOLEAN
  )`,
  `CREATE TABLE spam_verdicts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    message_id TEXT NOT NULL,
    door TEXT NOT NULL,
    mail_from TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipients BIGINT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    action TEXT NOT NULL,
    reasons TEXT NOT NULL
  )`,
  // An account's removal takes its model and training records, and is a change of the models
  // (a cached user model must not outlive its account, nor meet a later account of the same id).
  `CREATE FUNCTION spam_account_removed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM spam_tokens WHERE scope = OLD.id;
    DELETE FROM spam_models WHERE scope = OLD.id;
    DELETE FROM spam_trained WHERE account_id = OLD.id;
    UPDATE spam_model_version SET version = version + 1 WHERE id = 0;
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER spam_account_removed AFTER DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION spam_account_removed()`,
];

const SIEVE = [
  // Ids from an identity never come back, as JMAP ids must not (RFC 8620 1.2).
  `CREATE TABLE sieve_scripts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT COLLATE "C" NOT NULL,
    content BYTEA NOT NULL,
    bytes INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT false,
    updated_at BIGINT NOT NULL,
    UNIQUE (account_id, name)
  )`,
  // At most one active script per account, whichever node or path writes.
  "CREATE UNIQUE INDEX sieve_scripts_active ON sieve_scripts (account_id) WHERE active",
  `CREATE FUNCTION sieve_scripts_changelog() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      PERFORM log_change(NEW.account_id, ${SIEVE_SCRIPT}, NEW.id, 'create');
    ELSIF TG_OP = 'UPDATE' THEN
      PERFORM log_change(NEW.account_id, ${SIEVE_SCRIPT}, NEW.id, 'touch');
    ELSE
      PERFORM log_change(OLD.account_id, ${SIEVE_SCRIPT}, OLD.id, 'destroy');
    END IF;
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER sieve_scripts_changelog AFTER INSERT OR DELETE ON sieve_scripts
    FOR EACH ROW EXECUTE FUNCTION sieve_scripts_changelog()`,
  `CREATE TRIGGER sieve_scripts_changelog_upd AFTER UPDATE OF name, content, active ON sieve_scripts
    FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name OR NEW.content IS DISTINCT FROM OLD.content
      OR NEW.active IS DISTINCT FROM OLD.active)
    EXECUTE FUNCTION sieve_scripts_changelog()`,
  `CREATE TABLE sieve_duplicates (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    key TEXT COLLATE "C" NOT NULL,
    seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, key)
  )`,
  "CREATE INDEX sieve_duplicates_expiry ON sieve_duplicates (expires_at)",
];

const REPORTS = [
  // Unique per (kind, org, report_id): a report mailed twice (RFC 7489 §7.2.1.1) is stored once.
  `CREATE TABLE received_reports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    org TEXT COLLATE "C" NOT NULL,
    report_id TEXT COLLATE "C" NOT NULL,
    domain TEXT COLLATE "C" NOT NULL,
    begin_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    total BIGINT NOT NULL,
    passed BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    dkim_pass BIGINT NOT NULL,
    spf_pass BIGINT NOT NULL,
    failure_types TEXT[] NOT NULL,
    row_count INTEGER NOT NULL,
    detail TEXT NOT NULL,
    UNIQUE (kind, org, report_id)
  )`,
  "CREATE INDEX received_reports_domain_end ON received_reports (domain, end_at)",
  "CREATE INDEX received_reports_end ON received_reports (end_at)",
  `CREATE TABLE received_report_rows (
    report BIGINT NOT NULL REFERENCES received_reports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    source_ip TEXT COLLATE "C",
    count BIGINT NOT NULL,
    pass BOOLEAN NOT NULL,
    header_from TEXT COLLATE "C",
    data TEXT NOT NULL,
    PRIMARY KEY (report, seq)
  )`,
];

const REPORT_SENDING = [
  `CREATE TABLE tlsrpt_results (
    day TEXT COLLATE "C" NOT NULL,
    policy_domain TEXT COLLATE "C" NOT NULL,
    policy_type TEXT COLLATE "C" NOT NULL,
    policy_strings TEXT COLLATE "C" NOT NULL,
    mx_hosts TEXT COLLATE "C" NOT NULL,
    result TEXT COLLATE "C" NOT NULL,
    sending_ip TEXT COLLATE "C" NOT NULL,
    receiving_mx TEXT COLLATE "C" NOT NULL,
    receiving_ip TEXT COLLATE "C" NOT NULL,
    detail TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (day, policy_domain, policy_type, policy_strings, mx_hosts, result, sending_ip,
      receiving_mx, receiving_ip)
  )`,
  `CREATE TABLE dmarc_records (
    day TEXT COLLATE "C" NOT NULL,
    header_from TEXT COLLATE "C" NOT NULL,
    source_ip TEXT COLLATE "C" NOT NULL,
    envelope_from TEXT COLLATE "C" NOT NULL,
    disposition TEXT COLLATE "C" NOT NULL,
    dkim TEXT COLLATE "C" NOT NULL,
    spf TEXT COLLATE "C" NOT NULL,
    dkim_results TEXT COLLATE "C" NOT NULL,
    spf_domain TEXT COLLATE "C" NOT NULL,
    spf_result TEXT COLLATE "C" NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (day, header_from, source_ip, envelope_from, disposition, dkim, spf, dkim_results,
      spf_domain, spf_result)
  )`,
  // One report per (kind, domain, day), whichever node sent it.
  `CREATE TABLE reports_sent (
    kind TEXT COLLATE "C" NOT NULL,
    domain TEXT COLLATE "C" NOT NULL,
    day TEXT COLLATE "C" NOT NULL,
    report_id TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (kind, domain, day)
  )`,
  "CREATE INDEX reports_sent_day ON reports_sent (kind, day)",
];

const STATS = [
  `CREATE TABLE stats_hourly (
    name TEXT COLLATE "C" NOT NULL,
    hour BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (name, hour)
  )`,
  "CREATE INDEX stats_hourly_hour ON stats_hourly (hour)",
  `CREATE TABLE stats_daily (
    name TEXT COLLATE "C" NOT NULL,
    day BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (name, day)
  )`,
  "CREATE INDEX stats_daily_day ON stats_daily (day)",
];

export const FILTER_TABLES: readonly string[] = [...SPAM, ...SIEVE, ...REPORTS, ...REPORT_SENDING, ...STATS];
