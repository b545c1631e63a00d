// The checkpoint thread: the main connection never checkpoints, the WAL starts over instead of
// growing, what was committed is in the database file after it, and a lost thread hands
// checkpoints back to SQLite.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { silentLogger } from "../../log/logger.js";
import { Checkpointer } from "./checkpointer.js";
import { openDatabase } from "./db.js";
import { WalSync } from "./wal-sync.js";
import { GroupCommitWriter } from "./writer.js";

const PAGE = 4096;

function setup(intervalMs: number, restartAfterFrames?: number) {
  const dir = mkdtempSync(join(tmpdir(), "yubin-checkpoint-"));
  const path = join(dir, "db.sqlite");
  const db = openDatabase({ path });
  db.exec("CREATE TABLE t (v INTEGER, pad BLOB)");
  const checkpointer = new Checkpointer({
    db,
    dbPath: path,
    intervalMs,
    busyTimeoutMs: 1000,
    log: silentLogger,
    restartAfterFrames,
  });
  const writer = new GroupCommitWriter(db, {
    maxBatch: 100,
    log: silentLogger,
    afterCommit: () => {},
    wal: new WalSync(db, `${path}-wal`),
    checkpoint: checkpointer,
  });
  const insert = db.prepare<[number, Buffer]>("INSERT INTO t (v, pad) VALUES (?, ?)");
  // About two pages per row, so that every commit appends several frames to the WAL.
  const job = (v: number) =>
    writer.submit({
      run: () => {
        insert.run(v, Buffer.alloc(2 * PAGE, v & 0xff));
        return { value: v };
      },
    });
  return {
    db,
    path,
    checkpointer,
    writer,
    job,
    async done() {
      await writer.idle();
      await checkpointer.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The WAL's length in frames, and how many of them are in the database file, from outside. */
function walState(path: string): { log: number; checkpointed: number } {
  const other = new Database(path);
  try {
    other.pragma("wal_autocheckpoint = 0");
    // PASSIVE with nothing new to copy only reports; it copies what the thread has not.
    const rows = other.pragma("wal_checkpoint(PASSIVE)") as { log: number; checkpointed: number }[];
    return rows[0]!;
  } finally {
    other.close();
  }
}

describe("checkpoint thread", () => {
  test("the main connection's automatic checkpoints are off", async () => {
    const s = setup(10);
    try {
      assert.equal(s.db.pragma("wal_autocheckpoint", { simple: true }), 0);
    } finally {
      await s.done();
    }
  });

  test("under steady writes the WAL is copied between batches and starts over", async () => {
    const s = setup(5);
    try {
      // 60 rounds of 10 concurrent writes: about 1,200 pages in all, 20 per batch.
      for (let round = 0; round < 60; round++) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => s.job(round * 10 + i)));
        await new Promise((r) => setTimeout(r, 2));
      }
      await s.writer.idle();
      assert.ok(s.checkpointer.stats.runs >= 5, `only ${s.checkpointer.stats.runs} checkpoints`);
      // 600 rows of two pages each went through it: a WAL that never started over would be longer.
      const wal = walState(s.path);
      assert.ok(wal.log < 600, `WAL of ${wal.log} frames after 600 writes of 2 pages`);
      const count = s.db.prepare("SELECT count(*) AS n FROM t").get() as { n: number };
      assert.equal(count.n, 600);
    } finally {
      await s.done();
    }
  });

  test("after a checkpoint the rows are in the database file itself", async () => {
    const s = setup(1);
    try {
      await Promise.all(Array.from({ length: 5 }, (_, i) => s.job(i)));
      await new Promise((r) => setTimeout(r, 5));
      await s.job(5); // the batch after which the due checkpoint runs
      await s.writer.idle();
      const before = s.checkpointer.stats.runs;
      assert.ok(before >= 1);
      // The last batch may still be only in the WAL: one more checkpoint, then read a copy of the
      // main file alone, without its WAL.
      await s.checkpointer.run();
      const copy = `${s.path}.copy`;
      copyFileSync(s.path, copy);
      const n = new Database(copy, { readonly: true });
      try {
        assert.equal((n.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n, 6);
      } finally {
        n.close();
      }
      assert.equal(walState(s.path).checkpointed, walState(s.path).log);
    } finally {
      await s.done();
    }
  });

  test("a long WAL gets a RESTART checkpoint even when PASSIVE copied all of it", async () => {
    // Two workers' writers keep a fully copied WAL from starting over (neither BEGIN finds it
    // free of the other's readers), so its length alone must bring the RESTART.
    const s = setup(60_000, 10);
    try {
      await Promise.all(Array.from({ length: 10 }, (_, i) => s.job(i))); // ~20 frames, no checkpoint yet
      await s.writer.idle();
      await s.checkpointer.run();
      const after = walState(s.path);
      assert.equal(after.checkpointed, after.log); // all copied: nothing else would call for RESTART
      assert.ok(after.log >= 10, `WAL of ${after.log} frames`);
      assert.equal(s.checkpointer.stats.restarts, 0);
      await s.checkpointer.run();
      assert.equal(s.checkpointer.stats.restarts, 1);
      // After the RESTART the next write starts the WAL over.
      await s.job(100);
      await s.writer.idle();
      assert.ok(walState(s.path).log < after.log, "the WAL did not start over");
    } finally {
      await s.done();
    }
  });

  test("if the thread dies, SQLite checkpoints on the main connection again", async () => {
    const s = setup(1);
    try {
      await s.checkpointer.run(); // the thread starts with the first checkpoint
      // The worker is private; a test reaches it to end it as a crash would.
      await (s.checkpointer as unknown as { worker: Worker }).worker.terminate();
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(s.db.pragma("wal_autocheckpoint", { simple: true }), 1000);
      assert.equal(s.checkpointer.due(), false);
      // Writes go on without waiting for a thread that is gone.
      assert.deepEqual(await Promise.all([s.job(1), s.job(2)]), [1, 2]);
    } finally {
      await s.done();
    }
  });
});
