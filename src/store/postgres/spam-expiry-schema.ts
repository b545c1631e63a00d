// Schema v7: expiry of the spam models' tokens (SpamExpiryStore, spam-expiry.ts); the SQLite
// store's v26 (sqlite/spam-expiry-schema.ts), whose comment says what each part is for.
// Differences: the old rows' keep day (the upgrade's day, plus 30 a doubling of the count) comes
// from the column's default, which PostgreSQL keeps in the catalogue without writing any row, so
// only the rows counted twice or more are rewritten (an UPDATE writes a new version of each row);
// the doubling is floor(ln(n) / ln(2)) in double precision, exact at every power of two an
// INTEGER count can reach and 60 times cheaper than log(2, n::numeric) (11 µs a call, measured).
export const SPAM_EXPIRY: readonly string[] = [
  `DO $$ BEGIN
     EXECUTE format('ALTER TABLE spam_tokens ADD COLUMN keep_day INTEGER NOT NULL DEFAULT %s',
       floor(extract(epoch FROM now()) / 86400)::int);
   END $$`,
  "ALTER TABLE spam_tokens ALTER COLUMN keep_day DROP DEFAULT",
  `UPDATE spam_tokens SET keep_day = keep_day + 30 * floor(ln(spam + ham) / ln(2::float8))::int
   WHERE spam + ham >= 2`,
  "CREATE INDEX spam_tokens_expiry ON spam_tokens (scope, keep_day)",
  "CREATE INDEX spam_models_tokens ON spam_models (tokens)",
  `CREATE TABLE spam_expiry (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    at BIGINT NOT NULL,
    removed BIGINT NOT NULL
  )`,
];
