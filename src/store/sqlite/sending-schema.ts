// Migration: per-account outbound sending (SendingStore, sending.ts).
//
//  - sending_log: one row per message an account sent or was refused, with its recipient count,
//    kept for a day (the longest window): the per-hour and per-day counts are sums over it, so
//    they survive a restart and are shared by every process on the database.
//  - sending_policy: at most one row per account: its own limits (NULL: the config's) and the
//    freeze (frozen_at NULL: not frozen).
// Both go with the account (ON DELETE CASCADE).

export const sendingMigration = `
CREATE TABLE IF NOT EXISTS sending_log (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  recipients INTEGER NOT NULL,
  sent INTEGER NOT NULL
);
-- Covers the sums (account, sent, time range → recipients): no table lookups per row.
CREATE INDEX IF NOT EXISTS sending_log_account ON sending_log(account_id, sent, at, recipients);

CREATE TABLE IF NOT EXISTS sending_policy (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  messages_per_hour INTEGER,
  messages_per_day INTEGER,
  recipients_per_hour INTEGER,
  recipients_per_day INTEGER,
  frozen_at INTEGER,
  frozen_reason TEXT
);
`;
