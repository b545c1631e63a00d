// `yubin verify` on PostgreSQL (verify.ts): a damaged body, a wrong refcount, quota counters and
// UIDNEXT/HIGHESTMODSEQ behind the rows are each reported as SQLite's verify reports them;
// --repair fixes the counters and leaves the damaged body reported.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../log/logger.js";
import { freshSchema, postgresSkip } from "../../testing/postgres.js";
import { LocalNotifier } from "../notifier.js";
import { PgDb } from "./db.js";
import { openPostgresStore, type PostgresStore } from "./index.js";
import { verifyPostgresStore } from "./verify.js";

const skip = postgresSkip();

describe("verify on PostgreSQL", { skip }, () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let store: PostgresStore;
  let db: PgDb;
  before(async () => {
    schema = await freshSchema();
    store = await openPostgresStore({ url: schema.url, notifier: new LocalNotifier(), log: silentLogger });
    db = new PgDb({ url: schema.url, log: silentLogger });
  });
  after(async () => {
    await store?.close();
    await db?.close();
    await schema?.drop();
  });

  test("finds what is wrong, names who uses a damaged body, repairs the counters", async () => {
    await store.directory.addDomain("example.test");
    const a = await store.directory.createAccount({ address: "v@example.test", passwordHash: "x" });
    const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
    for (let n = 0; n < 3; n++)
      await store.mail.append(a.id, inbox.id, { body: Buffer.from(`Subject: ${n}\r\n\r\nbody ${n}\r\n`) });
    assert.deepEqual((await verifyPostgresStore({ url: schema.url })).problems, []);

    const hash = (await db.one<{ hash: string }>("SELECT hash FROM blobs ORDER BY id LIMIT 1"))!.hash;
    await db.run(
      "UPDATE blob_chunks SET data = 'damaged' WHERE blob_id = (SELECT id FROM blobs WHERE hash = $1)",
      [hash],
    );
    await db.run("UPDATE blobs SET refcount = refcount + 2 WHERE hash <> $1", [hash]);
    await db.run("UPDATE accounts SET used_bytes = 1, used_messages = 9 WHERE id = $1", [a.id]);
    await db.run("UPDATE mailboxes SET uid_next = 2, highest_modseq = 1 WHERE id = $1", [inbox.id]);

    const r = await verifyPostgresStore({ url: schema.url });
    assert.deepEqual(
      r.problems.map((p) => p.kind),
      ["body-corrupt", "refcount", "refcount", "uid-next", "highest-modseq", "quota"],
    );
    const corrupt = r.problems[0]!;
    assert.equal(corrupt.kind === "body-corrupt" && corrupt.hash, hash);
    assert.deepEqual(corrupt.kind === "body-corrupt" && corrupt.messages, [
      { account: "v@example.test", mailbox: "INBOX", uid: 1 },
    ]);
    assert.deepEqual(r.checked, {
      blobs: 3,
      bodyBytes: r.checked.bodyBytes,
      messages: 3,
      mailboxes: r.checked.mailboxes,
      accounts: 1,
    });

    const fixed = await verifyPostgresStore({ url: schema.url, repair: true });
    assert.equal(fixed.repaired, 5);
    assert.deepEqual(
      (await verifyPostgresStore({ url: schema.url })).problems.map((p) => p.kind),
      ["body-corrupt"],
      "the counters are right again; a damaged body needs a backup",
    );
  });
});
