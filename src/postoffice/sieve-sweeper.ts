// Forgetting expired records of the Sieve duplicate memory (RFC 7352 duplicate, and the vacation
// replies' once-per-sender memory that shares it, src/delivery/vacation.ts): each record carries
// its own expiry, and nothing else deletes them. An hourly timer removes what expired, in bounded
// batches so one tick never holds the store's writer for long.
import type { Logger } from "../log/logger.js";
import type { SieveStore } from "../store/types.js";

export interface DuplicateSweeperOptions {
  store: Pick<SieveStore, "sweepDuplicates">;
  log: Logger;
  /** Time between sweeps; default one hour. */
  intervalMs?: number;
  /** Rows removed per batch, and batches per tick. */
  batch?: number;
  maxBatches?: number;
}

/** Removes expired records, batch after batch, until a batch comes back short or maxBatches. */
export async function sweepExpiredDuplicates(
  opts: DuplicateSweeperOptions,
  now = new Date(),
): Promise<number> {
  const batch = opts.batch ?? 5000;
  let removed = 0;
  for (let i = 0; i < (opts.maxBatches ?? 20); i++) {
    const n = await opts.store.sweepDuplicates(now, batch);
    removed += n;
    if (n < batch) break;
  }
  return removed;
}

/** Starts the periodic sweep; returns the function that stops it. */
export function startDuplicateSweeper(opts: DuplicateSweeperOptions): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpiredDuplicates(opts)
      .then((n) => {
        if (n > 0) opts.log.info("sieve duplicate records expired", { removed: n });
      })
      .catch((error) => opts.log.warn("sieve duplicate sweep failed", { error }))
      .finally(() => {
        running = false;
      });
  }, opts.intervalMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
