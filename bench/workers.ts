// `--workers N` for the benches that run their own server in a child process (bench:pop3,
// bench:imap): that child becomes the supervisor of N workers (src/workers/supervisor.ts, as
// `yubin serve --workers N`), each running the bench's app on the shared listener and store, with
// the counters, locks and change events shared through the supervisor. With N = 1 nothing changes.
import cluster from "node:cluster";
import type { App, AppDeps } from "../src/app/start.js";
import { defaultConfig } from "../src/config/load.js";
import { silentLogger } from "../src/log/logger.js";
import { workerCoordination } from "../src/workers/coordination.js";
import { runSupervisor, workerIdentity } from "../src/workers/supervisor.js";

/**
 * Runs the bench's server: `start` builds one app (given what a worker shares with the others),
 * `announce` tells the bench its port (once, from the supervisor when there are workers).
 * SIGTERM stops it (all workers).
 */
export async function serveBench(opts: {
  workers: number;
  start: (deps: AppDeps) => Promise<App>;
  announce: (port: number) => void;
}): Promise<void> {
  if (opts.workers > 1 && cluster.isPrimary) {
    const settings = defaultConfig().workers;
    void runSupervisor({
      count: opts.workers,
      settings,
      graceMs: 10_000,
      log: silentLogger,
      onReady: (listeners) => opts.announce(listeners[0]!.port),
    }).then((code) => process.exit(code));
    return;
  }
  const me = workerIdentity();
  const shared = me ? workerCoordination({ timeoutMs: defaultConfig().workers.ipcTimeoutMs }) : null;
  const app = await opts.start(
    shared && me
      ? {
          notifier: shared.notifier,
          counters: shared.counters,
          locks: shared.locks,
          machineJobs: me.id === 1,
        }
      : {},
  );
  process.on("SIGTERM", () => {
    void app.stop().then(() => process.exit(0));
  });
  if (shared)
    shared.ready(
      app.listeners.map((r) => ({
        protocol: r.listener.protocol,
        address: r.listener.address,
        port: r.port,
        tls: r.listener.tls,
      })),
    );
  else opts.announce(app.listeners[0]!.port);
}
