// Migration v25: the spam models' version (SpamStore.modelVersion, spam.ts). One row, bumped in
// the transaction of every training that changes a model, so a process caching token counts
// (src/spam/classifier/token-cache.ts) sees with one row's read per message whether any
// training, by this process, the `yubin spam train` CLI or another server process on the same
// data directory, changed them since it filled its cache.
export const spamVersionMigration = `
CREATE TABLE IF NOT EXISTS spam_model_version (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  version INTEGER NOT NULL
);
INSERT OR IGNORE INTO spam_model_version (id, version) VALUES (0, 0);

-- An account's removal deletes its model (spam_account_removed, v10): a change too, or a cached
-- user model could outlive its account (and meet a later account given the same id).
CREATE TRIGGER IF NOT EXISTS spam_account_removed_version AFTER DELETE ON accounts BEGIN
  UPDATE spam_model_version SET version = version + 1;
END;
`;
