// What a worker of `serve --workers N` shares with the others through the supervisor when no
// Redis is configured: the change notifier, the counters and the locks (hub.ts holds them), and
// every worker's metrics for a /metrics scrape (metrics-gather.ts) and report for /status.

import type { StatusSharing } from "../metrics/monitoring.js";
import type { MetricsSharing } from "../metrics/shared.js";
import type { CounterStore } from "../store/counters.js";
import type { LockService } from "../store/locks.js";
import type { ChangeNotifier } from "../store/notifier.js";
import { IpcChannel, type Port, processPort } from "./ipc-channel.js";
import { IpcCounters } from "./ipc-counters.js";
import { IpcLocks } from "./ipc-locks.js";
import { IpcMetrics } from "./ipc-metrics.js";
import { IpcNotifier } from "./ipc-notifier.js";
import { IpcStatus } from "./ipc-status.js";
import type { ReadyListener } from "./messages.js";

export interface WorkerCoordination {
  notifier: ChangeNotifier;
  counters: CounterStore;
  locks: LockService;
  /** /metrics answers for every worker (src/metrics/shared.ts). */
  metrics: MetricsSharing;
  /** /status answers for every worker (src/metrics/monitoring.ts). */
  status: StatusSharing;
  /** Tell the supervisor this worker serves. */
  ready(listeners: ReadyListener[]): void;
}

export function workerCoordination(opts: {
  timeoutMs: number;
  port?: Port;
  /** This worker's number, for its /status report (default 1). */
  worker?: number;
}): WorkerCoordination {
  const channel = new IpcChannel(opts.port ?? processPort(), opts.timeoutMs);
  return {
    notifier: new IpcNotifier(channel),
    counters: new IpcCounters(channel),
    locks: new IpcLocks(channel),
    metrics: new IpcMetrics(channel),
    status: new IpcStatus(channel, opts.worker ?? 1),
    ready: (listeners) => channel.send({ yubin: "ready", listeners }),
  };
}
