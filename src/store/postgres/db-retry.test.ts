// PgDb's autocommit statements (rows/one/run) sent again after a real deadlock (40P01), as tx()
// is: two sessions lock two rows in opposite order on the private cluster, one of them a plain
// rows()/run() call. PostgreSQL rolls the loser back whole, so running it again is safe; without
// the retry the call fails with the deadlock (retryAttempts: 1 shows it).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { silentLogger } from "../../log/logger.js";
import { freshSchema, postgresSkip } from "../../testing/postgres.js";
import { PgDb } from "./db.js";

const skip = postgresSkip();
/** How long the statement under test may take to start waiting for the other session's lock. */
const WAIT_LIMIT_MS = 10_000;

describe("PostgreSQL: autocommit statements retried on deadlock", { skip }, () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  before(async () => {
    schema = await freshSchema();
    const c = new pg.Client({ connectionString: schema.url });
    await c.connect();
    try {
      await c.query("CREATE TABLE locks (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
      await c.query("INSERT INTO locks VALUES (1, 0), (2, 0)");
    } finally {
      await c.end();
    }
  });
  after(() => schema?.drop());

  /**
   * The other session (a raw client in a transaction) locks row 1; `call` then locks row 2 and
   * waits for row 1 in one statement; the other session asks for row 2: a deadlock. Its
   * deadlock_timeout is long, so PostgreSQL's check fires first in `call`'s backend (after its
   * 1 s) and `call`'s statement is the one rolled back. The other session then commits.
   */
  async function deadlockAgainst<T>(app: string, call: () => Promise<T>): Promise<T> {
    const other = new pg.Client({ connectionString: schema.url });
    await other.connect();
    const watcher = new pg.Client({ connectionString: schema.url });
    await watcher.connect();
    try {
      await other.query("SET deadlock_timeout = '20s'");
      await other.query("BEGIN");
      await other.query("SELECT 1 FROM locks WHERE id = 1 FOR UPDATE");
      const result = call().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      // Until `call` waits for row 1 (it holds row 2 by then): bounded.
      const until = Date.now() + WAIT_LIMIT_MS;
      for (;;) {
        const w = await watcher.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [app],
        );
        if ((w.rows[0] as { n: number }).n > 0) break;
        assert.ok(Date.now() < until, "the statement under test never waited for the lock");
        await delay(10);
      }
      // Row 2: held by `call`'s statement, so this waits until PostgreSQL breaks the cycle there.
      await other.query("SELECT 1 FROM locks WHERE id = 2 FOR UPDATE");
      await other.query("UPDATE locks SET v = v + 1 WHERE id IN (1, 2)");
      await other.query("COMMIT");
      const r = await result;
      if (!r.ok) throw r.error;
      return r.value;
    } finally {
      await other.end();
      await watcher.end();
    }
  }

  /** Locks row 2, then row 1 (ORDER BY before FOR UPDATE: rows are locked in that order). */
  const OPPOSITE =
    "WITH l AS (SELECT id FROM locks WHERE id = ANY($1::int[]) ORDER BY id DESC FOR UPDATE) " +
    "UPDATE locks SET v = v + 10 FROM l WHERE locks.id = l.id RETURNING locks.id, locks.v";

  test("rows(): the deadlocked statement is sent again and applies once", async () => {
    const db = new PgDb({ url: schema.url, log: silentLogger, applicationName: "dl-rows", poolSize: 2 });
    try {
      const before = await db.rows<{ id: number; v: number }>("SELECT id, v FROM locks ORDER BY id");
      const rows = await deadlockAgainst("dl-rows", () =>
        db.rows<{ id: number; v: number }>(OPPOSITE, [[1, 2]]),
      );
      assert.deepEqual(rows.map((r) => r.id).sort(), [1, 2]);
      // Applied once, after the other session's commit (+1 each), not twice.
      const now = await db.rows<{ id: number; v: number }>("SELECT id, v FROM locks ORDER BY id");
      assert.deepEqual(
        now.map((r) => r.v),
        before.map((r) => r.v + 11),
      );
    } finally {
      await db.close();
    }
  });

  test("run(): the same through run()", async () => {
    const db = new PgDb({ url: schema.url, log: silentLogger, applicationName: "dl-run", poolSize: 2 });
    try {
      assert.equal(await deadlockAgainst("dl-run", () => db.run(OPPOSITE, [[1, 2]])), 2);
    } finally {
      await db.close();
    }
  });

  test("retryAttempts 1: the deadlock reaches the caller (what happened before the retry)", async () => {
    const db = new PgDb({
      url: schema.url,
      log: silentLogger,
      applicationName: "dl-once",
      poolSize: 2,
      retryAttempts: 1,
    });
    try {
      await assert.rejects(
        deadlockAgainst("dl-once", () => db.run(OPPOSITE, [[1, 2]])),
        (e: { code?: string }) => e.code === "40P01",
      );
    } finally {
      await db.close();
    }
  });
});
