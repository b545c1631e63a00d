// Imports on PostgreSQL when the database dies in the middle (issue 17; SQLite's kill -9 test is
// sqlite/imports.test.ts): batches are written while the postmaster is SIGKILLed; the batch in
// flight fails as "unavailable", and after a restart every cursor written has exactly its batches
// beside it — the batch and its cursor are one transaction, committed together or not at all.
import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "../../log/logger.js";
import { postgresSkip, startPostgres } from "../../testing/postgres.js";
import { StoreError } from "../errors.js";
import { LocalNotifier } from "../notifier.js";
import { openPostgresStore } from "./index.js";

const skip = postgresSkip();
const BATCH = 5;
const BATCHES = 40;

const msg = (n: number) => ({
  body: Buffer.from(
    `From: a@example.org\r\nSubject: imported ${n}\r\nMessage-ID: <k-${n}@example.org>\r\n\r\nBody ${n}.\r\n`,
  ),
  flags: [],
  internalDate: new Date(Date.UTC(2020, 0, 1, 0, 0, n)),
});

test("a database killed during an import leaves each batch with its cursor or neither", {
  skip,
}, async () => {
  // Durable (fsync and synchronous_commit on), as in production: acknowledged means on disk.
  const pg = await startPostgres({ durable: true });
  try {
    const open = () =>
      openPostgresStore({
        url: pg.url,
        notifier: new LocalNotifier(),
        log: silentLogger,
        connectTimeoutMs: 2000,
      });
    let store = await open();
    await store.directory.addDomain("example.com");
    const a = await store.directory.createAccount({ address: "i@example.com", passwordHash: "h" });
    const box = (await store.imports.importMailbox(a.id, "Old", { specialUse: null, uidValidity: 9 }))
      .mailbox;
    let written = 0;
    let failure: unknown = null;
    // Bounded: BATCHES batches; the kill comes after the third, while the fourth is on its way.
    for (let b = 0; b < BATCHES; b++) {
      const batch = Array.from({ length: BATCH }, (_, i) => msg(b * BATCH + i));
      const p = store.imports.importBatch(a.id, box.id, batch, {
        cursor: { key: "src\0Old", value: String(b + 1) },
      });
      if (b === 3) pg.kill();
      try {
        await p;
        written = b + 1;
      } catch (e) {
        failure = e;
        break;
      }
    }
    assert.ok(failure instanceof StoreError, `a batch failed: ${String(failure)}`);
    assert.equal(failure.code, "unavailable");
    await store.close();
    await pg.restart();
    store = await open();
    try {
      const cursor = Number((await store.imports.cursor(a.id, "src\0Old")) ?? "0");
      assert.ok(cursor >= written, `the acknowledged batches are kept (${cursor} >= ${written})`);
      const list = await store.mail.listMessages(box.id);
      assert.equal(list.length, cursor * BATCH, "the messages are exactly the cursor's batches");
      assert.equal((await store.mail.quotaUsage(a.id)).messages, cursor * BATCH);
    } finally {
      await store.close();
    }
  } finally {
    await pg.remove();
  }
});
