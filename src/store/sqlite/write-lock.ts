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
  private readonly noWait;
  private readonly wait;
  /** Whether the prepared PRAGMA statements above set the value when run (checked once). */
  private readonly prepared: boolean;

  constructor(
    private readonly db: Db,
    /** The connection's busy timeout, restored after each attempt (other writes keep it). */
    readonly busyTimeoutMs: number,
  ) {
    this.begin = db.prepare("BEGIN IMMEDIATE");
    // A PRAGMA that sets a value does so when it is compiled, and SQLite compiles such a statement
    // again at each later step (sqlite3VdbeRunOnlyOnce: it expires after each run), so a prepared
    // one does nothing on its first run and sets the value on every run after. Each run is then a
    // re-prepare inside SQLite, not a new better-sqlite3 statement object and result array per
    // call as db.pragma() makes (two a batch). Prepared and run once here, then checked; should
    // an SQLite ever behave otherwise, db.pragma() is used as before.
    const ms = Math.max(0, Math.floor(busyTimeoutMs));
    this.noWait = db.prepare("PRAGMA busy_timeout = 0");
    this.wait = db.prepare(`PRAGMA busy_timeout = ${ms}`);
    this.noWait.run();
    this.wait.run();
    this.noWait.run();
    const off = db.pragma("busy_timeout", { simple: true });
    this.wait.run();
    const on = db.pragma("busy_timeout", { simple: true });
    this.prepared = off === 0 && on === ms;
    if (!this.prepared) db.pragma(`busy_timeout = ${ms}`);
  }

  private setWaiting(on: boolean): void {
    if (this.prepared) (on ? this.wait : this.noWait).run();
    else this.db.pragma(`busy_timeout = ${on ? Math.max(0, Math.floor(this.busyTimeoutMs)) : 0}`);
  }

  /**
   * BEGIN IMMEDIATE at once: true in a write transaction now, false when another connection holds
   * the write lock (nothing begun). Other errors are thrown.
   */
  tryBegin(): boolean {
    if (this.db.inTransaction) throw new Error("WriteLock.tryBegin inside a transaction");
    this.setWaiting(false);
    try {
      this.begin.run();
      return true;
    } catch (error) {
      if (isBusy(error)) return false;
      throw error;
    } finally {
      this.setWaiting(true);
    }
  }
}

/** The wait before attempt `attempt` (1, 2, ...): the next event-loop turn first (a batch's SQL
 *  takes well under a millisecond to a few), then a millisecond at a time. */
export function lockRetryWait(attempt: number): Promise<void> {
  if (attempt <= 1) return new Promise((r) => setImmediate(r));
  return new Promise((r) => setTimeout(r, 1));
}
