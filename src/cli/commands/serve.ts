// yubin serve [--workers N] — run the configured listeners until SIGTERM/SIGINT; SIGHUP reloads
// certificates. With N > 1 ([workers] count), this process becomes the supervisor of N worker
// processes (src/workers/supervisor.ts) and each worker comes back here to run the app.
//
// What runs where with several workers (decided per job):
// - every worker: the listeners (shared sockets), the delivery engine (queue claims are leases,
//   so several engines deliver each message once), the stats counters (each adds its own counts
//   to the stored ones), the daily report job (it claims each domain's day in the store), the
//   greylist and Sieve-memory sweepers (idempotent deletes), the spam token expiry (each model's
//   count re-read under its lock: never cut below its cap), the spam verdict log;
// - the first worker only: ACME renewals (the others follow the certificate it obtains, as a
//   process without HTTP listeners does) and the full-text indexer (the others leave what they
//   store to it: it hears of their writes by the foreign-write poll, and searches meanwhile scan
//   what is pending);
// - the supervisor, before any worker starts: the schema migrations and the first account (one
//   process, no race), and the sweep of orphaned body files (it then owns the data directory, so
//   no worker, started again later, sweeps files another worker is still writing).
import { join } from "node:path";
import { acmeEnabled } from "../../acme/enabled.js";
import { startApp } from "../../app/start.js";
import { openStore } from "../../app/stores.js";
import type { Config } from "../../config/schema.js";
import { createLogger, type Logger } from "../../log/logger.js";
import { surviveLostReader } from "../../log/output-sink.js";
import { ensureFirstAccount } from "../../server/bootstrap.js";
import { guardProcess } from "../../server/process-guard.js";
import { isStoreUnavailable, type StoreError } from "../../store/errors.js";
import { LocalNotifier } from "../../store/notifier.js";
import { claimOwnership } from "../../store/sqlite/owner.js";
import { uploadLimitsOf } from "../../store/uploads.js";
import { FileUploads, UPLOADS_DIR } from "../../store/uploads-files.js";
import { workerCoordination } from "../../workers/coordination.js";
import type { ReadyListener } from "../../workers/messages.js";
import { runSupervisor, workerIdentity } from "../../workers/supervisor.js";
import { intFlag, onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print } from "../env.js";
import { CliError, UsageError } from "../errors.js";

export async function serveCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, ["workers"]);
  // A server outlives whoever reads its output (a dead `tee`, a restarted journal): writes to a
  // lost stdout or stderr are dropped, never an uncaught error (src/log/output-sink.ts). The
  // logger guards stdout itself; stderr takes Node's warnings and the CLI's last words.
  surviveLostReader(process.stdout);
  surviveLostReader(process.stderr);
  const { config, created } = loadOrCreateConfig(env);
  const worker = workerIdentity();
  const count = intFlag(args, "workers") ?? config.workers.count;
  if (count < 1 || count > 256) throw new UsageError("--workers must be between 1 and 256");
  const log = createLogger(
    { level: config.log.level, format: config.log.format === "auto" ? undefined : config.log.format },
    worker ? { worker: worker.id } : {},
  );
  if (created) log.info("wrote a new config", { path: env.configPath });
  if (worker) return serveAsWorker(config, log, worker.id);
  try {
    if (count > 1) return await supervise(env, config, log, count);
    return await serveAlone(env, config, log);
  } catch (e) {
    // The database unreachable at start is the operator's to fix, not a bug: one line naming
    // where we looked (host:port only; the URL may hold a password), no stack. Exit 75 is
    // EX_TEMPFAIL (sysexits.h): a service manager may try again later.
    if (isStoreUnavailable(e)) throw new CliError(`cannot start: ${unreachableWhat(config, e)}`, 75);
    throw e;
  } finally {
    exitDespiteStalledOutput();
  }
}

/** How long a stopped server waits for a reader that is alive but not reading its output. */
const OUTPUT_GRACE_MS = 2000;

/** Once serve is over, what may still hold the process is output that a live reader does not
 *  read (a stalled journal, a paused pager): Node keeps a process with pending pipe writes alive
 *  until they are written, so a SIGTERM'd server never ended (measured: still alive 40 s after a
 *  completed stop). That reader gets OUTPUT_GRACE_MS, then the process exits with the code main()
 *  set. The timer is unref'd: with nothing pending, the process ends at once, as before. */
function exitDespiteStalledOutput(): void {
  setTimeout(() => process.exit(), OUTPUT_GRACE_MS).unref();
}

/** "the PostgreSQL database at host:port is unreachable (…)" for a store that failed to open. */
function unreachableWhat(config: Config, e: StoreError): string {
  const url = config.storage.postgresUrl || process.env.YUBIN_POSTGRES_URL || "";
  let where = "";
  try {
    const u = new URL(url);
    where = ` at ${u.hostname || "localhost"}:${u.port || "5432"}`;
  } catch {
    // not a URL we can name a host in: the message below still says why
  }
  const db = config.storage.backend === "postgres" ? `the PostgreSQL database${where}` : "the store";
  return `${db} is unreachable (${e.message})`;
}

async function serveAlone(env: CliEnv, config: Config, log: Logger): Promise<void> {
  // startApp opens the store with the notifier the sessions listen to (Redis's when configured).
  const app = await startApp(config, { log });
  const first = await ensureFirstAccount(app.ctx.store, config);
  // Started: from now on an error that escapes one request is logged and counted, not fatal
  // (before this line it still ends the process, as a failed start should).
  guardProcess(log, app.ctx.health);
  // Handlers first, then "ready": whoever waits for that line may signal at once.
  const stopped = onSignals(log, app);
  printBanner(env, config, listenersOf(app), first);
  log.info("ready", { listeners: app.listeners.length, roles: config.server.roles });
  await stopped;
}

/** One of the supervisor's workers: the same app, with what it shares with the others (through
 *  the supervisor, and JMAP uploads in the data directory; with [cluster] redisUrl set, startApp
 *  takes Redis's instead). */
async function serveAsWorker(config: Config, log: Logger, id: number): Promise<void> {
  try {
    const shared = workerCoordination({ timeoutMs: config.workers.ipcTimeoutMs, worker: id });
    const { notifier, counters, locks } = shared;
    const app = await startApp(config, {
      log,
      notifier,
      counters,
      locks,
      metricsSharing: shared.metrics,
      statusSharing: shared.status,
      // An upload another worker took is used here (too large for the IPC channel: uploads-files.ts).
      uploads: new FileUploads({
        dir: join(config.server.dataDir, UPLOADS_DIR),
        limits: uploadLimitsOf(config.jmap),
      }),
      machineJobs: id === 1,
    });
    guardProcess(log, app.ctx.health);
    const stopped = onSignals(log, app);
    shared.ready(listenersOf(app));
    await stopped;
  } catch (e) {
    log.error("worker failed", { err: e as Error });
    process.exitCode = 1;
  }
  // The IPC channel to the supervisor would keep the process alive.
  process.exit();
}

async function supervise(env: CliEnv, config: Config, log: Logger, count: number): Promise<void> {
  // Only the first worker holds the pending ACME challenges, and the CA's request may reach any.
  if (acmeEnabled(config))
    log.warn(
      "ACME with several workers: a CA's challenge request may reach a worker other than the first, which cannot answer it; the renewal is retried later. A certificate of your own ([tls] cert/key) or one worker avoids it",
      { workers: count },
    );
  // Migrations and the first account once, before any worker opens the store.
  const store = await openStore(config, new LocalNotifier(), log, { fullTextIndexer: false });
  const first = await ensureFirstAccount(store, config).finally(() => store.close());
  // The SQLite data directory is the supervisor's from now on: a worker never sweeps orphaned
  // body files, which another worker may be writing (src/store/sqlite/owner.ts).
  const ownership =
    config.storage.backend === "sqlite" ? claimOwnership(config.server.dataDir, { force: true }) : null;
  try {
    const code = await runSupervisor({
      count,
      settings: config.workers,
      graceMs: config.server.shutdownGraceSec * 1000,
      log,
      onReady: (listeners) => printBanner(env, config, listeners, first, count),
    });
    if (code !== 0)
      throw new CliError(
        "a worker failed to start, crash-looped or did not stop cleanly (see the log)",
        code,
      );
  } finally {
    ownership?.release();
  }
}

function onSignals(log: Logger, app: Awaited<ReturnType<typeof startApp>>): Promise<void> {
  process.on("SIGHUP", () => {
    try {
      app.tls.reload();
      log.info("reloaded TLS certificate");
    } catch (e) {
      log.error("TLS reload failed; keeping the old certificate", { err: e as Error });
    }
  });
  return new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      log.info("shutting down", { signal: sig });
      app.stop().then(resolve, (e) => {
        log.error("shutdown failed", { err: e as Error });
        resolve();
      });
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
}

function listenersOf(app: Awaited<ReturnType<typeof startApp>>): ReadyListener[] {
  return app.listeners.map((r) => ({
    protocol: r.listener.protocol,
    address: r.listener.address,
    port: r.port,
    tls: r.listener.tls,
  }));
}

function printBanner(
  env: CliEnv,
  config: Config,
  listeners: ReadyListener[],
  first: Awaited<ReturnType<typeof ensureFirstAccount>>,
  workers = 1,
): void {
  print(env, "");
  print(env, `Yubin is running (config ${env.configPath}, data ${config.server.dataDir})`);
  if (workers > 1) print(env, `  ${workers} worker processes`);
  print(env, `  roles: ${config.server.roles.join(", ")}`);
  for (const l of listeners) {
    const web =
      l.protocol !== "http"
        ? ""
        : l.tls === "implicit"
          ? `  https://${l.address.includes(":") ? `[${l.address}]` : l.address}:${l.port}/ (webmail; /admin)`
          : "  (mail-client autoconfig; redirects to https)";
    print(env, `  ${l.protocol.padEnd(10)} ${l.address}:${l.port} (tls: ${l.tls})${web}`);
  }
  if (first) {
    print(env, `  First account: ${first.address}  password: ${first.password}`);
    print(env, "  (shown once; change it with `yubin user passwd " + first.address + "`)");
  }
  print(env, "");
}
