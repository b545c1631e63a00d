// The checkpoint thread (see checkpointer.ts). Plain JavaScript: worker threads do not inherit
// the tsx loader the main thread runs under, and this needs nothing but SQLite.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const db = new Database(workerData.path);
db.pragma(`busy_timeout = ${workerData.busyTimeoutMs}`);
// The checkpoint fsyncs the WAL before copying it and the database file after, in this mode.
db.pragma("synchronous = FULL");
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
// Waits for other connections' writers and readers, so that the WAL can start over.
const restart = db.prepare("PRAGMA wal_checkpoint(RESTART)");

parentPort.on("message", (m) => {
  if (m === "stop") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const r = (m === "restart" ? restart : passive).get();
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
});
