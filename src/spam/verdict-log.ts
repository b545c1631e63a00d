// The spam filter's recent verdicts (the admin page's list, `yubin spam verdicts`), written in
// batches. A verdict is not acknowledged data: nobody waits for it, so it is kept in memory and
// written at most FLUSH_MS later (or as soon as BATCH records wait), all of them submitted in one
// turn so they share one group commit (src/store/sqlite/writer.ts), and written on stop.
// Why: written per message, the record was a job of its own in the group-commit writer, submitted
// during the filter stage, before the message's own delivery job; an idle writer committed it
// alone (a commit and an fsync more per message at low concurrency). Measured with bench:smtp
// (20 sessions, 3,000 × 4 KB, filter on, server CPU from /proc): 0.79 ms per message with the
// per-message write, 0.72 without any record (docs/ARCHITECTURE.md, "Spam filter cost").
import type { Logger } from "../log/logger.js";
import type { SpamStore, SpamVerdictRecord } from "../store/types.js";

/** Longest a verdict waits in memory before it is written. */
const FLUSH_MS = 500;
/** Verdicts waiting that start a write at once. */
const BATCH = 200;
/** Most verdicts held while a write is slow or failing: the oldest go first (the list only ever
 *  shows the newest). */
const MAX_PENDING = 2_000;

export interface VerdictLogOptions {
  spam: Pick<SpamStore, "recordVerdict">;
  /** The [spam] keepVerdicts: how many the store keeps; 0 records nothing. */
  keep: number;
  log: Logger;
}

export class VerdictLog {
  private pending: SpamVerdictRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;
  private stopped = false;

  constructor(private readonly opts: VerdictLogOptions) {}

  add(v: SpamVerdictRecord): void {
    if (this.opts.keep === 0) return;
    if (this.stopped) {
      // After stop (the store is closing): written alone, as before batching, or logged.
      this.pending.push(v);
      void this.flush();
      return;
    }
    this.pending.push(v);
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    if (this.pending.length >= BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  /** Writes what waits; resolves when it (and any earlier write) is done. Never rejects. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    const dropped = this.dropped;
    this.dropped = 0;
    if (dropped > 0) this.opts.log.warn("spam verdicts not recorded (writes too slow)", { dropped });
    if (batch.length === 0) return this.writing;
    // Submitted in the same turn: one batch of the group-commit writer.
    const written = Promise.allSettled(batch.map((v) => this.opts.spam.recordVerdict(v, this.opts.keep)));
    this.writing = Promise.all([this.writing, written]).then(([, results]) => {
      const failed = results.filter((r) => r.status === "rejected");
      if (failed.length > 0)
        this.opts.log.warn("spam verdicts not recorded", {
          count: failed.length,
          err: String((failed[0] as PromiseRejectedResult).reason?.message ?? failed[0]),
        });
    });
    return this.writing;
  }

  /** Writes what waits and stops the timer; later verdicts are written at once. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.flush();
  }
}
