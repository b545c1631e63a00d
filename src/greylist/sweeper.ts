// Forgetting expired greylist entries when no mail comes: each insert already removes a few
// expired rows (the store's amortised sweep), which bounds the table under traffic; this timer
// empties it of what expired during quiet times, in bounded batches so one tick never holds the
// store's writer for long.
import type { Logger } from "../log/logger.js";
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
export async function sweepExpired(opts: SweeperOptions, now = new Date()): Promise<number> {
  const batch = opts.batch ?? 5000;
  let removed = 0;
  for (let i = 0; i < (opts.maxBatches ?? 20); i++) {
    const n = await opts.store.sweep(now, batch);
    removed += n;
    if (n < batch) break;
  }
  return removed;
}

/** Starts the periodic sweep; returns the function that stops it. */
export function startGreylistSweeper(opts: SweeperOptions): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpired(opts)
      .then((n) => {
        if (n > 0) opts.log.info("greylist entries expired", { removed: n });
      })
      .catch((error) => opts.log.warn("greylist sweep failed", { error }))
      .finally(() => {
        running = false;
      });
  }, opts.intervalMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
