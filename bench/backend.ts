// The store a bench's own server runs on (issue 17): `--backend sqlite` (the default: the embedded
// store in the bench's data dir) or `--backend postgres`, for bench:smtp, bench:imap and bench:pop3
// alike. With postgres the bench starts a private PostgreSQL cluster in a temp dir
// (src/testing/postgres.ts) that is DURABLE — fsync, synchronous_commit and full_page_writes on —
// since the server's 250 / OK promises a commit that survives a crash, as SQLite's fsync does;
// or, with `--postgres-url URL`, a fresh schema in that existing database (dropped at the end).
// Whatever it started it stops: at the end, on an error, on SIGINT/SIGTERM, and (last resort,
// synchronously) at process exit.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { silentLogger } from "../src/log/logger.js";
import { LocalNotifier } from "../src/store/notifier.js";
import { openPostgresStore } from "../src/store/postgres/index.js";
import { openSqliteStore, type SqliteStore } from "../src/store/sqlite/index.js";
import type { Store } from "../src/store/types.js";
import { type PrivatePostgres, startPostgres } from "../src/testing/postgres.js";

export type BackendName = "sqlite" | "postgres";

/** The bench flags (spread into parseArgs options). */
export const backendArgs = {
  // Own server's store: sqlite (embedded, default) or postgres (private durable cluster).
  backend: { type: "string", default: "sqlite" },
  // With --backend postgres: an existing database to use (a fresh schema in it) instead.
  "postgres-url": { type: "string" },
  // Internal (serve-child): the resolved database URL the server opens.
  "serve-postgres-url": { type: "string" },
} as const;

/** What the bench's server is told: the [storage] section of its config. */
export type StorageSection = { backend: "sqlite" } | { backend: "postgres"; postgresUrl: string };

export interface BenchBackend {
  readonly name: BackendName;
  /** For the printed result: "sqlite", "postgres (private, durable)", "postgres (given URL)". */
  readonly label: string;
  readonly storage: StorageSection;
  /** The store as the server will open it, for filling before the server starts. SQLite's type
   *  with sqlite (some fillers need its extras); close it before the server starts. */
  open(): Promise<Store | SqliteStore>;
  /** Arguments that hand the storage to a bench's serve-child (see applyStorage). */
  childArgs(): string[];
  /** CPU time (user + system, ms) of the private PostgreSQL so far: the postmaster, its live
   *  processes and the ones it has reaped. null with sqlite or a given URL (not ours to watch). */
  cpuMs(): number | null;
  /** Stops the cluster and removes its dir, or drops the schema. Idempotent. */
  stop(): Promise<void>;
}

export async function startBackend(opts: {
  backend: string | undefined;
  postgresUrl?: string | undefined;
  dataDir: string;
}): Promise<BenchBackend> {
  const name = opts.backend ?? "sqlite";
  if (name !== "sqlite" && name !== "postgres") throw new Error("--backend sqlite|postgres");
  if (opts.postgresUrl && name !== "postgres") throw new Error("--postgres-url needs --backend postgres");
  if (name === "sqlite")
    return {
      name,
      label: "sqlite",
      storage: { backend: "sqlite" },
      open: () =>
        openSqliteStore({ dataDir: opts.dataDir, notifier: new LocalNotifier(), log: silentLogger }),
      childArgs: () => [],
      cpuMs: () => null,
      stop: async () => {},
    };
  return opts.postgresUrl ? givenDatabase(opts.postgresUrl) : privateCluster();
}

/** A bench's own server on its backend, in a fresh data dir named after `prefix`: `startOn` fills
 *  the store and starts the server; its stop() then stops the server, the backend and removes the
 *  dir, and a signal does the same at any point (bench:imap and bench:pop3 alike). */
export async function startOwnOn<T extends { stop(): Promise<void> }>(
  prefix: string,
  args: { backend: string | undefined; postgresUrl: string | undefined },
  startOn: (backend: BenchBackend, dataDir: string) => Promise<T>,
): Promise<T & { backend: BenchBackend }> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const backend = await startBackend({ backend: args.backend, postgresUrl: args.postgresUrl, dataDir });
  const offBackend = onSignals(() => rm(dataDir, { recursive: true, force: true }));
  try {
    const own = await startOn(backend, dataDir);
    const offServer = onSignals(own.stop);
    return {
      ...own,
      backend,
      async stop() {
        await own.stop();
        offServer();
        await backend.stop();
        offBackend();
      },
    };
  } catch (e) {
    await backend.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/** Sets config.storage from a serve-child's --serve-postgres-url (absent: sqlite, untouched). */
export function applyStorage(
  config: { storage: { backend: BackendName; postgresUrl: string } },
  url: string | undefined,
): void {
  if (!url) return;
  config.storage.backend = "postgres";
  config.storage.postgresUrl = url;
}

function postgresBackend(
  url: string,
  label: string,
  more: { cpuMs(): number | null; stop(): Promise<void> },
): BenchBackend {
  return {
    name: "postgres",
    label,
    storage: { backend: "postgres", postgresUrl: url },
    open: () => openPostgresStore({ url, notifier: new LocalNotifier(), log: silentLogger }),
    childArgs: () => ["--serve-postgres-url", url],
    ...more,
  };
}

async function privateCluster(): Promise<BenchBackend> {
  const cluster = await startPostgres({ durable: true, timeoutMs: 60_000 });
  const stop = onceCleaned(cluster);
  return postgresBackend(cluster.url, `postgres (private, durable; port ${cluster.port})`, {
    cpuMs: () => treeCpuMs(cluster.pid),
    stop,
  });
}

/** A fresh schema in the given database: the server's connections use it through search_path. */
async function givenDatabase(url: string): Promise<BenchBackend> {
  const schema = `yubin_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const sep = url.includes("?") ? "&" : "?";
  const schemaUrl = `${url}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  let dropped: Promise<void> | null = null;
  const stop = () => {
    dropped ??= (async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    })();
    return dropped;
  };
  const off = onSignals(stop);
  return postgresBackend(schemaUrl, "postgres (given URL, fresh schema)", {
    cpuMs: () => null,
    stop: () => stop().finally(off),
  });
}

/** stop() for a private cluster: once, on request, on SIGINT/SIGTERM, or at exit (sync). */
function onceCleaned(cluster: PrivatePostgres): () => Promise<void> {
  let removed: Promise<void> | null = null;
  const remove = () => {
    removed ??= cluster.remove();
    return removed;
  };
  const atExit = () => {
    // Only if nothing removed it: a process exiting without stop() (an uncaught error).
    if (removed) return;
    cluster.kill();
    try {
      execFileSync("rm", ["-rf", cluster.dir]);
    } catch {
      // the temp dir stays; nothing depends on it
    }
  };
  process.once("exit", atExit);
  const off = onSignals(remove);
  return () =>
    remove().finally(() => {
      off();
      process.off("exit", atExit);
    });
}

const cleanups = new Set<() => Promise<void>>();
let installed = false;

/** Runs cleanup on SIGINT or SIGTERM (every registered one, newest first, each bounded by its own
 *  timeouts: stopChild gives a process 10 s), then exits as the signal would have (128 + signo).
 *  The benches register their server's stop here too, so an interrupted run leaves nothing behind.
 *  Returns the function that unregisters it (call it once the cleanup has run normally). */
export function onSignals(cleanup: () => Promise<void>): () => void {
  if (!installed) {
    installed = true;
    process.once("SIGINT", signalHandler);
    process.once("SIGTERM", signalHandler);
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

function signalHandler(signal: NodeJS.Signals): void {
  const code = signal === "SIGINT" ? 130 : 143;
  void (async () => {
    for (const c of [...cleanups].reverse())
      await c().catch((e: unknown) => console.error("bench: cleanup after a signal failed:", e));
    process.exit(code);
  })();
}

/** ms of CPU of pid (with its reaped children: cutime/cstime) and its live descendants, from
 *  /proc/PID/stat fields 14-17 (clock ticks of 1/100 s). PostgreSQL runs a process per connection:
 *  the cost of a commit is there, not in the server's own processes. */
export function treeCpuMs(pid: number): number | null {
  if (!pid) return null;
  const seen = new Set<number>();
  const walk = (p: number, withReaped: boolean): number => {
    if (seen.has(p) || seen.size > 10_000) return 0;
    seen.add(p);
    let ms = 0;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ms += (Number(f[11]) + Number(f[12])) * 10;
      if (withReaped) ms += (Number(f[13]) + Number(f[14])) * 10;
      const kids = readFileSync(`/proc/${p}/task/${p}/children`, "utf8").split(" ").filter(Boolean);
      for (const k of kids) ms += walk(Number(k), true);
    } catch {
      // gone between the listing and the read: its time is in its parent's reaped figures
    }
    return ms;
  };
  return walk(pid, true);
}
