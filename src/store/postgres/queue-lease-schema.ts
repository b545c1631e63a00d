// Schema v8: the queue entry's lease token (issue 17), the SQLite store's v27
// (sqlite/queue-lease-schema.ts), whose comment says what it is for. Adding a column with a
// constant default rewrites no rows on PostgreSQL 11 and later.
export const QUEUE_LEASE: readonly string[] = [
  "ALTER TABLE queue ADD COLUMN lease BIGINT NOT NULL DEFAULT 0",
];
