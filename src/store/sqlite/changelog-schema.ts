// Migration: an account-wide change log for JMAP /changes (RFC 8620 5.2), kept by triggers so
// that every path that changes messages or mailboxes (SMTP delivery, IMAP STORE/COPY/MOVE/
// EXPUNGE/RENAME, JMAP, account removal) records it without code of its own.
//
//  - change_seq: one counter per account. Every logged change takes the next value, so two
//    changes of one account never share a seq and /changes can stop between any two of them.
//  - object_changes: one row per (account, type, object) with the seq of its last change, the
//    seq at which it was created (0: before the log existed) and whether it is destroyed. Like
//    IMAP's modseq/created_modseq and the expunged table: bounded by the objects that ever
//    existed, not by the number of changes.
//  - types: 1 = Email (a messages row), 2 = Mailbox, 3 = Thread (messages.thread_id);
//    4 = Identity and 5 = VacationResponse are logged by the v4 migration (settings-schema.ts),
//    6 = SieveScript by the v13 migration (sieve-schema.ts).
//  - A mailbox's highest_modseq moves whenever one of its messages changes; that logs the
//    mailbox too, because its counts (totalEmails, unreadEmails ...) may have changed.
// Every statement is IF NOT EXISTS / OR IGNORE, so re-running the migration changes nothing.
import { EMAIL, MAILBOX, THREAD } from "../shared/changes.js";

export type Mode = "create" | "touch" | "destroy";

/** SQL logging one change of (type, id) in account `acc` (expressions over NEW/OLD). */
export function logChange(acc: string, type: number, id: string, mode: Mode): string {
  // A thread has no insert of its own: the first message that names it creates it.
  const created = mode === "create" || (mode === "touch" && type === THREAD) ? "seq" : "0";
  return `
  UPDATE change_seq SET seq = seq + 1 WHERE account_id = ${acc};
  INSERT INTO object_changes (account_id, type, object_id, created_seq, seq, destroyed)
    SELECT ${acc}, ${type}, ${id}, ${created}, seq, ${mode === "destroy" ? 1 : 0}
    FROM change_seq WHERE account_id = ${acc}
    ON CONFLICT (account_id, type, object_id) DO UPDATE SET
      seq = excluded.seq,
      created_seq = CASE WHEN object_changes.destroyed = 1 AND excluded.destroyed = 0
                         THEN excluded.seq ELSE object_changes.created_seq END,
      destroyed = excluded.destroyed;`;
}

/** The old thread of a message lost it: destroyed if no message of the account names it any more. */
function threadLeft(acc: string, thread: string): string {
  const rest = `SELECT 1 FROM messages WHERE account_id = ${acc} AND thread_id = ${thread}`;
  return `
  UPDATE change_seq SET seq = seq + 1 WHERE account_id = ${acc} AND ${thread} <> 0;
  INSERT INTO object_changes (account_id, type, object_id, created_seq, seq, destroyed)
    SELECT ${acc}, ${THREAD}, ${thread}, 0, seq, NOT EXISTS (${rest})
    FROM change_seq WHERE account_id = ${acc} AND ${thread} <> 0
    ON CONFLICT (account_id, type, object_id) DO UPDATE SET
      seq = excluded.seq, destroyed = excluded.destroyed;`;
}

export const changelogMigration = `
CREATE TABLE IF NOT EXISTS change_seq (account_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS object_changes (
  account_id INTEGER NOT NULL,
  type INTEGER NOT NULL,
  object_id INTEGER NOT NULL,
  created_seq INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  destroyed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, type, object_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS object_changes_seq ON object_changes(account_id, type, seq);
CREATE INDEX IF NOT EXISTS messages_thread ON messages(account_id, thread_id);
INSERT OR IGNORE INTO change_seq (account_id, seq) SELECT id, 0 FROM accounts;

CREATE TRIGGER IF NOT EXISTS changelog_account_ins AFTER INSERT ON accounts BEGIN
  INSERT OR IGNORE INTO change_seq (account_id, seq) VALUES (NEW.id, 0);
END;
CREATE TRIGGER IF NOT EXISTS changelog_account_del AFTER DELETE ON accounts BEGIN
  DELETE FROM change_seq WHERE account_id = OLD.id;
  DELETE FROM object_changes WHERE account_id = OLD.id;
END;

CREATE TRIGGER IF NOT EXISTS changelog_mailbox_ins AFTER INSERT ON mailboxes BEGIN
  ${logChange("NEW.account_id", MAILBOX, "NEW.id", "create")}
END;
CREATE TRIGGER IF NOT EXISTS changelog_mailbox_upd
  AFTER UPDATE OF name, subscribed, special_use, highest_modseq ON mailboxes BEGIN
  ${logChange("NEW.account_id", MAILBOX, "NEW.id", "touch")}
END;
CREATE TRIGGER IF NOT EXISTS changelog_mailbox_del AFTER DELETE ON mailboxes BEGIN
  ${logChange("OLD.account_id", MAILBOX, "OLD.id", "destroy")}
END;

CREATE TRIGGER IF NOT EXISTS changelog_message_ins AFTER INSERT ON messages BEGIN
  ${logChange("NEW.account_id", EMAIL, "NEW.id", "create")}
END;
CREATE TRIGGER IF NOT EXISTS changelog_message_ins_thread AFTER INSERT ON messages
  WHEN NEW.thread_id <> 0 BEGIN
  ${logChange("NEW.account_id", THREAD, "NEW.thread_id", "touch")}
END;
CREATE TRIGGER IF NOT EXISTS changelog_message_upd
  AFTER UPDATE OF sys_flags, keywords, mailbox_id ON messages
  WHEN NEW.account_id = OLD.account_id BEGIN
  ${logChange("NEW.account_id", EMAIL, "NEW.id", "touch")}
END;
CREATE TRIGGER IF NOT EXISTS changelog_message_thread
  AFTER UPDATE OF thread_id ON messages
  WHEN NEW.account_id = OLD.account_id AND NEW.thread_id <> OLD.thread_id BEGIN
  ${threadLeft("OLD.account_id", "OLD.thread_id")}
  ${logChange("NEW.account_id", THREAD, "NEW.thread_id", "touch")}
END;
CREATE TRIGGER IF NOT EXISTS changelog_message_account
  AFTER UPDATE OF account_id ON messages
  WHEN NEW.account_id <> OLD.account_id BEGIN
  ${logChange("OLD.account_id", EMAIL, "OLD.id", "destroy")}
  ${threadLeft("OLD.account_id", "OLD.thread_id")}
  ${logChange("NEW.account_id", EMAIL, "NEW.id", "create")}
  ${logChange("NEW.account_id", THREAD, "NEW.thread_id", "touch")}
END;
CREATE TRIGGER IF NOT EXISTS changelog_message_del AFTER DELETE ON messages BEGIN
  ${logChange("OLD.account_id", EMAIL, "OLD.id", "destroy")}
  ${threadLeft("OLD.account_id", "OLD.thread_id")}
END;
`;
