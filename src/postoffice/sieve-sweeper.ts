// Forgetting expired records of the Sieve duplicate memory (RFC 7352 duplicate, and the vacation
// replies' once-per-sender memory that shares it, src/delivery/vacation.ts): each record carries
// its own expiry, and nothing else deletes them. An hourly timer removes what expired, in bounded
// batches so one tick never holds the store's writer for long.
import type { Logger } from "../log/logger.js";
import { startSweepTimer, sweepInBatches } from "../server/sweep-timer.js";
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
export function sweepExpiredDuplicates(opts: DuplicateSweeperOptions, now = new Date()): Promise<number> {
  return sweepInBatches(
    (limit) => opts.store.sweepDuplicates(now, limit),
    opts.batch ?? 5000,
    opts.maxBatches ?? 20,
  );
}

/** Starts the periodic sweep; returns the function that stops it. */
export function startDuplicateSweeper(opts: DuplicateSweeperOptions): () => void {
  return startSweepTimer(() => sweepExpiredDuplicates(opts), {
    log: opts.log,
    intervalMs: opts.intervalMs,
    removedNote: "sieve duplicate records expired",
    failedNote: "sieve duplicate sweep failed",
  });
}
