// A private PostgreSQL for tests and benchmarks (issue 17): its own cluster made by initdb under a
// temp dir, listening on an ephemeral 127.0.0.1 port and a socket in that dir, never the system
// service. PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres`
// user the Debian package creates (its files and processes), and the test connects over TCP with
// a password-less `trust` rule for 127.0.0.1 only.
//
// One cluster per test process (startedPostgres() starts it once and stops it at exit); each
// contract case gets a schema of its own (freshSchema()), which is much cheaper than a database.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { freePort, stopChild } from "./net.js";
import { waitReady } from "./wait-ready.js";

const required = process.env.YUBIN_REQUIRE_ALL === "1";

export interface PrivatePostgres {
  dir: string;
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/yubin */
  url: string;
  pid: number;
  /** SIGKILL the postmaster (a crash: the test of "the database went away"). */
  kill(): void;
  /** Starts it again on the same port and data after stop() or kill(). */
  restart(): Promise<void>;
  /** Fast shutdown; keeps the files. Idempotent. */
  stop(): Promise<void>;
  /** stop() and remove the temp dir. */
  remove(): Promise<void>;
}

/** Where Debian keeps the server binaries (not on PATH): /usr/lib/postgresql/<major>/bin. */
function binDir(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const majors = readdirSync(base)
    .filter((d) => /^\d+$/.test(d))
    .sort((a, b) => Number(b) - Number(a));
  for (const m of majors) if (existsSync(join(base, m, "bin", "initdb"))) return join(base, m, "bin");
  return null;
}

/** false when a private PostgreSQL can run here, else the reason to skip (under
 *  YUBIN_REQUIRE_ALL=1, an error: CI installs the package). */
export function postgresSkip(): false | string {
  let reason: string | null = null;
  if (!binDir()) reason = "PostgreSQL server not installed (apt-get install postgresql)";
  else if (userInfo().uid === 0 && !ownerIds())
    reason = "running as root and there is no postgres user to run PostgreSQL as";
  if (reason === null) return false;
  if (required) throw new Error(`YUBIN_REQUIRE_ALL=1 but ${reason}`);
  return reason;
}

function ownerIds(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

export interface PostgresOptions {
  /** fsync on (as in production, for benchmarks) or off (tests: faster, and a test never
   *  crashes the machine under PostgreSQL). Default off. */
  durable?: boolean;
  timeoutMs?: number;
  /** The postmaster does not keep the test process alive (the shared cluster: killed at exit). */
  unref?: boolean;
}

export async function startPostgres(opts: PostgresOptions = {}): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) throw new Error("PostgreSQL server not installed (apt-get install postgresql)");
  const owner = ownerIds();
  const dir = await mkdtemp(join(tmpdir(), "yubin-pg-"));
  const data = join(dir, "data");
  if (owner) {
    await chmod(dir, 0o755);
    await chown(dir, owner.uid, owner.gid);
  }
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(
    join(bin, "initdb"),
    ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"],
    {
      ...asOwner,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  await writeFile(join(data, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
  if (owner) await chown(join(data, "pg_hba.conf"), owner.uid, owner.gid);
  const port = await freePort();
  const durable = opts.durable ?? false;
  const args = [
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    `fsync=${durable ? "on" : "off"}`,
    "-c",
    `synchronous_commit=${durable ? "on" : "off"}`,
    "-c",
    `full_page_writes=${durable ? "on" : "off"}`,
    "-c",
    "max_connections=300",
    "-c",
    "shared_buffers=128MB",
  ];
  let child: ChildProcess | null = null;
  const logLines: string[] = [];
  const start = async () => {
    const c = spawn(join(bin, "postgres"), args, { ...asOwner, stdio: ["ignore", "ignore", "pipe"] });
    c.stderr?.on("data", (d: Buffer) => {
      logLines.push(d.toString());
      if (logLines.length > 200) logLines.shift();
    });
    child = c;
    await waitReady({
      name: "postgres",
      child: c,
      timeoutMs: opts.timeoutMs ?? 60_000, // bounds a stuck start (initdb is done): not a speed requirement
      intervalMs: 100,
      probe: () => accepts(port),
      detail: () => logLines.join(""),
    });
    if (opts.unref) {
      c.unref();
      (c.stderr as { unref?: () => void } | null)?.unref?.();
    }
  };
  await start();
  const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  await admin.connect();
  await admin.query("CREATE DATABASE yubin");
  await admin.end();
  let stopped = false;
  const stop = async () => {
    if (stopped || !child) return;
    stopped = true;
    await stopChild(child, 10_000);
  };
  return {
    dir,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/yubin`,
    get pid() {
      return child?.pid ?? 0;
    },
    kill() {
      if (child?.pid && !stopped) {
        stopped = true;
        child.kill("SIGKILL");
      }
    },
    async restart() {
      await stop();
      // After kill() the postmaster may not have exited yet, and its children outlive it for a
      // moment: a new postmaster started then refuses (its lock file names a live PID, or the
      // shared memory is still attached) and exits. So wait for the old one, then try again
      // until the orphans are gone (bounded).
      const old = child as ChildProcess | null;
      if (old && old.exitCode === null && old.signalCode === null)
        await Promise.race([once(old, "exit"), delay(10_000)]);
      stopped = false;
      for (let attempt = 1; ; attempt++) {
        try {
          await start();
          return;
        } catch (e) {
          // Only a postmaster that gave up at once is retried, never one still starting.
          const failed = child as ChildProcess | null;
          const exited = failed !== null && (failed.exitCode !== null || failed.signalCode !== null);
          if (!exited || attempt >= 40) throw e;
          await delay(250);
        }
      }
    },
    stop,
    async remove() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Whether the cluster at port accepts a connection now. */
async function accepts(port: number): Promise<boolean> {
  const c = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    await c.end().catch(() => {});
    return false;
  }
}

let shared: Promise<PrivatePostgres> | null = null;

/** One cluster for the whole test process, started at the first call and removed at exit. */
export function startedPostgres(): Promise<PrivatePostgres> {
  shared ??= startPostgres({ unref: true }).then((p) => {
    process.once("exit", () => {
      p.kill();
      try {
        execFileSync("rm", ["-rf", p.dir]);
      } catch {
        // the temp dir stays; nothing else depends on it
      }
    });
    return p;
  });
  return shared;
}

let schemaSeq = 0;

/** A new empty schema in the shared cluster's database, and the URL whose connections use it
 *  (search_path through the `options` parameter). drop() removes it and everything in it. */
export async function freshSchema(): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const p = await startedPostgres();
  const schema = `t${process.pid}_${++schemaSeq}`;
  const c = new pg.Client({ connectionString: p.url });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await c.end();
  }
  const url = `${p.url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    schema,
    async drop() {
      const d = new pg.Client({ connectionString: p.url });
      await d.connect();
      try {
        await d.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await d.end();
      }
    },
  };
}
