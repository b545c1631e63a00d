// The PostgreSQL store's schema and its migrations (issue 17), versioned like SQLite's
// (src/store/sqlite/schema.ts): a table schema_version holds the version; each migration runs in
// one transaction with the version bump, under an advisory lock, so several nodes starting at
// once on one database migrate it once, and an interrupted upgrade resumes. A database newer than
// this code is refused rather than misread.
//
// Version 1 is the whole schema of the first release, one file per area (each owned with the code
// that reads it). Later changes are new versions appended to MIGRATIONS, never edits of old ones.
//
// Conventions every area follows: times are BIGINT epoch milliseconds (as the SQLite store), ids
// BIGINT identity, booleans BOOLEAN, bodies BYTEA; names of tables as in the SQLite store where
// the meaning is the same.
import { StoreError } from "../errors.js";
import type { PgDb } from "./db.js";
import { QUEUE_LEASE } from "./queue-lease-schema.js";
import { ACCOUNT_TABLES } from "./schema-accounts.js";
import { FILING_FUNCTIONS } from "./schema-filing.js";
import { FILTER_TABLES } from "./schema-filters.js";
import { MAIL_TABLES } from "./schema-mail.js";
import { FILING_PLAN_SETTINGS, PLAN_SETTINGS } from "./schema-plans.js";
import { SEARCH_TABLES } from "./schema-search.js";
import { SEARCH_PENDING_LISTS } from "./schema-search-pending.js";
import { SEARCH_TRIGRAM_KEYS } from "./schema-search-trigram-keys.js";
import { UPDATE_TRIGGER } from "./schema-update-trigger.js";
import { SPAM_EXPIRY } from "./spam-expiry-schema.js";

interface Migration {
  version: number;
  statements: readonly string[];
}

const MIGRATIONS: readonly Migration[] = [
  { version: 1, statements: [...MAIL_TABLES, ...SEARCH_TABLES, ...ACCOUNT_TABLES, ...FILTER_TABLES] },
  // A delivery filed in one statement (file_delivery).
  { version: 2, statements: FILING_FUNCTIONS },
  // The change-log functions keep one generic plan (schema-plans.ts).
  { version: 3, statements: PLAN_SETTINGS },
  // The messages UPDATE trigger with a path for one row (schema-update-trigger.ts).
  { version: 4, statements: UPDATE_TRIGGER },
  // file_delivery keeps one generic plan too (schema-plans.ts).
  { version: 5, statements: FILING_PLAN_SETTINGS },
  // The full-text GIN indexes take inserts into a bounded pending list (schema-search-pending.ts).
  { version: 6, statements: SEARCH_PENDING_LISTS },
  // The spam tokens' keep day and the indexes of expiry (spam-expiry-schema.ts).
  { version: 7, statements: SPAM_EXPIRY },
  // The queue entry's lease token, which fences an attempt's writes (queue-lease-schema.ts).
  { version: 8, statements: QUEUE_LEASE },
  // The vocabulary's trigrams as hashed INTEGER keys (schema-search-trigram-keys.ts).
  { version: 9, statements: SEARCH_TRIGRAM_KEYS },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Any constant: the advisory lock that makes concurrent migrations wait for each other. */
const MIGRATION_LOCK = 0x79756269; // "yubi"

export async function migrate(db: PgDb): Promise<void> {
  await db.tx(async (t) => {
    await t.run("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await t.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = await t.one<{ version: number }>("SELECT version FROM schema_version");
    let current = row?.version ?? 0;
    if (!row) await t.run("INSERT INTO schema_version (version) VALUES (0)");
    if (current > SCHEMA_VERSION)
      throw new StoreError(
        "invalid",
        `the database's schema is version ${current}, newer than this Yubin's ${SCHEMA_VERSION}: upgrade Yubin`,
      );
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      for (const s of m.statements) await t.run(s);
      await t.run("UPDATE schema_version SET version = $1", [m.version]);
      current = m.version;
    }
  });
}
