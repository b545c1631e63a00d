// Forgetting expired greylist entries when no mail comes: each insert already removes a few
// expired rows (the store's amortised sweep), which bounds the table under traffic; this timer
// empties it of what expired during quiet times, in bounded batches so one tick never holds the
// store's writer for long.
import type { Logger } from "../log/logger.js";
import { startSweepTimer, sweepInBatches } from "../server/sweep-timer.js";
import type { GreylistStore } from "../store/types.js";

export interface SweeperOptions {
  store: GreylistStore;
  log: Logger;
  /** Time between sweeps; default one hour. */
  intervalMs?: number;
  /** Rows removed per batch, and batches per tick. */
  batch?: number;
  maxBatches?: number;
}

/** Removes expired entries, batch after batch, until a batch comes back short or maxBatches. */
export function sweepExpired(opts: SweeperOptions, now = new Date()): Promise<number> {
  return sweepInBatches((limit) => opts.store.sweep(now, limit), opts.batch ?? 5000, opts.maxBatches ?? 20);
}

/** Starts the periodic sweep; returns the function that stops it. */
export function startGreylistSweeper(opts: SweeperOptions): () => void {
  return startSweepTimer(() => sweepExpired(opts), {
    log: opts.log,
    intervalMs: opts.intervalMs,
    removedNote: "greylist entries expired",
    failedNote: "greylist sweep failed",
  });
}
