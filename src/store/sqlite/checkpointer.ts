// WAL checkpoints off the main thread. A checkpoint copies the WAL's pages into the database file
// and fsyncs both. SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold,
// on the main thread, where the copy and the two fsyncs stall every session (about a quarter of
// the group commit's time under the IMAP mixed load). Instead the main connection turns automatic
// checkpoints off and the group-commit writer, between two batches, has a worker thread with its
// own connection run one (PASSIVE) when one is due. The writer waits for it before its next
// batch, so no frame is appended meanwhile: the checkpoint copies the whole WAL, and the next
// write starts the WAL over from its beginning instead of growing it. Reads go on during it;
// writes queue up and form a bigger batch. The thread starts at the first checkpoint, so a process
// that never group-commits (most CLI commands) never starts it. If it fails, the main connection
// goes back to automatic checkpoints.
import { Worker } from "node:worker_threads";
import type { Logger } from "../../log/logger.js";
import type { Db } from "./db.js";

/** SQLite's own default threshold (pages), restored when the thread is gone. */
const AUTO_CHECKPOINT_PAGES = 1000;
/** A WAL this long (64 MiB of 4 KiB pages, like journal_size_limit) gets a RESTART checkpoint,
 *  which waits for the other writers and readers, so the WAL is bounded. Also when PASSIVE copied
 *  it all: with another process writing, neither writer's BEGIN finds it wholly copied and free of
 *  readers, so it never starts over by itself (it grew to 618 MB in 20 s of IMAP load). */
const RESTART_AFTER_FRAMES = 16384;

interface Reply {
  log?: number;
  checkpointed?: number;
  error?: string;
}

export interface CheckpointerOptions {
  db: Db;
  dbPath: string;
  /** Least time between two checkpoints while writes go on. */
  intervalMs: number;
  busyTimeoutMs: number;
  log: Logger;
  /** WAL frames from which the next checkpoint is RESTART (default RESTART_AFTER_FRAMES). */
  restartAfterFrames?: number;
}

export class Checkpointer {
  private worker: Worker | null = null;
  private failed = false;
  private lastAt = Date.now();
  private pending: ((r: Reply) => void) | null = null;
  private restartNext = false;
  private stopped: Promise<void> | null = null;
  /** Checkpoints run, and how many of them were RESTART, for tests. */
  readonly stats = { runs: 0, restarts: 0 };

  constructor(private readonly opts: CheckpointerOptions) {
    opts.db.pragma("wal_autocheckpoint = 0");
  }

  private start(): Worker {
    const w = new Worker(new URL("./checkpoint-worker.js", import.meta.url), {
      workerData: { path: this.opts.dbPath, busyTimeoutMs: this.opts.busyTimeoutMs },
    });
    w.on("message", (r: Reply) => this.settle(r));
    w.on("error", (error) => this.fail("checkpoint thread failed", error));
    w.on("exit", () => this.fail("checkpoint thread exited"));
    return w;
  }

  /** True when the last checkpoint is at least intervalMs old (the writer has committed since). */
  due(now = Date.now()): boolean {
    return !this.failed && this.stopped === null && now - this.lastAt >= this.opts.intervalMs;
  }

  /** One checkpoint on the thread; never rejects (a failure is logged and the next one retries). */
  async run(): Promise<void> {
    if (this.failed || this.stopped || this.pending) return;
    this.worker ??= this.start();
    const worker = this.worker;
    // Referenced while a reply is awaited: nothing else may keep the process alive meanwhile.
    worker.ref();
    const reply = await new Promise<Reply>((resolve) => {
      this.pending = resolve;
      worker.postMessage(this.restartNext ? "restart" : "passive");
    });
    if (!this.stopped) worker.unref();
    this.lastAt = Date.now();
    if (reply.error) {
      this.opts.log.warn("background checkpoint failed", { error: reply.error });
      return;
    }
    this.stats.runs++;
    if (this.restartNext) this.stats.restarts++;
    this.restartNext = (reply.log ?? 0) >= (this.opts.restartAfterFrames ?? RESTART_AFTER_FRAMES);
  }

  /** Stops the thread (after a checkpoint in flight); the main connection checkpoints at close. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      const worker = this.worker;
      if (this.failed || !worker) return resolve();
      worker.ref(); // unreferenced, it would let the process exit before it stops
      worker.once("exit", () => resolve());
      worker.postMessage("stop");
    });
    return this.stopped;
  }

  private settle(r: Reply): void {
    const p = this.pending;
    this.pending = null;
    p?.(r);
  }

  private fail(message: string, error?: unknown): void {
    if (this.failed) return;
    this.failed = true;
    if (this.stopped === null) {
      this.opts.log.error(`${message}; automatic checkpoints on the main thread again`, { error });
      try {
        this.opts.db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
      } catch {}
    }
    this.settle({ error: message });
  }
}
