// Opens the SQLite database with the settings durability depends on.
//
// journal_mode=WAL + synchronous=FULL: every COMMIT appends to the WAL and fsyncs it before
// returning, so a resolved deliver() survives power loss. NORMAL would only fsync the WAL at
// checkpoints and a crash could lose the last commits, which breaks the store's promise; the cost
// of FULL is one fsync per transaction, which group commit spreads over many messages. Group
// commit itself commits with NORMAL and fsyncs the WAL off the main thread before acknowledging
// (wal-sync.ts): as durable, without blocking the event loop.
// Checkpoints run on a thread of their own (checkpointer.ts) or, with that off, automatically
// (wal_autocheckpoint); and at close (TRUNCATE), keeping the WAL small.
import Database from "better-sqlite3";
import { createPrivateFile } from "./file-modes.js";

export type Db = Database.Database;

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenDbOptions {
  path: string;
  /** How long a writer waits for another process (e.g. the CLI while the server runs). */
  busyTimeoutMs?: number;
}

export function openDatabase(opts: OpenDbOptions): Db {
  // Created 0600 before SQLite makes it 0644 (file-modes.ts); -wal and -shm inherit its mode.
  createPrivateFile(opts.path);
  const db = new Database(opts.path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
    // Bounds the WAL file on disk after a checkpoint (64 MiB).
    db.pragma("journal_size_limit = 67108864");
    db.pragma("temp_store = MEMORY");
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}
