// A worker's side of /status for the whole server (serve --workers N): it answers the
// supervisor's asks with its own report, and a /status request that reaches it gathers every
// worker's through the supervisor (the same gathering as /metrics: metrics-gather.ts), which
// src/metrics/monitoring.ts combines. A worker whose app is still starting answers null: it is
// counted as not ready, not waited for.
import type { StatusSharing, WorkerStatus } from "../metrics/monitoring.js";
import type { IpcChannel } from "./ipc-channel.js";

export class IpcStatus implements StatusSharing {
  constructor(
    private readonly channel: IpcChannel,
    readonly worker: number,
  ) {}

  provide(own: () => Promise<WorkerStatus>): void {
    this.channel.onStatusAsk(own);
  }

  async gather(): Promise<WorkerStatus[]> {
    const all = (await this.channel.call("status.gather")) as (WorkerStatus | null)[];
    return all.map((s, i) => s ?? starting(i));
  }
}

/** A worker that answered without a report: not ready. Its number is not known here (the
 *  supervisor numbers workers); it is placed after every real one. */
function starting(i: number): WorkerStatus {
  return {
    worker: 1000 + i,
    pid: 0,
    startedAt: "",
    notReady: "starting",
    uncaughtErrors: 0,
    loopBlocks: 0,
    recentErrors: [],
    listeners: [],
  };
}
