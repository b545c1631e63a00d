// Bodies in PostgreSQL (blobs.ts, schema-mail.ts): stored once per content, in chunks of
// chunkBytes, read back whole; gone with their last reference, whichever table held it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../log/logger.js";
import { parseStructure } from "../../mime/parse.js";
import { freshSchema, postgresSkip } from "../../testing/postgres.js";
import { StoreError } from "../errors.js";
import { readBlob, readBlobByHash, storeBlob } from "./blobs.js";
import { PgDb } from "./db.js";
import { migrate } from "./schema.js";

const skip = postgresSkip();
const limits = {
  mailboxNameMaxBytes: 1024,
  chunkBytes: 1000,
  fullTextMaxBytes: 1 << 20,
  fullTextMaxWords: 2000,
};
const ctx = { parse: parseStructure, limits };

describe("PostgreSQL blobs", { skip }, () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let db: PgDb;
  before(async () => {
    schema = await freshSchema();
    db = new PgDb({ url: schema.url, log: silentLogger });
    await migrate(db);
  });
  after(async () => {
    await db?.close();
    await schema?.drop();
  });

  const count = async (sql: string, params: unknown[]) => (await db.one<{ n: number }>(sql, params))!.n;

  test("one row per content; chunked above chunkBytes; read back whole; thread ids parsed", async () => {
    const body = Buffer.from(
      `Message-ID: <big@x>\r\nIn-Reply-To: <parent@x>\r\nSubject: s\r\n\r\n${"0123456789".repeat(350)}`,
    );
    const first = await db.tx((t) => storeBlob(t, body, ctx, { insertFirst: true }));
    const again = await db.tx((t) => storeBlob(t, body, ctx));
    const third = await db.tx((t) => storeBlob(t, body, ctx, { insertFirst: true }));
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(third.created, false);
    assert.equal(again.id, first.id);
    assert.equal(third.id, first.id);
    assert.equal(first.msgid, "<big@x>");
    assert.deepEqual(first.refs, ["<parent@x>"]);
    assert.equal(await count("SELECT count(*) AS n FROM blobs WHERE hash = $1", [first.hash]), 1);
    assert.equal(
      await count("SELECT count(*) AS n FROM blob_chunks WHERE blob_id = $1", [first.id]),
      Math.ceil(body.length / limits.chunkBytes),
    );
    assert.deepEqual(await readBlob(db, first.id), body);
    assert.deepEqual(await readBlobByHash(db, first.hash), body);
    await assert.rejects(
      readBlobByHash(db, "../etc/passwd"),
      (e) => e instanceof StoreError && e.code === "not-found",
    );
  });

  test("a body goes with its last reference, and not before", async () => {
    const body = Buffer.from("Subject: refs\r\n\r\nx\r\n");
    const b = await db.tx(async (t) => {
      const s = await storeBlob(t, body, ctx);
      // Two references from another table (the queue's triggers call blob_ref the same way).
      await t.run("SELECT blob_ref($1, 1)", [s.id]);
      await t.run("SELECT blob_ref($1, 1)", [s.id]);
      return s;
    });
    await db.run("SELECT blob_ref($1, -1)", [b.id]);
    assert.deepEqual(await readBlob(db, b.id), body);
    await db.run("SELECT blob_ref($1, -1)", [b.id]);
    assert.equal(await count("SELECT count(*) AS n FROM blobs WHERE id = $1", [b.id]), 0);
    assert.equal(await count("SELECT count(*) AS n FROM blob_chunks WHERE blob_id = $1", [b.id]), 0);
    await assert.rejects(readBlob(db, b.id), (e) => e instanceof StoreError && e.code === "not-found");
  });

  test("two transactions storing one new body at once: one row, both get it", async () => {
    const body = Buffer.from(`Subject: race\r\n\r\n${"r".repeat(2500)}\r\n`);
    const [x, y] = await Promise.all(
      [0, 1].map(() => db.tx((t) => storeBlob(t, body, ctx, { insertFirst: true }))),
    );
    assert.equal(x!.id, y!.id);
    assert.equal([x!.created, y!.created].filter(Boolean).length, 1);
    assert.deepEqual(await readBlob(db, x!.id), body);
  });
});
