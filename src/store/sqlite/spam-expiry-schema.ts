// Migration v26: expiry of the spam models' tokens (SpamExpiryStore, spam-expiry.ts).
//
//  - spam_tokens.keep_day: the day (since 1970-01-01 UTC) a token was last trained, plus 30 for
//    each doubling of its count (SPAM_KEEP_DAYS_PER_DOUBLING, src/store/shared/spam.ts). Rows
//    already there count as trained on the day of the upgrade: their history is unknown, and
//    their counts still put hapaxes first. One pass over the table, once (measured on 1,000,000
//    rows: docs/ARCHITECTURE.md, "Spam state: token expiry").
//  - spam_tokens_expiry: the rows of a model in keep-day order, so a sweep batch reads the n
//    rows it deletes and no others. WITHOUT ROWID: the index holds the key (scope, hash) too.
//  - spam_models_tokens: the models by row count, so a sweep finds the few over their cap
//    without reading every user's model.
//  - spam_expiry: one row, the latest expiry that removed tokens, for the admin page and the CLI.
export const spamExpiryMigration = `
ALTER TABLE spam_tokens ADD COLUMN keep_day INTEGER NOT NULL DEFAULT 0;
UPDATE spam_tokens SET keep_day = CAST(unixepoch() / 86400 AS INTEGER)
  + 30 * CAST(log2(max(spam + ham, 1)) AS INTEGER);
CREATE INDEX IF NOT EXISTS spam_tokens_expiry ON spam_tokens (scope, keep_day);
CREATE INDEX IF NOT EXISTS spam_models_tokens ON spam_models (tokens);
CREATE TABLE IF NOT EXISTS spam_expiry (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  at INTEGER NOT NULL,
  removed INTEGER NOT NULL
);
`;
