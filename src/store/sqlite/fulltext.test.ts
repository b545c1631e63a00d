// What the contract cannot see of the SQLite full-text index (fulltext.ts): the upgrade marks old
// mail pending and the indexer catches up without blocking the open; index rows go with their
// blob; a message over the per-message cap stays a candidate of every search; the trigram query.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { LocalNotifier } from "../notifier.js";
import { trigramQuery } from "./fulltext.js";
import { DATABASE_FILE, openSqliteStore, type SqliteStoreOptions } from "./index.js";

const msg = (subject: string, text: string) =>
  Buffer.from(`From: a@example.org\r\nSubject: ${subject}\r\n\r\n${text}\r\n`);

async function withStore(
  extra: Partial<SqliteStoreOptions>,
  fn: (o: { dataDir: string; opts: SqliteStoreOptions }) => Promise<void>,
) {
  const dataDir = mkdtempSync(join(tmpdir(), "yubin-fts-"));
  try {
    await fn({ dataDir, opts: { dataDir, notifier: new LocalNotifier(), ...extra } });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rows = (dataDir: string, sql: string) => {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
};

describe("sqlite full-text index", () => {
  test("trigramQuery: distinct trigrams ANDed, quotes doubled, null under three characters", () => {
    assert.equal(trigramQuery("AbCd"), '"abc" AND "bcd"');
    assert.equal(trigramQuery('a"b"'), '"a""b" AND """b"""');
    assert.equal(trigramQuery("aaaa"), '"aaa"');
    assert.equal(trigramQuery("日本語"), '"日本語"');
    assert.equal(trigramQuery("日本"), null);
    assert.equal(trigramQuery("😀😀"), null, "two code points, four UTF-16 units");
    assert.equal(trigramQuery("ab\0c"), null);
    const long = trigramQuery("abcdefghijklmnopqrstuvwxyz0123456789")!;
    assert.equal(long.split(" AND ").length, 24, "capped");
  });

  test("mail stored before the index (an upgrade) is pending, then indexed in the background", () =>
    withStore({}, async ({ dataDir, opts }) => {
      let store = await openSqliteStore(opts);
      await store.directory.addDomain("example.org");
      const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
      const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
      for (let i = 0; i < 30; i++)
        await store.mail.deliver(msg(`m${i}`, `word${i} tapir`), [{ accountId: a.id }]);
      await store.close();
      // As right after the v14 migration: no index rows, every body pending.
      const db = new Database(join(dataDir, DATABASE_FILE));
      db.exec(`DELETE FROM fts_head; DELETE FROM fts_body;
        INSERT OR REPLACE INTO fts_pending (blob_id, partial) SELECT id, 0 FROM blobs;`);
      db.close();
      store = await openSqliteStore({ ...opts, fullTextBatch: 7 });
      // Not indexed yet: every message is a candidate, so nothing is missed.
      assert.equal(
        (await store.mail.searchText({ mailboxId: inbox.id }, "body", "word17"))!.length >= 1,
        true,
      );
      await store.fullText.catchUp();
      assert.deepEqual(await store.mail.searchText({ mailboxId: inbox.id }, "body", "word17"), [18]);
      assert.deepEqual(await store.mail.searchText({ mailboxId: inbox.id }, "text", "M29"), [30]);
      assert.deepEqual(await store.mail.searchText({ mailboxId: inbox.id }, "body", "m29"), []);
      await store.close();
      assert.equal(rows(dataDir, "SELECT count(*) FROM fts_pending"), 0);
    }));

  test("an unreadable body is searched by reading it and does not hold up the others", () =>
    withStore({ inlineMaxBytes: 0 }, async ({ dataDir, opts }) => {
      let store = await openSqliteStore(opts);
      await store.directory.addDomain("example.org");
      const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
      const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
      await store.mail.deliver(msg("one", "a pangolin"), [{ accountId: a.id }]);
      await store.mail.deliver(msg("two", "a quetzal"), [{ accountId: a.id }]);
      await store.close();
      const db = new Database(join(dataDir, DATABASE_FILE));
      const first = db.prepare("SELECT hash FROM blobs ORDER BY id LIMIT 1").pluck().get() as string;
      db.exec(`DELETE FROM fts_head; DELETE FROM fts_body;
        INSERT OR REPLACE INTO fts_pending (blob_id, partial) SELECT id, 0 FROM blobs;`);
      db.close();
      rmSync(join(dataDir, "blobs", first.slice(0, 2), first));
      store = await openSqliteStore(opts);
      await store.fullText.catchUp();
      assert.deepEqual(await store.mail.searchText({ mailboxId: inbox.id }, "body", "quetzal"), [1, 2]);
      assert.deepEqual(await store.mail.searchText({ mailboxId: inbox.id }, "body", "nothing"), [1]);
      await store.close();
      assert.equal(rows(dataDir, "SELECT count(*) FROM fts_pending WHERE partial = 0"), 0);
    }));

  test("index rows go with the last copy of their body; a message over the cap stays a candidate", () =>
    withStore({ fullTextMaxBytes: 64 }, async ({ dataDir, opts }) => {
      const store = await openSqliteStore(opts);
      await store.directory.addDomain("example.org");
      const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
      const m = store.mail;
      const inbox = (await m.getMailbox(a.id, "INBOX"))!;
      const other = await m.createMailbox(a.id, "Other");
      await m.deliver(msg("short", "a capybara"), [{ accountId: a.id }]);
      await m.deliver(msg("long", `${"filler ".repeat(20)} the hidden axolotl`), [{ accountId: a.id }]);
      await store.fullText.catchUp();
      assert.deepEqual(await m.searchText({ mailboxId: inbox.id }, "body", "axolotl"), [2], "past the cap");
      assert.deepEqual(
        await m.searchText({ mailboxId: inbox.id }, "body", "capybara"),
        [1, 2],
        "a message over the cap is a candidate of every search",
      );
      await m.copy(inbox.id, [1], other.id);
      await m.expunge(inbox.id, [1]);
      assert.deepEqual(
        await m.searchText({ mailboxId: other.id }, "body", "capybara"),
        [1],
        "a copy keeps it",
      );
      await m.expunge(other.id, [1]);
      await m.expunge(inbox.id, [2]);
      await store.close();
      assert.equal(rows(dataDir, "SELECT count(*) FROM fts_pending"), 0);
      assert.equal(rows(dataDir, "SELECT count(*) FROM blobs"), 0);
      // Contentless tables keep no text; their rows are gone when a match finds nothing.
      assert.equal(rows(dataDir, `SELECT count(*) FROM fts_body WHERE fts_body MATCH '"cap" AND "ara"'`), 0);
      assert.equal(rows(dataDir, `SELECT count(*) FROM fts_body WHERE fts_body MATCH '"fil"'`), 0);
      assert.equal(rows(dataDir, `SELECT count(*) FROM fts_head WHERE fts_head MATCH '"sho"'`), 0);
    }));
});
