// Migration v10: the spam filter's state (SpamStore, spam.ts).
//
//  - spam_tokens: per model (scope 0: global, else an account id) and token hash, how many
//    trained spam and ham messages had it. WITHOUT ROWID on (scope, hash): a message's ~500–3,000
//    lookups are B-tree seeks in one index with the counts beside the key. A row whose counts both
//    fall to 0 is deleted, so the table holds only tokens some training still counts.
//  - spam_models: per scope, how many spam and ham messages it was trained with and how many
//    token rows it has (kept by spam.ts, so the admin page's count reads no token); deleted when
//    all three are 0.
//  - spam_trained: what each account trained (account 0: an admin's corpus), by message key, with
//    the class and the scopes it went into, so training the same message again is idempotent and
//    a retrain or forget takes it out of the models it is in. Token hashes are not kept: the
//    caller recomputes them from the body (keeps this table a few dozen bytes a message).
//  - spam_prefs: an account's allow/block lists (JSON arrays, validated in spam-prefs.ts), Junk
//    score and whether to file into Junk.
//  - spam_verdicts: the newest verdicts for the admin page, trimmed on every insert.
// Scope 0 and account 0 are not accounts, so the per-account rows of tokens, models and training
// cannot use a foreign key: a trigger removes them with the account (every removal path).

export const spamMigration = `
CREATE TABLE IF NOT EXISTS spam_tokens (
  scope INTEGER NOT NULL,
  hash INTEGER NOT NULL,
  spam INTEGER NOT NULL,
  ham INTEGER NOT NULL,
  PRIMARY KEY (scope, hash)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS spam_models (
  scope INTEGER PRIMARY KEY,
  spam INTEGER NOT NULL,
  ham INTEGER NOT NULL,
  tokens INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS spam_trained (
  account_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  class TEXT NOT NULL CHECK (class IN ('spam', 'ham')),
  scopes TEXT NOT NULL,
  PRIMARY KEY (account_id, key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS spam_prefs (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  allow TEXT NOT NULL DEFAULT '[]',
  block TEXT NOT NULL DEFAULT '[]',
  junk_score REAL,
  file_into_junk INTEGER
);

CREATE TABLE IF NOT EXISTS spam_verdicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  door TEXT NOT NULL,
  mail_from TEXT NOT NULL,
  recipient TEXT NOT NULL,
  recipients INTEGER NOT NULL,
  score REAL NOT NULL,
  action TEXT NOT NULL,
  reasons TEXT NOT NULL
);

CREATE TRIGGER IF NOT EXISTS spam_account_removed AFTER DELETE ON accounts BEGIN
  DELETE FROM spam_tokens WHERE scope = OLD.id;
  DELETE FROM spam_models WHERE scope = OLD.id;
  DELETE FROM spam_trained WHERE account_id = OLD.id;
END;
`;
