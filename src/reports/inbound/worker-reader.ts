// Reading reports on a thread of their own (read-worker.ts), one at a time, so that a large
// report costs CPU on that thread and never stalls the event loop. The thread starts with the
// first report, ends after a quiet minute, is given a heap cap (a report that needs more ends
// the thread, is dropped and logged; the next report gets a new thread) and a time limit.
import { Worker } from "node:worker_threads";
import type { ReceivedReport } from "../../store/types.js";
import { UnpackError } from "./decompress.js";
import { ReportParseError } from "./errors.js";
import type { ReportPayload } from "./extract.js";
import type { ReadLimits } from "./read.js";
import type { ReadRequest, ReadResponse } from "./read-worker.js";

export interface ReportReader {
  read(payload: ReportPayload, limits: ReadLimits): Promise<ReceivedReport>;
  close(): Promise<void>;
}

const loader = new URL("../../../scripts/ts-loader/register.mjs", import.meta.url).href;
const workerUrl = new URL("./read-worker.ts", import.meta.url).href;
// Worker threads do not inherit the TypeScript loader: the thread registers it, then loads the reader.
const BOOT = `import(${JSON.stringify(loader)}).then(() => import(${JSON.stringify(workerUrl)}));`;

export interface WorkerReaderOptions {
  /** Longest one report may take. */
  timeoutMs: number;
  /** The thread's heap cap (V8 old generation), in MiB. */
  heapMb: number;
  /** Ends the thread after this long without work. */
  idleMs?: number;
}

export class WorkerReportReader implements ReportReader {
  private worker: Worker | null = null;
  private seq = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: WorkerReaderOptions) {}

  async read(payload: ReportPayload, limits: ReadLimits): Promise<ReceivedReport> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const w = this.thread();
    const seq = ++this.seq;
    try {
      return await new Promise<ReceivedReport>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          void this.kill();
          reject(new Error(`reading the report took longer than ${this.o.timeoutMs} ms`));
        }, this.o.timeoutMs);
        const onMessage = (res: ReadResponse) => {
          if (res.seq !== seq) return;
          cleanup();
          if (res.ok) resolve(res.report);
          else if (res.cls === "unpack")
            reject(new UnpackError(res.reason as UnpackError["reason"], res.message));
          else if (res.cls === "parse")
            reject(new ReportParseError(res.reason as ReportParseError["reason"], res.message));
          else reject(new Error(res.message));
        };
        const onExit = (code: number) => {
          cleanup();
          this.worker = null;
          reject(new Error(`the report reader thread ended (exit ${code}; out of memory?)`));
        };
        const onError = (e: Error) => {
          cleanup();
          this.worker = null;
          reject(new Error(`the report reader thread failed: ${e.message}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          w.off("message", onMessage);
          w.off("exit", onExit);
          w.off("error", onError);
        };
        w.on("message", onMessage);
        w.on("exit", onExit);
        w.on("error", onError);
        w.postMessage({ seq, payload, limits } satisfies ReadRequest);
      });
    } finally {
      this.idleTimer = setTimeout(() => void this.kill(), this.o.idleMs ?? 60_000);
      this.idleTimer.unref();
    }
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    await this.kill();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(BOOT, { eval: true, resourceLimits: { maxOldGenerationSizeMb: this.o.heapMb } });
    w.unref();
    // A crash between reports: the next one starts a new thread.
    w.on("error", () => {});
    w.on("exit", () => {
      if (this.worker === w) this.worker = null;
    });
    this.worker = w;
    return w;
  }

  private async kill(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
