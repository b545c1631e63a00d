// Schema v23: the full-text index by word (fulltext.ts), replacing v14's trigram index of the text.
// Why: with trigrams and no positions the index only narrowed, so every candidate was read and
// matched (~33 µs each: 1.15 s for a word in 30,000 of 100,000 messages), and it was 42 % of the
// mail. A word index (SQLite's `ascii` tokenizer: words are runs of ASCII letters and digits and
// of any non-ASCII character) answers a needle without separators exactly, through the
// vocabulary: the messages holding it are those holding a word that contains it. The vocabulary
// keeps a trigram index of its own (small: each word once), to find those words.
//  - ftw_head: the top-level header as IMAP TEXT matches it;
//  - ftw_body: the text IMAP BODY matches (text parts, attached messages' headers and text);
//  - ftw_more: what else JMAP's text filters read (decoded Subject, addresses), never "sure" for
//    IMAP, so kept apart;
//  - ftw_terms + ftw_terms_tri: every word ever indexed, by id, and its trigrams.
// Every blob is pending again (fts_pending), indexed by the background indexer after the upgrade;
// until then it is a candidate of every search, read and matched as before.
export const fullTextWordsMigration = `
DROP TRIGGER blobs_fts_del;
DROP TABLE fts_head;
DROP TABLE fts_body;
CREATE VIRTUAL TABLE ftw_head USING fts5(t, tokenize = 'ascii', detail = none, content = '',
  contentless_delete = 1);
CREATE VIRTUAL TABLE ftw_body USING fts5(t, tokenize = 'ascii', detail = none, content = '',
  contentless_delete = 1);
CREATE VIRTUAL TABLE ftw_more USING fts5(t, tokenize = 'ascii', detail = none, content = '',
  contentless_delete = 1);
CREATE TABLE ftw_terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
CREATE VIRTUAL TABLE ftw_terms_tri USING fts5(t, tokenize = 'trigram case_sensitive 1',
  detail = none, content = '', contentless_delete = 1);
DELETE FROM fts_pending;
INSERT INTO fts_pending (blob_id) SELECT id FROM blobs;
CREATE TRIGGER blobs_fts_del AFTER DELETE ON blobs BEGIN
  DELETE FROM ftw_head WHERE rowid = OLD.id;
  DELETE FROM ftw_body WHERE rowid = OLD.id;
  DELETE FROM ftw_more WHERE rowid = OLD.id;
  DELETE FROM fts_pending WHERE blob_id = OLD.id;
END;
`;
