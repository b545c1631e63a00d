// Migration v4: per-account settings for JMAP Identity (RFC 8621 6) and VacationResponse
// (RFC 8621 8), and the senders an auto-reply already answered (RFC 3834 2, RFC 5230 4.6).
//
//  - identities: one row per From identity. Every account has one primary identity for its own
//    address, made by a trigger when the account is created (and here for existing accounts),
//    so no code path can create an account without one. reply_to / bcc are JSON lists.
//  - vacation: at most one row per account; no row reads as "disabled".
//  - vacation_replies: (account, lower-cased sender) → when it was last answered.
//  - Changes to identities and to the vacation row go to the account change log
//    (changelog-schema.ts, types 4 and 5) so Identity/changes and the state strings move.
//    Inserting one makes sure the account's change_seq row exists, since SQLite does not
//    promise the order in which two AFTER INSERT triggers of accounts run. A delete logs only
//    while the account's change_seq row exists (account removal clears both).
import { IDENTITY, VACATION } from "../shared/changes.js";
import { logChange } from "./changelog-schema.js";

const ensureSeq = (acc: string) => `INSERT OR IGNORE INTO change_seq (account_id, seq) VALUES (${acc}, 0);`;

export const settingsMigration = `
CREATE TABLE IF NOT EXISTS identities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  reply_to TEXT,
  bcc TEXT,
  text_signature TEXT NOT NULL DEFAULT '',
  html_signature TEXT NOT NULL DEFAULT '',
  is_primary INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS identities_account ON identities(account_id);

CREATE TABLE IF NOT EXISTS vacation (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  is_enabled INTEGER NOT NULL,
  from_date INTEGER,
  to_date INTEGER,
  subject TEXT,
  text_body TEXT,
  html_body TEXT
);

CREATE TABLE IF NOT EXISTS vacation_replies (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  sender TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, sender)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS identity_ins AFTER INSERT ON identities BEGIN
  ${ensureSeq("NEW.account_id")}
  ${logChange("NEW.account_id", IDENTITY, "NEW.id", "create")}
END;
CREATE TRIGGER IF NOT EXISTS identity_upd AFTER UPDATE ON identities BEGIN
  ${logChange("NEW.account_id", IDENTITY, "NEW.id", "touch")}
END;
CREATE TRIGGER IF NOT EXISTS identity_del AFTER DELETE ON identities BEGIN
  ${logChange("OLD.account_id", IDENTITY, "OLD.id", "destroy")}
END;
CREATE TRIGGER IF NOT EXISTS vacation_ins AFTER INSERT ON vacation BEGIN
  ${ensureSeq("NEW.account_id")}
  ${logChange("NEW.account_id", VACATION, "1", "create")}
END;
CREATE TRIGGER IF NOT EXISTS vacation_upd AFTER UPDATE ON vacation BEGIN
  ${logChange("NEW.account_id", VACATION, "1", "touch")}
END;

CREATE TRIGGER IF NOT EXISTS identity_account_ins AFTER INSERT ON accounts BEGIN
  INSERT INTO identities (account_id, email, is_primary) VALUES (NEW.id, NEW.address, 1);
END;
INSERT INTO identities (account_id, email, is_primary)
  SELECT id, address, 1 FROM accounts a
  WHERE NOT EXISTS (SELECT 1 FROM identities i WHERE i.account_id = a.id AND i.is_primary = 1);
`;
