// Tables of search and import (schema v1, issue 17): the header index, the full-text index, the
// import cursors. Every index row is keyed by blob (a body filed in several mailboxes is indexed
// once) and goes with its blob (ON DELETE CASCADE; blob ids are identities, never reused).
//
// - blob_headers: what IMAP SEARCH FROM/TO/CC/BCC/SUBJECT compares (decoded, lower-cased, every
//   occurrence joined with "\n"; NULL when the field is absent), and the envelope and References
//   SORT and THREAD read (JSON text), filled lazily by the first search (search-headers.ts).
// - The full-text index by word (search-fulltext.ts), the design of the SQLite store's v23
//   (src/store/sqlite/fulltext-words-schema.ts) with PostgreSQL's own means: ftw_terms is the
//   vocabulary, each word once with its distinct trigrams (a GIN index on the array finds the
//   words containing a needle, then strpos() checks them exactly); fts_words holds each blob's
//   distinct words as term ids (INTEGER: half the octets of BIGINT, and
//   room for two billion words) per part (head: the top-level header; body: what IMAP BODY
//   matches; more: what only JMAP reads), GIN-indexed for && (any of) and @> (all of).
//   No extension (pg_trgm) is needed, so a database owner without superuser rights can run it.
// - fts_pending: the blobs not (fully) indexed, a row added by a trigger when a blob is inserted,
//   removed by the indexer when it has written the blob's words, kept with partial = true when
//   the text was longer than the cap; such blobs are candidates ("maybe") of every search.
// - import_cursors: an import's resume positions per account (written with the batch they follow),
//   as UTF-8 octets: keys hold NUL ("source\0folder"), which PostgreSQL text cannot.
export const SEARCH_TABLES: readonly string[] = [
  `CREATE TABLE blob_headers (
    blob_id BIGINT PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
    h_from TEXT,
    h_to TEXT,
    h_cc TEXT,
    h_bcc TEXT,
    h_subject TEXT,
    envelope TEXT NOT NULL,
    refs TEXT NOT NULL
  )`,

  // COLLATE "C": the unique index then serves prefix searches (term LIKE 'abc%') as a range.
  `CREATE TABLE ftw_terms (
    id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    term TEXT COLLATE "C" NOT NULL UNIQUE,
    tris TEXT[] NOT NULL
  )`,
  `CREATE INDEX ftw_terms_tris ON ftw_terms USING gin (tris) WITH (fastupdate = off)`,

  `CREATE TABLE fts_words (
    blob_id BIGINT PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
    head INTEGER[] NOT NULL,
    body INTEGER[] NOT NULL,
    more INTEGER[] NOT NULL
  )`,
  // fastupdate off: with it, new entries wait uncompressed in a pending list (4 MB by default),
  // which on a test of 1,000 messages made the index four times the mail; off, they go straight
  // into the compressed posting lists, and the indexer (not the delivery) pays for it.
  // Schema v6 (schema-search-pending.ts) turns it on with a 512 kB limit: the WAL of one entry at
  // a time was ~120 kB per message.
  `CREATE INDEX fts_words_head ON fts_words USING gin (head) WITH (fastupdate = off)`,
  `CREATE INDEX fts_words_body ON fts_words USING gin (body) WITH (fastupdate = off)`,
  `CREATE INDEX fts_words_more ON fts_words USING gin (more) WITH (fastupdate = off)`,

  `CREATE TABLE fts_pending (
    blob_id BIGINT PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
    partial BOOLEAN NOT NULL DEFAULT false
  )`,
  `CREATE INDEX fts_pending_todo ON fts_pending (blob_id) WHERE NOT partial`,
  `CREATE FUNCTION blobs_fts_pending() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO fts_pending (blob_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER blobs_fts_pending AFTER INSERT ON blobs
   FOR EACH ROW EXECUTE FUNCTION blobs_fts_pending()`,

  `CREATE TABLE import_cursors (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    key BYTEA NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (account_id, key)
  )`,
];
