// The table map of `yubin migrate-store` (SQLite → PostgreSQL, issue 17): every table of either
// schema is named here, either copied (with its columns and how each value converts) or left out
// with the reason. migrate-tables.test.ts compares this map with both live schemas, so a migration
// added on either side without a line here fails the test instead of being forgotten silently.

/** How a SQLite value becomes a PostgreSQL parameter. */
export type ColumnKind =
  /** INTEGER → BIGINT/INTEGER, TEXT → TEXT, REAL → DOUBLE PRECISION, as it is. */
  | "same"
  /** INTEGER 0/1 → BOOLEAN. */
  | "bool"
  /** BLOB → BYTEA. */
  | "bytes"
  /** TEXT → BYTEA, its UTF-8 octets (the PostgreSQL store keeps these byte-exact). */
  | "utf8"
  /** TEXT holding a JSON array → an ARRAY column. */
  | "json-array";

export interface CopiedTable {
  name: string;
  /** Columns in order; those not named here are "same". */
  columns: readonly string[];
  kinds?: Readonly<Record<string, ColumnKind>>;
  /** PostgreSQL's schema seeds rows of its own (migration v1): replaced by the copy. */
  seeded?: boolean;
}

function t(name: string, columns: string, kinds?: Record<string, ColumnKind>, seeded?: boolean): CopiedTable {
  return { name, columns: columns.split(/\s+/).filter((c) => c !== ""), kinds, seeded };
}

/** Tables copied row for row with the same ids (in this order; triggers are off during the copy,
 *  so derived columns — refcounts, quota used, change-log seqs — are copied as they are). */
export const COPIED_TABLES: readonly CopiedTable[] = [
  t("meta", "key value", undefined, true),
  t("domains", "name created_at"),
  t(
    "accounts",
    "id address address_key domain password_hash quota_bytes quota_messages is_admin disabled used_bytes used_messages created_at",
    { is_admin: "bool", disabled: "bool" },
  ),
  t("aliases", "address_key address domain targets created_at"),
  t("send_as", "account_id address_key address"),
  t("admin_domains", "account_id domain"),
  t(
    "mailboxes",
    "id account_id name uid_validity uid_next highest_modseq special_use subscribed created_at first_recent_uid",
    { subscribed: "bool" },
  ),
  t("dangling_subscriptions", "account_id name"),
  // Bodies: the rows here, the octets (blob_data or the files under dataDir/blobs) into blob_chunks
  // by the blob copier, not by this map.
  t("blobs", "id hash size refcount msgid refs structure"),
  t("blob_headers", "blob_id h_from h_to h_cc h_bcc h_subject envelope refs"),
  t(
    "messages",
    "id account_id mailbox_id uid modseq created_modseq sys_flags keywords internal_date saved_date size blob_id thread_id msgid",
  ),
  t("expunged", "mailbox_id uid modseq message_id"),
  t("change_seq", "account_id seq"),
  t("object_changes", "account_id type object_id created_seq seq destroyed", { destroyed: "bool" }),
  t(
    "queue",
    "id blob_id size mail_from recipients env_id ret account_id created_at next_attempt_at attempts last_error state cid lease",
  ),
  t("identities", "id account_id email name reply_to bcc text_signature html_signature is_primary", {
    is_primary: "bool",
  }),
  t("vacation", "account_id is_enabled from_date to_date subject text_body html_body", {
    is_enabled: "bool",
  }),
  t("vacation_replies", "account_id sender sent_at"),
  t(
    "sending_policy",
    "account_id messages_per_hour messages_per_day recipients_per_hour recipients_per_day frozen_at frozen_reason",
  ),
  t("sending_log", "account_id at recipients sent", { sent: "bool" }),
  t("greylist_triplets", "network sender recipient first_seen passed_at touched_at expires_at"),
  t("greylist_networks", "network passes touched_at expires_at"),
  t("spam_model_version", "id version", undefined, true),
  t("spam_models", "scope spam ham tokens"),
  t("spam_tokens", "scope hash spam ham keep_day"),
  t("spam_expiry", "id at removed"),
  t("spam_trained", "account_id key class scopes", { scopes: "json-array" }),
  t("spam_prefs", "account_id allow block junk_score file_into_junk", {
    allow: "json-array",
    block: "json-array",
    file_into_junk: "bool",
  }),
  t("spam_verdicts", "id at message_id door mail_from recipient recipients score action reasons"),
  t("app_passwords", "id account_id name scopes hash created_at last_used_at last_used_ip"),
  t("totp", "account_id sealed_secret confirmed last_step created_at", { confirmed: "bool" }),
  t("recovery_codes", "account_id hash created_at used_at"),
  t("webauthn_credentials", "id account_id public_key counter transports name created_at last_used_at", {
    public_key: "bytes",
  }),
  t("sieve_scripts", "id account_id name content bytes active updated_at", {
    content: "utf8",
    active: "bool",
  }),
  t("sieve_duplicates", "account_id key seen_at expires_at"),
  t("import_cursors", "account_id key value", { key: "utf8", value: "utf8" }),
  t(
    "web_sessions",
    "kind token_hash account_id credential_stamp ip created_at last_seen_at expires_at idle_ms",
  ),
  t("stats_hourly", "name hour n"),
  t("stats_daily", "name day n"),
  t(
    "received_reports",
    "id kind org report_id domain begin_at end_at received_at total passed failed dkim_pass spf_pass failure_types row_count detail",
    { failure_types: "json-array" },
  ),
  t("received_report_rows", "report seq source_ip count pass header_from data", { pass: "bool" }),
  t(
    "tlsrpt_results",
    "day policy_domain policy_type policy_strings mx_hosts result sending_ip receiving_mx receiving_ip detail count",
  ),
  t(
    "dmarc_records",
    "day header_from source_ip envelope_from disposition dkim spf dkim_results spf_domain spf_result count",
  ),
  t("reports_sent", "kind domain day report_id sent_at"),
];

/** SQLite tables not copied as tables, and why. */
export const SQLITE_ONLY: Readonly<Record<string, string>> = {
  blob_data: "inline bodies: copied into blob_chunks by the blob copier",
  blob_trash: "file bodies waiting to be unlinked after a commit: nothing to carry over",
  fts_pending: "the full-text index is rebuilt: every blob is marked pending in PostgreSQL",
  ftw_terms: "the full-text vocabulary (FTS5): rebuilt by PostgreSQL's indexer",
  login_changes: "a feed for live sessions of the running server: starts empty",
  sqlite_sequence: "AUTOINCREMENT high-water marks: become the identity sequences' values",
};

/** SQLite's FTS5 full-text tables and their shadow tables (ftw_body, ftw_body_data …): rebuilt. */
export function isSqliteFullTextTable(name: string): boolean {
  return /^ftw_(?:body|head|more|terms_tri)(?:_(?:config|data|docsize|idx))?$/.test(name);
}

/** PostgreSQL tables not filled from a table of the same name, and why. */
export const POSTGRES_ONLY: Readonly<Record<string, string>> = {
  blob_chunks: "bodies, from blob_data and the files under dataDir/blobs",
  fts_words: "the full-text index: rebuilt by the indexer from fts_pending",
  ftw_terms: "the full-text vocabulary: rebuilt by the indexer",
  fts_pending: "filled with every blob after the copy, so the indexer rebuilds the index",
  login_changes: "a feed for live sessions: starts empty",
  schema_version: "the PostgreSQL schema's own version",
};

/** SQLite columns with no PostgreSQL column, and why. */
export const SQLITE_ONLY_COLUMNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  blobs: { inline: "where the body is (blob_data or a file): in PostgreSQL always blob_chunks" },
};

/** PostgreSQL columns that have no SQLite column: filled by their defaults. */
export const POSTGRES_ONLY_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  webauthn_credentials: ["ord"],
};
