// Imports started from the admin pages, run in the background inside the server process with the
// same engine as `yubin import` (engine.ts): at most one per account (two imports filling one
// account would race for its mailboxes' UIDs and the quota) and at most `maxRunning` at once.
// Each job keeps its latest progress and, when it ends, its summary or the reason it stopped;
// the last `keepFinished` finished jobs are kept for the page, in memory (a restart forgets them;
// the mail they filed and their resume cursors are in the store, so starting the same import
// again continues where it stopped).
// Secrets: a job holds no password. The spec's open() closes over it; once the source is open
// the spec is dropped, and the job's label names only host, port, user or path.
// Stopping (server shutdown): each source is wrapped so its next message throws ImportStopped;
// the engine has filed whole batches only (batch and cursor in one transaction), so nothing is
// half-imported and a later run resumes.
import { type ImportOptions, ImportQuotaError, runImport } from "./engine.js";
import type { ImportProgress, ImportSource, ImportSummary, SourceFolder } from "./types.js";

export type ImportJobKind = "imap" | "maildir" | "mbox";

export interface ImportJobSpec {
  accountId: number;
  address: string;
  kind: ImportJobKind;
  /** What is imported, without secrets: "imap ann@imap.example.com:993", a path. */
  label: string;
  /** Who started it (the admin's address), for the page and the log. */
  startedBy: string;
  dedupe: boolean;
  open(): Promise<ImportSource>;
}

export type ImportJobState = "running" | "done" | "failed" | "stopped";

export interface ImportJob {
  id: number;
  accountId: number;
  address: string;
  kind: ImportJobKind;
  label: string;
  startedBy: string;
  state: ImportJobState;
  startedAt: Date;
  endedAt: Date | null;
  progress: ImportProgress | null;
  /** When it ended normally, or with over-quota (what was filed before). */
  summary: ImportSummary | null;
  /** Why it stopped (failed/stopped). */
  error: string | null;
}

export class ImportJobError extends Error {
  constructor(
    readonly code: "account-busy" | "too-many" | "stopping",
    message: string,
  ) {
    super(message);
    this.name = "ImportJobError";
  }
}

class ImportStopped extends Error {
  constructor() {
    super("the server is stopping; start the import again to continue where it stopped");
    this.name = "ImportStopped";
  }
}

export interface ImportJobsOptions {
  /** The store the engine files into (runImport's target). */
  store: Parameters<typeof runImport>[0];
  maxRunning: number;
  keepFinished: number;
  /** Engine options every job gets (maxMessageBytes: [imap] appendLimit). */
  engine?: Pick<ImportOptions, "maxMessageBytes" | "batchMessages" | "batchBytes">;
  /** Called when a job ends (the server logs it). */
  onEnd?(job: Readonly<ImportJob>): void;
}

export class ImportJobs {
  private nextId = 1;
  private readonly jobs: ImportJob[] = [];
  private readonly running = new Map<number, Promise<void>>();
  private readonly sources = new Map<number, ImportSource>();
  private stopping = false;
  /** Rejects with ImportStopped when stop() is called: a source still opening is not waited for. */
  private readonly stopped: Promise<never>;
  private signalStop: (e: Error) => void = () => {};

  constructor(private readonly opts: ImportJobsOptions) {
    this.stopped = new Promise<never>((_, reject) => {
      this.signalStop = reject;
    });
    this.stopped.catch(() => {});
  }

  /** Starts a job in the background; ImportJobError when the account already has one running,
   *  when maxRunning are running, or when the server is stopping. */
  start(spec: ImportJobSpec): ImportJob {
    if (this.stopping) throw new ImportJobError("stopping", "The server is stopping.");
    const busy = this.jobs.find((j) => j.state === "running" && j.accountId === spec.accountId);
    if (busy)
      throw new ImportJobError(
        "account-busy",
        `An import into ${spec.address} is already running (#${busy.id}).`,
      );
    if (this.running.size >= this.opts.maxRunning)
      throw new ImportJobError(
        "too-many",
        `${this.running.size} imports are running, the most at once ([import] maxRunning); try again when one has ended.`,
      );
    const job: ImportJob = {
      id: this.nextId++,
      accountId: spec.accountId,
      address: spec.address,
      kind: spec.kind,
      label: spec.label,
      startedBy: spec.startedBy,
      state: "running",
      startedAt: new Date(),
      endedAt: null,
      progress: null,
      summary: null,
      error: null,
    };
    this.jobs.unshift(job);
    const run = this.run(job, spec).finally(() => {
      this.running.delete(job.id);
      this.forgetOld();
      this.opts.onEnd?.(job);
    });
    this.running.set(job.id, run);
    return job;
  }

  /** Newest first. */
  list(): readonly Readonly<ImportJob>[] {
    return this.jobs;
  }

  get(id: number): Readonly<ImportJob> | null {
    return this.jobs.find((j) => j.id === id) ?? null;
  }

  /** Ends every running job at its next message and waits for them (server shutdown); a job
   *  still running after `graceMs` (a source waiting on a slow server) has its source closed. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    this.signalStop(new ImportStopped());
    const all = Promise.all(this.running.values());
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((r) => {
      timer = setTimeout(() => r("late"), graceMs);
    });
    if ((await Promise.race([all, late])) === "late")
      for (const s of this.sources.values()) await s.close().catch(() => {});
    clearTimeout(timer);
    await all;
  }

  private async run(job: ImportJob, spec: ImportJobSpec): Promise<void> {
    let source: ImportSource | null = null;
    try {
      const opening = spec.open();
      // Opened after a stop: closed at once, not used.
      opening.then((s) => (this.stopping ? s.close() : undefined)).catch(() => {});
      source = await Promise.race([opening, this.stopped]);
      this.sources.set(job.id, source);
      job.summary = await runImport(this.opts.store, job.accountId, this.stoppable(source), {
        ...this.opts.engine,
        dedupe: spec.dedupe,
        onProgress: (p) => {
          job.progress = p;
        },
      });
      job.state = "done";
    } catch (e) {
      job.state = e instanceof ImportStopped ? "stopped" : "failed";
      job.error = e instanceof Error ? e.message : String(e);
      if (e instanceof ImportQuotaError) job.summary = e.summary;
    } finally {
      job.endedAt = new Date();
      this.sources.delete(job.id);
      await source?.close().catch(() => {});
    }
  }

  /** The source, throwing ImportStopped at the next folder or message once stop() is called. */
  private stoppable(source: ImportSource): ImportSource {
    const check = () => {
      if (this.stopping) throw new ImportStopped();
    };
    return {
      id: source.id,
      close: () => source.close(),
      async *folders() {
        for await (const folder of source.folders()) {
          check();
          // The folder's own fields (plain or getters) through the prototype; messages() wrapped.
          const wrapped: SourceFolder = Object.create(folder);
          wrapped.messages = async function* (after) {
            for await (const m of folder.messages(after)) {
              check();
              yield m;
            }
          };
          yield wrapped;
        }
      },
    };
  }

  private forgetOld(): void {
    let finished = 0;
    for (let i = 0; i < this.jobs.length; i++) {
      if (this.jobs[i]!.state === "running") continue;
      if (++finished > this.opts.keepFinished) this.jobs.splice(i--, 1);
    }
  }
}
