// The login-change feed across nodes (issue 17, web-sessions.ts): a change committed on one node
// ends logins on another; the NOTIFY that wakes it is a hint, the table the truth, so a node
// whose listening connection died still hears of changes from its poll; and transactions that
// commit out of the order of their ids (two nodes, one slow) are both reported.
// Nodes are stores on one schema, each with its own pool.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { eventually } from "../../testing/eventually.js";
import { postgresSkip } from "../../testing/postgres.js";
import { account } from "../contract-kit.js";
import type { Store } from "../types.js";
import { SchemaNodes } from "./test-nodes.js";

const skip = postgresSkip();

/** Resolves with the ids `store` reports until `want` is among them (at most `ms`). */
function heard(store: Store, want: number, ms: number): Promise<number[]> {
  const seen: number[] = [];
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      resolve(seen);
    };
    const off = store.webSessions.onLoginChange((id) => {
      seen.push(id);
      if (id === want) done();
    });
    const timer = setTimeout(done, ms);
  });
}

describe("PostgreSQL: the login-change feed between nodes", { skip }, () => {
  const nodes = new SchemaNodes();
  let url: string;
  /** The node that writes. */
  let a: Store;
  /** A node that polls once a minute: within a test it hears only by NOTIFY. */
  let b: Store;
  /** A node that polls every 200 ms. */
  let c: Store;
  before(async () => {
    await nodes.start();
    url = nodes.url;
    a = await nodes.open();
    b = await nodes.open({ loginChangePollMs: 60_000 });
    c = await nodes.open({ loginChangePollMs: 200 });
  });
  after(() => nodes.close());

  test("a password changed on one node is heard on the other by its NOTIFY", async () => {
    const bob = await account(a, "bob@example.com");
    const wait = heard(b, bob.id, 30_000);
    await new Promise((r) => setTimeout(r, 200)); // b's LISTEN is up
    await a.directory.updateAccount(bob.id, { passwordHash: "new" });
    assert.deepEqual(await wait, [bob.id], "heard long before b's next poll");
  });

  test("a change whose NOTIFY never came is heard by the poll", async () => {
    const eve = await account(a, "eve@example.com");
    const wait = heard(c, eve.id, 30_000);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // What login_changed() writes, without its pg_notify (as if lost with a connection).
      await admin.query(
        `INSERT INTO login_changes (account_id, xid) VALUES ($1, pg_current_xact_id())
           ON CONFLICT (account_id) DO UPDATE SET xid = excluded.xid`,
        [eve.id],
      );
    } finally {
      await admin.end();
    }
    // (c also reports bob's change of the test before: it was not listening then, and a feed
    // reports what happened since its last read rather than lose anything.)
    assert.ok((await wait).includes(eve.id));
  });

  test("with its listening connection killed, a node still hears changes by its poll", async () => {
    const ann = await account(a, "ann@example.com");
    const wait = heard(c, ann.id, 30_000);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // c makes its listening connection when the listener above comes (its last one went with
      // the test before): waited for, not given 100 ms, which a loaded machine need not give it.
      await eventually("c's LISTEN connection", async () => {
        const r = await admin.query(
          "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN yubin_login_changes%' AND state = 'idle' AND pid <> pg_backend_pid()",
        );
        return (r.rowCount ?? 0) > 0;
      });
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN yubin_login_changes%' AND pid <> pg_backend_pid()",
      );
      assert.ok((killed.rowCount ?? 0) >= 1, "a listening connection was there to kill");
    } finally {
      await admin.end();
    }
    await new Promise((r) => setTimeout(r, 50));
    await a.directory.updateAccount(ann.id, { disabled: true });
    assert.ok((await wait).includes(ann.id));
  });

  test("two transactions committing out of id order: both changes are heard", async () => {
    const x = await account(a, "x@example.com");
    const y = await account(a, "y@example.com");
    const slow = new pg.Client({ connectionString: url });
    const fast = new pg.Client({ connectionString: url });
    await slow.connect();
    await fast.connect();
    try {
      const wantY = heard(c, y.id, 30_000);
      await new Promise((r) => setTimeout(r, 100));
      // The slow one takes its transaction id first, the fast one a later id and commits first.
      await slow.query("BEGIN");
      await slow.query("UPDATE accounts SET disabled = true WHERE id = $1", [x.id]);
      await fast.query("UPDATE accounts SET disabled = true WHERE id = $1", [y.id]);
      assert.deepEqual(await wantY, [y.id], "the later transaction is heard while the earlier is open");
      const wantX = heard(c, x.id, 30_000);
      await new Promise((r) => setTimeout(r, 600)); // polls with x still open
      await slow.query("COMMIT");
      assert.deepEqual(await wantX, [x.id], "the earlier transaction, committed last, is heard too");
    } finally {
      await slow.end();
      await fast.end();
    }
  });
});
