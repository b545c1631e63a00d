// `yubin serve --workers N`: the supervisor process. It serves nothing itself: it starts N worker
// processes (Node's cluster module), each running the whole app on the same listeners (cluster
// shares the listening sockets: with round-robin scheduling the supervisor accepts and hands each
// connection to the next worker) and the same store (SQLite: one data directory, which the store
// already shares between processes; PostgreSQL: a pool each).
// Invariants:
// - A worker that dies is started again after restartDelayMs, doubled for each further death
//   within restartWindowSec; restartMax deaths within the window is a crash loop: that slot is not
//   started again (said in the log as an error), the others go on; with none left, it exits 1.
// - A worker that dies before all are first ready is a failed start: all stop, exit 1.
// - SIGTERM/SIGINT: every worker gets SIGTERM and stops as one process would (listeners closed,
//   in-flight transactions given server.shutdownGraceSec); a worker not gone by then and 10 s
//   more is killed. Exit 0 when every worker stopped by itself.
// - SIGHUP (certificate reload) goes to every worker.
// - Without Redis the supervisor holds the counters and locks and relays change events (hub.ts).
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "../log/logger.js";
import type { WorkersConfig } from "./config.js";
import { workerExecArgv } from "./exec-argv.js";
import { CoordinationHub } from "./hub.js";
import { isOurs, type ReadyListener, type ToSupervisor } from "./messages.js";
import { unbatch, type Wire } from "./outbox.js";

/** Set in each worker's environment: its slot (1..N) and N. */
export const WORKER_ENV = "YUBIN_WORKER";
export const WORKERS_ENV = "YUBIN_WORKERS";
const KILL_AFTER_GRACE_MS = 10_000;

export interface SupervisorOptions {
  count: number;
  settings: WorkersConfig;
  /** server.shutdownGraceSec, in ms: how long a stopping worker's sessions may take. */
  graceMs: number;
  log: Logger;
  /** Once every worker is first ready, with the listeners the first one opened. */
  onReady?(listeners: ReadyListener[]): void;
}

interface Slot {
  id: number;
  worker: Worker | null;
  ready: boolean;
  deaths: number[];
  gaveUp: boolean;
  restart: NodeJS.Timeout | null;
}

/** Runs until a signal stops every worker (or none is left); resolves with the exit code. */
export function runSupervisor(opts: SupervisorOptions): Promise<number> {
  const { log, settings } = opts;
  cluster.schedulingPolicy = settings.scheduling === "round-robin" ? cluster.SCHED_RR : cluster.SCHED_NONE;
  cluster.setupPrimary({
    execArgv: workerExecArgv({
      execArgv: process.execArgv,
      workers: opts.count,
      budget: settings.tierUpBudget,
    }),
  });
  const hub = new CoordinationHub(log, undefined, {
    metricsTimeoutMs: Math.floor(settings.ipcTimeoutMs * 0.8),
  });
  const slots: Slot[] = Array.from({ length: opts.count }, (_, i) => ({
    id: i + 1,
    worker: null,
    ready: false,
    deaths: [],
    gaveUp: false,
    restart: null,
  }));
  let started = false; // every worker was ready once
  let stopping = false;
  let failed = false;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  const live = () => slots.filter((s) => s.worker !== null);

  const fork = (slot: Slot) => {
    slot.restart = null;
    slot.ready = false;
    const w = cluster.fork({ [WORKER_ENV]: String(slot.id), [WORKERS_ENV]: String(opts.count) });
    slot.worker = w;
    log.info("worker started", { worker: slot.id, pid: w.process.pid });
    hub.attach(slot.id, (m) => {
      if (w.isConnected()) w.send(m, undefined, () => {});
    });
    w.on("message", (wire: unknown) => {
      if (!isOurs<Wire<ToSupervisor>>(wire)) return;
      for (const m of unbatch(wire)) {
        if (m.yubin === "ready") onReady(slot, w, m.listeners);
        else hub.receive(slot.id, m);
      }
    });
    w.on("exit", (code, signal) => onExit(slot, w, code, signal));
  };

  const onReady = (slot: Slot, w: Worker, listeners: ReadyListener[]) => {
    slot.ready = true;
    log.info("worker ready", { worker: slot.id, pid: w.process.pid });
    if (!started && slots.every((s) => s.ready)) {
      started = true;
      opts.onReady?.(listeners);
      log.info("ready", { workers: opts.count, listeners: listeners.length });
    }
  };

  const onExit = (slot: Slot, w: Worker, code: number | null, signal: string | null) => {
    if (slot.worker !== w) return;
    slot.worker = null;
    slot.ready = false;
    hub.detach(slot.id);
    if (stopping) {
      if (code !== 0) failed = true;
      log.info("worker stopped", { worker: slot.id, pid: w.process.pid, code, signal });
      if (live().length === 0) finish(failed ? 1 : 0);
      return;
    }
    log.error("worker died", {
      worker: slot.id,
      pid: w.process.pid,
      code,
      signal,
      why: signal ? `killed by ${signal}` : `exited with code ${code}`,
    });
    if (!started) {
      log.error("a worker failed to start; stopping all", { worker: slot.id });
      failed = true;
      void stop("start failed");
      return;
    }
    const now = Date.now();
    slot.deaths = [...slot.deaths.filter((t) => t > now - settings.restartWindowSec * 1000), now];
    if (slot.deaths.length >= settings.restartMax) {
      slot.gaveUp = true;
      log.error("worker crash loop: not started again", {
        worker: slot.id,
        deaths: slot.deaths.length,
        windowSec: settings.restartWindowSec,
      });
      if (slots.every((s) => s.gaveUp)) {
        log.error("no worker left; the supervisor ends");
        stopping = true;
        finish(1);
      }
      return;
    }
    const delayMs = Math.min(
      settings.restartDelayMs * 2 ** (slot.deaths.length - 1),
      settings.restartDelayMaxMs,
    );
    log.info("worker restarting", { worker: slot.id, inMs: delayMs });
    slot.restart = setTimeout(() => fork(slot), delayMs);
  };

  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal: why, workers: live().length });
    for (const s of slots) if (s.restart) clearTimeout(s.restart);
    const running = live();
    if (running.length === 0) {
      finish(failed ? 1 : 0);
      return;
    }
    for (const s of running) s.worker?.process.kill("SIGTERM");
    // A worker stuck past its grace period is killed: the shutdown must end.
    const killer = setTimeout(() => {
      for (const s of live()) {
        log.error("worker did not stop in time; killed", { worker: s.id, pid: s.worker?.process.pid });
        failed = true;
        s.worker?.process.kill("SIGKILL");
      }
    }, opts.graceMs + KILL_AFTER_GRACE_MS);
    killer.unref();
  };

  const onSignal = (sig: NodeJS.Signals) => void stop(sig);
  const onHup = () => {
    log.info("reloading TLS certificates in every worker");
    for (const s of live()) s.worker?.process.kill("SIGHUP");
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  process.on("SIGHUP", onHup);
  for (const s of slots) fork(s);
  return done.finally(() => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    process.off("SIGHUP", onHup);
  });
}

/** This process's slot when it is one of the supervisor's workers, else null. */
export function workerIdentity(): { id: number; count: number } | null {
  if (!cluster.isWorker) return null;
  const id = Number(process.env[WORKER_ENV]);
  const count = Number(process.env[WORKERS_ENV]);
  return Number.isSafeInteger(id) && id >= 1 ? { id, count: Number.isSafeInteger(count) ? count : id } : null;
}
