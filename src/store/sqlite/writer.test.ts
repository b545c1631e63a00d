// The group commit's durability contract: a job's promise resolves, and its events are published,
// only after the WAL fsync that follows its COMMIT; a failed fsync acknowledges nothing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { silentLogger } from "../../log/logger.js";
import { eventually } from "../../testing/eventually.js";
import type { MailEvent } from "../notifier.js";
import { openDatabase } from "./db.js";
import { WalSync } from "./wal-sync.js";
import { GroupCommitWriter } from "./writer.js";

/** A WalSync whose fsync the test completes (or fails) by hand. */
class HeldSync extends WalSync {
  calls = 0;
  private release: ((err?: Error) => void)[] = [];

  override async sync(): Promise<void> {
    this.calls++;
    await new Promise<void>((resolve, reject) => {
      this.release.push((err) => (err ? reject(err) : resolve()));
    });
  }

  finish(err?: Error): void {
    for (const r of this.release.splice(0)) r(err);
  }

  /** Completes only the newest fsync still held. */
  finishNewest(): void {
    this.release.pop()?.();
  }
}

function setup(opts: { busyTimeoutMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "yubin-writer-"));
  const path = join(dir, "db.sqlite");
  const db = openDatabase({ path });
  db.exec("CREATE TABLE t (v INTEGER)");
  const wal = new HeldSync(db, `${path}-wal`);
  const published: MailEvent[][] = [];
  const writer = new GroupCommitWriter(db, {
    maxBatch: 100,
    log: silentLogger,
    afterCommit: (events) => published.push(events),
    wal,
    busyTimeoutMs: opts.busyTimeoutMs,
  });
  const insert = db.prepare<[number]>("INSERT INTO t (v) VALUES (?)");
  const event = (v: number): MailEvent => ({
    kind: "added",
    accountId: 1,
    mailboxId: 1,
    uids: [v],
    modseq: v,
    cause: "deliver",
  });
  const job = (v: number, prepare?: () => Promise<void>) =>
    writer.submit({
      prepare: prepare ?? (() => Promise.resolve()),
      run: () => {
        insert.run(v);
        return { value: v, events: [event(v)] };
      },
    });
  const rows = () => db.prepare<[], { v: number }>("SELECT v FROM t ORDER BY v").all();
  return {
    db,
    writer,
    path,
    wal,
    published,
    job,
    rows,
    done: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Polled every 5 ms; the bound (eventually's) is for a stuck test, not a speed requirement: the
// 1 s it was could be missed by a loaded machine with nothing wrong.
const until = (cond: () => boolean) => eventually("the condition", cond, undefined, 5);

/** A busy timeout no test could wait out: a handler that slept it would hang the file. */
const A_DAY_MS = 86_400_000;

describe("group commit and the WAL fsync", () => {
  test("nothing is acknowledged or published before the fsync after the COMMIT", async () => {
    const s = setup();
    try {
      let acked = 0;
      const jobs = [s.job(1), s.job(2)].map((p) =>
        p.then((v) => {
          acked++;
          return v;
        }),
      );
      await until(() => s.wal.calls === 1);
      // Committed (visible to this connection) but not yet fsync'd: no ack, no event.
      assert.deepEqual(
        s.rows().map((r) => r.v),
        [1, 2],
      );
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(acked, 0);
      assert.equal(s.published.length, 0);
      s.wal.finish();
      assert.deepEqual(await Promise.all(jobs), [1, 2]);
      assert.equal(s.published.length, 1);
      assert.deepEqual(
        s.published[0]!.map((e) => ("uids" in e ? e.uids[0] : 0)),
        [1, 2],
      );
    } finally {
      s.done();
    }
  });

  test("a failed fsync rejects the batch's jobs and publishes nothing", async () => {
    const s = setup();
    try {
      const p = s.job(7);
      await until(() => s.wal.calls === 1);
      s.wal.finish(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
      await assert.rejects(p, { code: "EIO" });
      assert.equal(s.published.length, 0);
      // The next batch is fsync'd (and acknowledged) on its own.
      const q = s.job(8);
      await until(() => s.wal.calls === 2);
      s.wal.finish();
      assert.equal(await q, 8);
    } finally {
      s.done();
    }
  });

  test("a batch commits during the previous batch's fsync, no further ahead; acks keep commit order", async () => {
    const s = setup();
    try {
      const acked: number[] = [];
      const track = (p: Promise<number>) =>
        p.then((v) => {
          acked.push(v);
          return v;
        });
      // The first batch's preparation (blob files) takes a while; the second job is queued
      // meanwhile, so it is there when the first batch commits. Queued once the first batch has
      // begun preparing, not after 10 ms: the writer forms a batch a few turns of the event loop
      // after the first job, and a loaded machine let the 10 ms pass first, putting both jobs
      // in one batch (one fsync; the wait for two failed).
      let prepared: () => void = () => {};
      let preparing = false;
      const j1 = track(
        s.job(1, () => {
          preparing = true;
          return new Promise<void>((r) => (prepared = r));
        }),
      );
      await until(() => preparing);
      const j2 = track(s.job(2));
      prepared();
      await until(() => s.wal.calls === 2);
      // Committed and being fsync'd while the first fsync is still held.
      assert.deepEqual(
        s.rows().map((r) => r.v),
        [1, 2],
      );
      const j3 = track(s.job(3));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(s.wal.calls, 2, "a third batch waited for the first fsync");
      assert.deepEqual(
        s.rows().map((r) => r.v),
        [1, 2],
      );
      // The second fsync completes first: its batch still waits for the first one's ack.
      s.wal.finishNewest();
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(acked, []);
      assert.equal(s.published.length, 0);
      s.wal.finish();
      assert.deepEqual(await Promise.all([j1, j2]), [1, 2]);
      assert.deepEqual(acked, [1, 2]);
      await until(() => s.wal.calls === 3);
      s.wal.finish();
      assert.equal(await j3, 3);
      assert.deepEqual(acked, [1, 2, 3]);
      assert.deepEqual(
        s.published.map((batch) => batch.map((e) => ("uids" in e ? e.uids[0] : 0))),
        [[1], [2], [3]],
      );
    } finally {
      s.done();
    }
  });

  test("while another connection holds the write lock, the batch waits with the event loop free", async () => {
    const s = setup();
    // Another process's writer (serve --workers 2), here another connection.
    const other = openDatabase({ path: s.path });
    try {
      other.exec("BEGIN IMMEDIATE");
      other.exec("INSERT INTO t (v) VALUES (100)");
      const p = s.job(1);
      // SQLite's busy handler would sleep in this thread up to the busy timeout (5 s), and
      // these timers would not fire: the other connection could never commit.
      let ticks = 0;
      const timer = setInterval(() => ticks++, 2);
      try {
        await until(() => ticks >= 10);
      } finally {
        clearInterval(timer);
      }
      assert.equal(s.wal.calls, 0, "nothing committed while the lock is held");
      other.exec("COMMIT");
      await until(() => s.wal.calls === 1);
      s.wal.finish();
      assert.equal(await p, 1);
      assert.deepEqual(
        s.rows().map((r) => r.v),
        [1, 100],
      );
    } finally {
      other.close();
      s.done();
    }
  });

  test("the busy timeout is 0 only while BEGIN asks for the lock: jobs and later batches see it set", async () => {
    // The timeout is switched with prepared PRAGMA statements (write-lock.ts), which take effect
    // only from their second run: every batch, the first included, must switch it both ways.
    const s = setup({ busyTimeoutMs: A_DAY_MS });
    const other = openDatabase({ path: s.path });
    try {
      const seen: number[] = [];
      for (let i = 1; i <= 3; i++) {
        const p = s.writer.submit({
          run: () => {
            seen.push(s.db.pragma("busy_timeout", { simple: true }) as number);
            return { value: i };
          },
        });
        await until(() => s.wal.calls === i);
        s.wal.finish();
        await p;
        assert.equal(s.db.pragma("busy_timeout", { simple: true }), A_DAY_MS, `after batch ${i}`);
      }
      assert.deepEqual(seen, [A_DAY_MS, A_DAY_MS, A_DAY_MS]);
      // A later batch still asks without sleeping while another connection writes.
      other.exec("BEGIN IMMEDIATE");
      const p = s.job(7);
      // A busy handler sleeping in this thread would hold it for a day (the file's time limit
      // ends the run first): ten 2 ms ticks show the event loop ran while the lock was held, with
      // no wall-clock bound a loaded machine could miss.
      let ticks = 0;
      const timer = setInterval(() => ticks++, 2);
      try {
        await until(() => ticks >= 10);
      } finally {
        clearInterval(timer);
      }
      assert.equal(s.wal.calls, 3, "nothing committed while the lock is held");
      other.exec("COMMIT");
      await until(() => s.wal.calls === 4);
      s.wal.finish();
      assert.equal(await p, 7);
    } finally {
      other.close();
      s.done();
    }
  });

  test("a tail step rides the next batch with its jobs, starts one alone, and a failing one fails nothing else", async () => {
    const s = setup();
    try {
      const insert = s.db.prepare<[number]>("INSERT INTO t (v) VALUES (?)");
      s.writer.submitTail(() => insert.run(50));
      await until(() => s.wal.calls === 1);
      s.wal.finish();
      await s.writer.idle();
      assert.deepEqual(
        s.rows().map((r) => r.v),
        [50],
      );
      const batches = s.writer.stats.batches;
      const p = s.job(1);
      s.writer.submitTail(() => {
        insert.run(51);
        s.db.prepare("INSERT INTO nowhere VALUES (1)").run();
      });
      s.writer.submitTail(() => insert.run(52));
      const q = s.job(2);
      await until(() => s.wal.calls === 2);
      s.wal.finish();
      assert.deepEqual([await p, await q], [1, 2]);
      assert.equal(s.writer.stats.batches, batches + 1, "one batch");
      assert.deepEqual(
        s.rows().map((r) => r.v),
        [1, 2, 50, 51, 52],
      );
    } finally {
      s.done();
    }
  });

  test("a write lock held past the busy timeout fails that batch with SQLITE_BUSY, and the next commits", async () => {
    const s = setup({ busyTimeoutMs: 50 });
    const other = openDatabase({ path: s.path });
    try {
      other.exec("BEGIN IMMEDIATE");
      await assert.rejects(s.job(1), { code: "SQLITE_BUSY" });
      other.exec("ROLLBACK");
      const q = s.job(2);
      await until(() => s.wal.calls === 1);
      s.wal.finish();
      assert.equal(await q, 2);
      assert.deepEqual(
        s.rows().map((r) => r.v),
        [2],
      );
      assert.equal(s.published.length, 1);
    } finally {
      other.close();
      s.done();
    }
  });
});
