// Migration v13: Sieve scripts and the duplicate test's memory (issue 19), read and written by
// sieve.ts. Rows go with the account (ON DELETE CASCADE).
//
//  - sieve_scripts: an account's scripts, unique by name (compared exactly, RFC 5804 1.6), with
//    their UTF-8 size kept beside the text so the per-account byte limit is one SUM. At most one
//    is active: a partial unique index enforces it, whatever path writes. Ids are never reused
//    (AUTOINCREMENT), as JMAP ids must not be (RFC 8620 1.2).
//  - Every insert, change (content, name, activation) and delete is logged in the account change
//    log as type 6 (SIEVE_SCRIPT), so JMAP SieveScript/changes (RFC 9661 2.2) answers from it and
//    the store's state() is that type's latest seq.
//  - sieve_duplicates: RFC 7352 duplicate keys per account: when each was last recorded and when
//    it expires (for the sweep).
// Times are milliseconds since the epoch.
import { SIEVE_SCRIPT } from "../shared/changes.js";
import { logChange } from "./changelog-schema.js";

export const sieveMigration = `
CREATE TABLE IF NOT EXISTS sieve_scripts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  content TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  UNIQUE (account_id, name)
);
CREATE UNIQUE INDEX IF NOT EXISTS sieve_scripts_active ON sieve_scripts(account_id) WHERE active = 1;

CREATE TRIGGER IF NOT EXISTS changelog_sieve_ins AFTER INSERT ON sieve_scripts BEGIN
  ${logChange("NEW.account_id", SIEVE_SCRIPT, "NEW.id", "create")}
END;
CREATE TRIGGER IF NOT EXISTS changelog_sieve_upd AFTER UPDATE OF name, content, active ON sieve_scripts
  WHEN NEW.name IS NOT OLD.name OR NEW.content IS NOT OLD.content OR NEW.active IS NOT OLD.active BEGIN
  ${logChange("NEW.account_id", SIEVE_SCRIPT, "NEW.id", "touch")}
END;
CREATE TRIGGER IF NOT EXISTS changelog_sieve_del AFTER DELETE ON sieve_scripts BEGIN
  ${logChange("OLD.account_id", SIEVE_SCRIPT, "OLD.id", "destroy")}
END;

CREATE TABLE IF NOT EXISTS sieve_duplicates (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sieve_duplicates_expiry ON sieve_duplicates(expires_at);
`;
