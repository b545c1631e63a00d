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

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
export const DEFAULT_MMAP_BYTES = 256 * 1024 * 1024;

export interface OpenDbOptions {
  path: string;
  /** How long a writer waits for another process (e.g. the CLI while the server runs). */
  busyTimeoutMs?: number;
  /** Octets of the file read through a memory map (PRAGMA mmap_size; default 256 MiB); 0: none. */
  mmapBytes?: number;
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
    // Reads of the database file through a memory map: another process's commit (serve
    // --workers N) makes SQLite drop this connection's whole page cache at its next read, and
    // with read calls every page came back by pread and a copy (~5 a command under bench:imap's
    // mixed load with two workers); mapped, a page is the OS page cache's own. Pages still in
    // the WAL are read from it as before. A read error of a mapped page is a SIGBUS, not an
    // SQLite error: a local disk's risk, not a network file system's (keep 0 there).
    db.pragma(`mmap_size = ${Math.max(0, Math.floor(opts.mmapBytes ?? DEFAULT_MMAP_BYTES))}`);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}
