// Keeping the spam models bounded: every training adds up to 3,000 token rows to the global model
// and to the user's, and nothing else removes one, so without this the table, the database and
// the scoring's lookups grow for as long as users train. An hourly timer cuts each model over its
// cap ([spam] maxTokensGlobal, maxTokensPerUser) back to it, least useful tokens first
// (SpamExpiryStore.expireTokens), in batches: on SQLite a batch is one synchronous job of the
// writer, so its size bounds how long it holds the event loop (docs/ARCHITECTURE.md, "Spam state:
// token expiry", measured at 1,000,000 rows). Every process runs it, as the greylist sweep: the
// store re-reads each model's count under its lock, so concurrent sweeps never cut below a cap.
import type { Logger } from "../../log/logger.js";
import { startSweepTimer, sweepInBatches } from "../../server/sweep-timer.js";
import type { SpamExpiryStore, SpamTokenCaps } from "../../store/types.js";

/** The store's largest cap: what a config cap of 0 ("no limit") becomes. */
const NO_LIMIT = 1_000_000_000;

export interface ExpiryOptions {
  store: SpamExpiryStore;
  log: Logger;
  /** [spam] maxTokensGlobal and maxTokensPerUser; 0 is no limit. */
  maxTokensGlobal: number;
  maxTokensPerUser: number;
  /** Time between sweeps; default one hour. */
  intervalMs?: number;
  /** Rows removed per batch (default 500: ~7 ms of CPU on SQLite at 1,000,000 rows, all of it
   *  holding the event loop; ~10 ms of PostgreSQL's), and batches per tick (default 2,000: up to
   *  a million rows an hour, a corpus import's excess in one tick, the loop free between). */
  batch?: number;
  maxBatches?: number;
}

/** The caps as the store takes them, or null when neither model is limited. */
export function tokenCaps(
  opts: Pick<ExpiryOptions, "maxTokensGlobal" | "maxTokensPerUser">,
): SpamTokenCaps | null {
  if (opts.maxTokensGlobal === 0 && opts.maxTokensPerUser === 0) return null;
  return {
    global: opts.maxTokensGlobal === 0 ? NO_LIMIT : opts.maxTokensGlobal,
    perUser: opts.maxTokensPerUser === 0 ? NO_LIMIT : opts.maxTokensPerUser,
  };
}

/** Cuts the models over their cap, batch after batch, until a batch comes back short or
 *  maxBatches; the batches share `now`, so the store records them as one expiry. */
export async function expireTokens(opts: ExpiryOptions, now = new Date()): Promise<number> {
  const caps = tokenCaps(opts);
  if (caps === null) return 0;
  return sweepInBatches(
    (limit) => opts.store.expireTokens(caps, limit, now),
    opts.batch ?? 500,
    opts.maxBatches ?? 2000,
  );
}

/** Starts the periodic sweep (none when neither model is limited); returns what stops it. */
export function startTokenExpiry(opts: ExpiryOptions): () => void {
  if (tokenCaps(opts) === null) return () => {};
  return startSweepTimer(() => expireTokens(opts), {
    log: opts.log,
    intervalMs: opts.intervalMs,
    removedNote: "spam tokens expired",
    failedNote: "spam token expiry failed",
  });
}
