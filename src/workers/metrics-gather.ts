// The supervisor's part of a /metrics scrape with several workers (src/metrics/shared.ts says
// why): the worker the scrape reached calls "metrics.gather"; the supervisor asks every live
// worker (that one too) for its metrics and answers with all of them once each has sent its own.
// A worker that dies meanwhile is not waited for (its counts died with it, as one process's do
// when it restarts); one that does not answer within the timeout fails the scrape, naming it,
// rather than give counters that seem to go down. /status gathers every worker's report the same
// way (a second instance, asking "status.ask").
import type { ToWorker } from "./messages.js";
import type { Outbox } from "./outbox.js";

interface Gathering {
  waiting: Set<number>;
  got: unknown[];
  resolve(all: unknown[]): void;
  timer: NodeJS.Timeout;
}

export class MetricsGathering {
  private readonly pending = new Map<number, Gathering>();
  private nextId = 1;

  constructor(
    private readonly timeoutMs: number,
    /** What asks a worker (the same gathering serves /status: "status.ask"). */
    private readonly ask: (id: number) => ToWorker = (id) => ({ yubin: "metrics.ask", id }),
    private readonly what = "metrics",
  ) {}

  /** Asks every one of `workers` for its metrics; resolves with their answers. */
  gather(workers: ReadonlyMap<number, Outbox<ToWorker>>): Promise<unknown[]> {
    const id = this.nextId++;
    const waiting = new Set(workers.keys());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Error(
            `worker ${[...waiting].join(", ")} did not send its ${this.what} within ${this.timeoutMs} ms`,
          ),
        );
      }, this.timeoutMs);
      const g: Gathering = { waiting, got: [], resolve, timer };
      this.pending.set(id, g);
      for (const out of workers.values()) out.push(this.ask(id));
      this.settle(id, g); // no worker at all: nothing to wait for
    });
  }

  /** Worker `from`'s answer to gathering `id` (a late or repeated one is ignored). */
  answer(from: number, id: number, metrics: unknown): void {
    const g = this.pending.get(id);
    if (!g?.waiting.delete(from)) return;
    g.got.push(metrics);
    this.settle(id, g);
  }

  /** A worker is gone: no gathering waits for it. */
  gone(worker: number): void {
    for (const [id, g] of this.pending) if (g.waiting.delete(worker)) this.settle(id, g);
  }

  private settle(id: number, g: Gathering): void {
    if (g.waiting.size > 0) return;
    clearTimeout(g.timer);
    this.pending.delete(id);
    g.resolve(g.got);
  }
}
