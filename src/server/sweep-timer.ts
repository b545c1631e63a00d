// The one shape of the store's hourly clean-ups (greylist entries, Sieve duplicate records, spam
// tokens): rows removed in bounded batches, so one batch never holds the store's writer (on
// SQLite, the event loop) for long, until a batch comes back short; and a timer that runs the
// sweep at most once at a time, never keeps the process alive, and logs what it removed.
import type { Logger } from "../log/logger.js";

/** Calls `removeBatch(batch)` until it removes fewer than `batch` rows or `maxBatches` calls;
 *  returns how many rows were removed in all. */
export async function sweepInBatches(
  removeBatch: (limit: number) => Promise<number>,
  batch: number,
  maxBatches: number,
): Promise<number> {
  let removed = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await removeBatch(batch);
    removed += n;
    if (n < batch) break;
  }
  return removed;
}

export interface SweepTimerOptions {
  log: Logger;
  /** Time between sweeps; default one hour. */
  intervalMs?: number;
  /** Log messages: rows removed (info, only when some were), and a failed sweep (warn). */
  removedNote: string;
  failedNote: string;
}

/** Runs `sweep` every intervalMs, skipping a tick while the last one still runs; returns the
 *  function that stops it. */
export function startSweepTimer(sweep: () => Promise<number>, o: SweepTimerOptions): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep()
      .then((n) => {
        if (n > 0) o.log.info(o.removedNote, { removed: n });
      })
      .catch((error) => o.log.warn(o.failedNote, { error }))
      .finally(() => {
        running = false;
      });
  }, o.intervalMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
