// Migration v8: greylisting state (RFC 6647), read and written by greylist.ts.
//
//  - greylist_triplets: (client network, sender, recipient) → when it was first seen, when it
//    first passed (NULL while it is being greylisted), when the row was last written, and when it
//    expires: first_seen + retry window while greylisted, last pass + TTL once passed. Expiry is
//    stored rather than computed from the policy so that the sweep is one index range.
//  - greylist_networks: how many triplets of a network passed (the auto-allow count), refreshed
//    and expiring like a passed triplet.
// Times are milliseconds since the epoch.

export const greylistMigration = `
CREATE TABLE IF NOT EXISTS greylist_triplets (
  network TEXT NOT NULL,
  sender TEXT NOT NULL,
  recipient TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  passed_at INTEGER,
  touched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (network, sender, recipient)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS greylist_triplets_expiry ON greylist_triplets(expires_at);

CREATE TABLE IF NOT EXISTS greylist_networks (
  network TEXT PRIMARY KEY,
  passes INTEGER NOT NULL,
  touched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS greylist_networks_expiry ON greylist_networks(expires_at);
`;
