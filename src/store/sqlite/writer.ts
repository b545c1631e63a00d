// Group commit: deliver/append/enqueue requests, flag changes, expunges, COPY/MOVE and mailbox
// writes (Ctx.grouped) are queued and committed together, one transaction (so one WAL fsync) for
// up to maxBatch of them, in submission order. Batching is natural: while a batch writes its blob
// files and commits, new requests accumulate and form the next batch.
// Each job runs in its own savepoint, so a failing job (over quota, unknown mailbox) rolls back
// only its own writes and rejects only its own promise. Promises resolve after the WAL's fsync,
// which runs off the main thread (wal-sync.ts): a resolved job is durable. A batch already queued
// // may commit while that fsync runs; acknowledgements still come in commit order. Between two
// batches it lets the checkpointer (checkpointer.ts) copy the WAL into the database file, off the
// main thread.
import type { Logger } from "../../log/logger.js";
import type { MailEvent } from "../notifier.js";
import { type Db, DEFAULT_BUSY_TIMEOUT_MS } from "./db.js";
import type { WalSync } from "./wal-sync.js";
import { lockRetryWait, WriteLock } from "./write-lock.js";

export interface JobOutput<T> {
  value: T;
  events?: MailEvent[];
  /** Called right after the COMMIT that made the job's writes visible (before their fsync), in
   *  job order, only if the job's savepoint and the COMMIT succeeded: for in-memory copies of what
   *  it changed (flag-list.ts), which must follow the database, never run ahead of it. */
  committed?(): void;
}

export interface WriteJob<T> {
  /** Before the transaction (blob files). A failure rejects only this job. */
  prepare?(): Promise<void>;
  /** Inside the batch transaction, in a savepoint. Synchronous: no await may split a transaction. */
  run(): JobOutput<T>;
  /** Always called once the job is settled (committed, rolled back or failed to prepare). */
  finish?(): void;
}

interface Pending {
  job: WriteJob<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

type Outcome = { ok: true; out: JobOutput<unknown> } | { ok: false; error: unknown };

export interface WriterOptions {
  maxBatch: number;
  log: Logger;
  /** After each commit and its fsync: publish events, collect unreferenced blobs. */
  afterCommit(events: MailEvent[]): void;
  /** Right after each COMMIT, before its fsync, with the events the batch will publish once
   *  durable: for what must know of this process's writes as soon as readers see them. */
  committed?(events: MailEvent[]): void;
  /** Commits without fsync, then syncs the WAL asynchronously. */
  wal: WalSync;
  /** WAL checkpoints on another thread, run between two batches when due (checkpointer.ts). */
  checkpoint?: { due(): boolean; run(): Promise<void> };
  /** After each durable batch: its commit time (transaction and fsync) and the fsync's, in
   *  seconds (/metrics; the store knows no metrics, the server passes this in). */
  onCommit?(seconds: number, fsyncSeconds: number): void;
  /** How long a batch waits for another process's write lock, the event loop free meanwhile
   *  (write-lock.ts); the connection's busy timeout (default 5,000 ms). */
  busyTimeoutMs?: number;
}

/** Below this many queued jobs, the writer waits one more event-loop turn before committing. */
const SMALL_BATCH = 8;

export class GroupCommitWriter {
  private queue: Pending[] = [];
  /** Steps for the next batch with no promise nor savepoint of their own (submitTail). */
  private tails: (() => void)[] = [];
  private draining: Promise<void> | null = null;
  // Acknowledgements of the newest committed batch and of the one before it. A batch already
  // queued may COMMIT while the previous batch's fsync is still on the thread pool (the main
  // thread and the disk work at once), but no further ahead than that.
  private newest: Promise<void> = Promise.resolve();
  private previous: Promise<void> = Promise.resolve();
  private readonly jobTx;
  private readonly lock: WriteLock;
  private readonly commitStmt;
  private readonly rollbackStmt;
  /** Batches committed and jobs in them, for tests and the benchmark. */
  readonly stats = { batches: 0, jobs: 0 };

  constructor(
    private readonly db: Db,
    private readonly opts: WriterOptions,
  ) {
    // Called inside the batch's transaction, a better-sqlite3 transaction is a SAVEPOINT,
    // rolled back if run() throws.
    this.jobTx = db.transaction((job: WriteJob<unknown>) => job.run());
    this.lock = new WriteLock(db, opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    this.commitStmt = db.prepare("COMMIT");
    this.rollbackStmt = db.prepare("ROLLBACK");
  }

  /** The batch in one transaction, or null when another connection holds the write lock
   *  (nothing run). A throw (the COMMIT failed) leaves no transaction open. */
  private tryBatch(jobs: WriteJob<unknown>[], tails: (() => void)[]): Outcome[] | null {
    if (!this.lock.tryBegin()) return null;
    let outcomes: Outcome[];
    try {
      outcomes = jobs.map((job): Outcome => {
        try {
          return { ok: true, out: this.jobTx(job) };
        } catch (error) {
          return { ok: false, error };
        }
      });
      for (const tail of tails) {
        // A failing statement undoes only itself (SQLite's statement journal); the batch goes on.
        try {
          tail();
        } catch (error) {
          this.opts.log.warn("group commit step failed", { error });
        }
      }
      this.commitStmt.run();
    } catch (error) {
      if (this.db.inTransaction) this.rollbackStmt.run();
      throw error;
    }
    // In the same synchronous step as the COMMIT: no read runs between the two.
    if (this.opts.committed) {
      const events: MailEvent[] = [];
      for (const o of outcomes) if (o.ok && o.out.events) events.push(...o.out.events);
      try {
        this.opts.committed(events);
      } catch (error) {
        this.opts.log.error("after-commit step failed", { error });
      }
    }
    for (const o of outcomes) {
      if (!o.ok || !o.out.committed) continue;
      try {
        o.out.committed();
      } catch (error) {
        this.opts.log.error("after-commit update of a job failed", { error });
      }
    }
    return outcomes;
  }

  /** tryBatch until the write lock is ours, waiting with the event loop free (write-lock.ts);
   *  after the busy timeout, the SQLITE_BUSY error. */
  private async runBatch(
    jobs: WriteJob<unknown>[],
    tails: (() => void)[],
  ): Promise<{ outcomes: Outcome[]; txMs: number }> {
    const waitStarted = performance.now();
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const outcomes = this.opts.wal.withoutFsync(() => this.tryBatch(jobs, tails));
      if (outcomes) return { outcomes, txMs: performance.now() - started };
      if (performance.now() - waitStarted >= this.lock.busyTimeoutMs) {
        const busy = new Error("database is locked") as Error & { code: string };
        busy.code = "SQLITE_BUSY";
        throw busy;
      }
      await lockRetryWait(attempt);
    }
  }

  submit<T>(job: WriteJob<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, resolve: resolve as (v: unknown) => void, reject });
      this.draining ??= this.drain();
    });
  }

  /**
   * `step` runs inside the next batch's transaction after its jobs, with no savepoint, promise or
   * outcome of its own: for small writes nobody waits for (\Recent claims, recent.ts), which as
   * jobs cost a SAVEPOINT, a RELEASE and a promise each. A throw is logged and undoes only the
   * failing statement; a batch whose COMMIT fails loses its steps.
   */
  submitTail(step: () => void): void {
    this.tails.push(step);
    this.draining ??= this.drain();
  }

  /** Resolves when every job submitted so far is settled. */
  async idle(): Promise<void> {
    // A drain ends only once its last batch is acknowledged (it waits for it when nothing is queued).
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    for (;;) {
      // Let callers whose promises just resolved submit their next request into this batch.
      await new Promise<void>((r) => setImmediate(r));
      // A small batch gets one more turn of the event loop, for requests already read from
      // sockets: fewer, bigger commits (IMAP mixed load: +8 %, for a few microseconds of latency).
      if (this.queue.length < SMALL_BATCH) await new Promise<void>((r) => setImmediate(r));
      const batch = this.queue.splice(0, this.opts.maxBatch);
      await this.previous;
      const tails = this.tails.splice(0);
      let committed: Committed | null = null;
      try {
        committed = await this.commit(batch, tails);
      } catch (error) {
        // commit() settles what it refuses itself; this is a last guard so no promise is left hanging.
        this.opts.log.error("group commit writer failed", { error });
        for (const p of batch) p.reject(error);
      }
      this.previous = this.newest;
      this.newest = this.acknowledge(committed, this.newest);
      // Before the next batch, so that nothing is appended to the WAL while it is copied.
      if (this.opts.checkpoint?.due()) await this.opts.checkpoint.run();
      // Nothing waiting: wait for this fsync, so that what arrives meanwhile forms one batch.
      // Committing it at once instead halved the batches and cost more CPU per job than the
      // overlap saved (IMAP mixed load, 2 cores: -5 %). Jobs already queued do not wait.
      if (this.queue.length === 0 && this.tails.length === 0) await this.newest;
      // Cleared in the same synchronous step that sees the queue empty, so a job submitted
      // afterwards always starts a new drain.
      if (this.queue.length === 0 && this.tails.length === 0) {
        this.draining = null;
        return;
      }
    }
  }

  /** Prepares the jobs and commits those prepared, in one transaction, without fsync. */
  private async commit(batch: Pending[], tails: (() => void)[]): Promise<Committed | null> {
    const prepared = await Promise.allSettled(batch.map((p) => p.job.prepare?.()));
    const live: Pending[] = [];
    batch.forEach((p, i) => {
      const r = prepared[i]!;
      if (r.status === "fulfilled") live.push(p);
      else settle(p, { ok: false, error: r.reason });
    });
    if (live.length === 0 && tails.length === 0) return null;
    try {
      const { outcomes, txMs } = await this.runBatch(
        live.map((p) => p.job),
        tails,
      );
      return { live, outcomes, txMs };
    } catch (error) {
      // The COMMIT itself failed (disk full, I/O error): nothing of the batch is stored.
      this.opts.log.error("group commit failed", { error, jobs: live.length });
      for (const p of live) settle(p, { ok: false, error });
      return null;
    }
  }

  /**
   * fsyncs the WAL, then, once the batch committed before (`before`) is acknowledged, publishes
   * the batch's events and settles its jobs: acknowledgements keep the commit order. Never rejects.
   */
  private async acknowledge(c: Committed | null, before: Promise<void>): Promise<void> {
    if (c === null) return before;
    let failure: { error: unknown } | null = null;
    try {
      const started = performance.now();
      await this.opts.wal.sync();
      const fsyncMs = performance.now() - started;
      this.opts.onCommit?.((c.txMs + fsyncMs) / 1000, fsyncMs / 1000);
    } catch (error) {
      // Committed but maybe not on disk: not acknowledged, so senders retry (a duplicate at
      // worst, never a loss).
      this.opts.log.error("WAL fsync failed after group commit", { error, jobs: c.live.length });
      failure = { error };
    }
    await before;
    if (failure) {
      for (const p of c.live) settle(p, { ok: false, error: failure.error });
      return;
    }
    this.stats.batches++;
    this.stats.jobs += c.live.length;
    const events: MailEvent[] = [];
    for (const o of c.outcomes) if (o.ok && o.out.events) events.push(...o.out.events);
    try {
      this.opts.afterCommit(events);
    } catch (error) {
      this.opts.log.error("after-commit step failed", { error });
    }
    c.live.forEach((p, i) => {
      settle(p, c.outcomes[i]!);
    });
  }
}

interface Committed {
  live: Pending[];
  outcomes: Outcome[];
  /** The transaction's time, without the fsync. */
  txMs: number;
}

function settle(p: Pending, o: Outcome): void {
  try {
    p.job.finish?.();
  } finally {
    if (o.ok) p.resolve(o.out.value);
    else p.reject(o.error);
  }
}
