// Migration v11: app passwords (issue 15), read and written by app-passwords.ts.
//
//  - app_passwords: one row per per-device password: its name, scopes (comma-separated, in the
//    order of APP_PASSWORD_SCOPES in shared/app-passwords.ts), the keyed hash of its secret (the
//    auth layer makes it; the secret itself is never stored), when it was made and when and from
//    where it was last used.
//    Rows go with the account (ON DELETE CASCADE). A login reads the account's rows by account_id.
// Times are milliseconds since the epoch.

export const appPasswordMigration = `
CREATE TABLE IF NOT EXISTS app_passwords (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  last_used_ip TEXT
);
CREATE INDEX IF NOT EXISTS app_passwords_account ON app_passwords(account_id);
`;
