// Migration v18: web sessions and JMAP tokens kept across restarts, and the log of account
// changes that end logins at once (issue 15), read and written by web-sessions.ts.
//
//  - web_sessions: one row per web page session or JMAP bearer token, keyed by (kind, SHA-256 of
//    the token): the token itself is never stored, so a copy of the database opens no session.
//    The CSRF token is not stored either: it is derived from the session token (http/session.ts),
//    which every request that needs it carries. Rows go with the account (ON DELETE CASCADE).
//    expires_at is created_at + the maximum age; idle_ms the idle limit, judged against
//    last_seen_at, which writers record at most about once a minute, not per request.
//  - login_changes: per account, the sequence number of the last change that must end its
//    logins (password, disabled, deleted, an app password revoked, a second factor turned on),
//    written by the triggers below whoever writes (this server, `yubin user disable` in another
//    process). A server polls `seq > last seen` on the index: one empty read per poll. One row
//    per account ever changed (INSERT OR REPLACE), so it stays as small as the accounts table.
// Times are milliseconds since the epoch.

const bump = (id: string) =>
  `INSERT OR REPLACE INTO login_changes (account_id, seq) SELECT ${id}, coalesce(max(seq), 0) + 1 FROM login_changes;`;

export const webSessionMigration = `
CREATE TABLE IF NOT EXISTS web_sessions (
  kind TEXT NOT NULL CHECK (kind IN ('web', 'jmap')),
  token_hash TEXT NOT NULL,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  credential_stamp TEXT NOT NULL,
  ip TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  idle_ms INTEGER NOT NULL,
  PRIMARY KEY (kind, token_hash)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS web_sessions_account ON web_sessions(account_id, kind, last_seen_at);
CREATE INDEX IF NOT EXISTS web_sessions_seen ON web_sessions(kind, last_seen_at);
CREATE INDEX IF NOT EXISTS web_sessions_expiry ON web_sessions(expires_at);

CREATE TABLE IF NOT EXISTS login_changes (
  account_id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_changes_seq ON login_changes(seq);

CREATE TRIGGER IF NOT EXISTS login_change_account AFTER UPDATE OF password_hash, disabled ON accounts
  WHEN OLD.password_hash IS NOT NEW.password_hash OR OLD.disabled IS NOT NEW.disabled
BEGIN ${bump("NEW.id")} END;
CREATE TRIGGER IF NOT EXISTS login_change_account_gone AFTER DELETE ON accounts
BEGIN ${bump("OLD.id")} END;
CREATE TRIGGER IF NOT EXISTS login_change_app_password AFTER DELETE ON app_passwords
BEGIN ${bump("OLD.account_id")} END;
CREATE TRIGGER IF NOT EXISTS login_change_totp AFTER UPDATE OF confirmed ON totp
  WHEN NEW.confirmed = 1 AND OLD.confirmed = 0
BEGIN ${bump("NEW.account_id")} END;
CREATE TRIGGER IF NOT EXISTS login_change_passkey AFTER INSERT ON webauthn_credentials
BEGIN ${bump("NEW.account_id")} END;
`;
