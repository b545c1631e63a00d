// The SQLite side of backup and restore (src/backup/ has the rest): a consistent snapshot of the
// database taken while the server runs, what a snapshot says the backup must hold beside it (the
// body files), and a probe of the write pause a running server sees meanwhile. The work runs on a
// thread of its own (backup-worker.js), so a backup started inside the server process (the
// benchmark, the tests) never stalls its event loop either.

import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { createPrivateFile } from "./file-modes.js";
import { DATABASE_FILE } from "./index.js";
import { migrations } from "./schema.js";

/** The schema version this program writes (SQLite's user_version after migrating). */
export const SCHEMA_VERSION = migrations.length;

/** The database file and the files SQLite keeps beside it, which a backup never copies as files. */
export const DATABASE_FILES = [
  DATABASE_FILE,
  `${DATABASE_FILE}-wal`,
  `${DATABASE_FILE}-shm`,
  `${DATABASE_FILE}-journal`,
];

/** Where the store keeps body files, relative to the data directory (blobs.ts). */
export const BLOB_DIR = "blobs";

export interface SnapshotCounts {
  accounts: number;
  mailboxes: number;
  messages: number;
  blobs: number;
  queued: number;
}

export interface SnapshotContents {
  schemaVersion: number;
  counts: SnapshotCounts;
  /** Bodies kept as files (blobs/xx/<hash>); the others are inside the database. */
  fileBlobs: { hash: string; size: number }[];
}

export interface Snapshot extends SnapshotContents {
  /** How long the VACUUM INTO took. */
  vacuumMs: number;
}

type Reply<T> = { ok: true; result: T } | { ok: false; error: string };

function runWorker<T>(job: Record<string, unknown>): { done: Promise<T>; worker: Worker } {
  const worker = new Worker(new URL("./backup-worker.js", import.meta.url), { workerData: job });
  const done = new Promise<T>((resolve, reject) => {
    let settled = false;
    worker.once("message", (r: Reply<T>) => {
      settled = true;
      if (r.ok) resolve(r.result);
      else reject(new Error(r.error));
    });
    worker.once("error", (e) => {
      settled = true;
      reject(e);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`backup thread exited (${code})`));
    });
  });
  return { done, worker };
}

/** VACUUM INTO `dest` (created 0600; it must not exist) from the data directory's database. */
export async function snapshotDatabase(opts: {
  dataDir: string;
  dest: string;
  busyTimeoutMs?: number;
}): Promise<Snapshot> {
  createPrivateFile(opts.dest);
  const { done } = runWorker<Snapshot>({
    op: "snapshot",
    src: join(opts.dataDir, DATABASE_FILE),
    dest: opts.dest,
    busyTimeoutMs: opts.busyTimeoutMs ?? 5000,
  });
  return done;
}

/** What a snapshot file (a backup's database) holds, read-only. */
export async function inspectSnapshot(path: string): Promise<SnapshotContents> {
  return runWorker<SnapshotContents>({ op: "inspect", path }).done;
}

export interface WritePauses {
  /** Longest wait for the write lock, in milliseconds. */
  maxMs: number;
  p99Ms: number;
  samples: number;
}

export interface WritePauseProbe {
  stop(): Promise<WritePauses>;
}

/** Takes and releases the write lock every `intervalMs` (default 5) until stopped, timing each
 *  wait: the longest is the longest a writer of the running server waited meanwhile. */
export function probeWritePauses(dataDir: string, opts: { intervalMs?: number } = {}): WritePauseProbe {
  const stop = new SharedArrayBuffer(4);
  const { done } = runWorker<{ waits: number[] }>({
    op: "probe",
    path: join(dataDir, DATABASE_FILE),
    intervalMs: opts.intervalMs ?? 5,
    stop,
  });
  return {
    async stop() {
      const flag = new Int32Array(stop);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      const { waits } = await done;
      const sorted = [...waits].sort((a, b) => a - b);
      return {
        maxMs: sorted.at(-1) ?? 0,
        p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
        samples: sorted.length,
      };
    },
  };
}
