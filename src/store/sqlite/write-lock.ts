// The group commit's BEGIN IMMEDIATE without SQLite's sleeping busy handler.
//
// When another process holds the database's write lock (`serve --workers N`: each worker group-
// commits through its own connection; or a CLI write while the server runs), BEGIN IMMEDIATE with
// a busy timeout sleeps inside sqlite3_step, 1, 2, 5, 10, 15, 20, 25 ms ... (sqliteDefaultBusyCallback)
// — on the main thread, so the worker's whole event loop stops: every session of the worker, not
// only the writers. Measured under bench:imap's mixed load with two workers (perf trace, 8 s):
// 93 and 166 such sleeps in the two workers, 4.5 ms each on average, 5 and 10 % of their time.
// Here the write lock is asked for with the busy timeout at 0, and while another connection
// holds it the event loop goes on (reads, other sessions' commands, jobs joining the queue) and
// the BEGIN is tried again a turn or a millisecond later, up to the same busy timeout. The other
// process holds the lock only for its batch's SQL (its fsync runs after the COMMIT, wal-sync.ts).
import type { Db } from "./db.js";

/** Whether SQLite refused for a lock another connection holds (SQLITE_BUSY and its extended codes). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

export class WriteLock {
  private readonly begin;

  constructor(
    private readonly db: Db,
    /** The connection's busy timeout, restored after each attempt (other writes keep it). */
    readonly busyTimeoutMs: number,
  ) {
    this.begin = db.prepare("BEGIN IMMEDIATE");
  }

  /**
   * BEGIN IMMEDIATE at once: true in a write transaction now, false when another connection holds
   * the write lock (nothing begun). Other errors are thrown.
   */
  tryBegin(): boolean {
    if (this.db.inTransaction) throw new Error("WriteLock.tryBegin inside a transaction");
    // Not prepared once: SQLite runs a PRAGMA that sets a value when it prepares it, and a
    // prepared one's first run does nothing (each later run prepares it again).
    this.db.pragma("busy_timeout = 0");
    try {
      this.begin.run();
      return true;
    } catch (error) {
      if (isBusy(error)) return false;
      throw error;
    } finally {
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(this.busyTimeoutMs))}`);
    }
  }
}

/** The wait before attempt `attempt` (1, 2, ...): the next event-loop turn first (a batch's SQL
 *  takes well under a millisecond to a few), then a millisecond at a time. */
export function lockRetryWait(attempt: number): Promise<void> {
  if (attempt <= 1) return new Promise((r) => setImmediate(r));
  return new Promise((r) => setTimeout(r, 1));
}
