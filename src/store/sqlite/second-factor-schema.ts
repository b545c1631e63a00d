// Migration v12: second factors for the web login (issue 15), read and written by
// second-factor.ts. Rows go with the account (ON DELETE CASCADE).
//
//  - totp: one row per account with an authenticator app: the secret as the auth layer sealed it
//    (AES-256-GCM under a key outside the database), whether enrolment was confirmed, and the
//    last time step accepted, so each code is used once (RFC 6238 §5.2).
//  - recovery_codes: keyed hashes of the one-time recovery codes, with the time each was used.
//  - webauthn_credentials: registered passkeys and security keys, keyed by their credential id
//    (base64url), which is unique across accounts: a discoverable login finds the owner by it.
// Times are milliseconds since the epoch.

export const secondFactorMigration = `
CREATE TABLE IF NOT EXISTS totp (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  sealed_secret TEXT NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  last_step INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recovery_codes (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  used_at INTEGER,
  PRIMARY KEY (account_id, hash)
);
CREATE TABLE IF NOT EXISTS webauthn_credentials (
  id TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  public_key BLOB NOT NULL,
  counter INTEGER NOT NULL,
  transports TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX IF NOT EXISTS webauthn_credentials_account ON webauthn_credentials(account_id);
`;
