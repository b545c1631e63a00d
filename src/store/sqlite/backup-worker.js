// The backup thread (see backup.ts). Plain JavaScript: worker threads do not inherit the tsx
// loader the main thread runs under, and this needs nothing but SQLite.
//  - "snapshot": VACUUM INTO a new file from a connection of its own. In WAL mode that is one read
//    transaction: a consistent snapshot that never blocks the server's writers (readers and the
//    writer do not wait for each other in WAL), unlike the online backup API, which restarts
//    whenever another connection writes and so may never finish on a busy server. Then it reads,
//    from the snapshot itself, what the backup must hold beside it: the body files.
//  - "inspect": the same reading of an existing snapshot (restore).
//  - "probe": BEGIN IMMEDIATE + COMMIT in a loop until told to stop: how long a writer waits for
//    the write lock while a backup runs (the write pause the server would see).
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

function inspect(path) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const schemaVersion = db.pragma("user_version", { simple: true });
    const count = (sql) => db.prepare(sql).pluck().get();
    const counts = {
      accounts: count("SELECT count(*) FROM accounts"),
      mailboxes: count("SELECT count(*) FROM mailboxes"),
      messages: count("SELECT count(*) FROM messages"),
      blobs: count("SELECT count(*) FROM blobs"),
      queued: count("SELECT count(*) FROM queue"),
    };
    const fileBlobs = db.prepare("SELECT hash, size FROM blobs WHERE inline = 0 ORDER BY hash").all();
    return { schemaVersion, counts, fileBlobs };
  } finally {
    db.close();
  }
}

function snapshot({ src, dest, busyTimeoutMs }) {
  const started = performance.now();
  // Not readonly: a read-only connection cannot open a WAL database whose -shm is missing.
  const db = new Database(src, { fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.prepare("VACUUM INTO ?").run(dest);
  } finally {
    db.close();
  }
  const vacuumMs = performance.now() - started;
  // A self-contained file (no -wal/-shm beside it), which restore can open read-only.
  const out = new Database(dest, { fileMustExist: true });
  try {
    out.pragma("journal_mode = DELETE");
  } finally {
    out.close();
  }
  return { ...inspect(dest), vacuumMs };
}

function probe({ path, intervalMs, stop }) {
  const flag = new Int32Array(stop);
  const db = new Database(path, { fileMustExist: true });
  db.pragma("busy_timeout = 60000");
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const waits = [];
  const deadline = Date.now() + 3_600_000; // bounded: an hour at most, whatever the caller does
  try {
    while (Atomics.load(flag, 0) === 0 && Date.now() < deadline) {
      const t0 = performance.now();
      begin.run();
      waits.push(performance.now() - t0);
      commit.run();
      Atomics.wait(flag, 0, 0, intervalMs);
    }
  } finally {
    db.close();
  }
  return { waits };
}

const job = workerData;
try {
  const result =
    job.op === "snapshot" ? snapshot(job) : job.op === "inspect" ? inspect(job.path) : probe(job);
  parentPort.postMessage({ ok: true, result });
} catch (error) {
  parentPort.postMessage({ ok: false, error: String(error?.message ?? error) });
}
