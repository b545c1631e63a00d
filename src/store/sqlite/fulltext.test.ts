// What the contract cannot see of the SQLite full-text index (fulltext.ts): the upgrade marks old
// mail pending and the indexer catches up without blocking the open; index rows go with their
// blob; a message over the per-message cap stays a candidate of every search; how a needle is
// looked for (inside one word of the vocabulary, or as words side by side); which answers are
// sure (the message is not read) and which are not; what one body and one write may add
// (shared/fulltext-budget.ts): a hostile body is left partial at a bounded cost.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { cpuTimed } from "../../testing/cpu-time.js";
import { LocalNotifier } from "../notifier.js";
import { fullTextMigration, trigramQuery } from "./fulltext.js";
import { fullTextWordsMigration } from "./fulltext-words-schema.js";
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

  test("matchText: a needle inside words is sure; with separators, or only in JMAP's fields, maybe", () =>
    // No background indexer: the last check needs a message still pending, which the indexer's
    // 20 ms timer could have indexed before the search on a loaded machine.
    withStore({ fullTextIndexer: false }, async ({ opts }) => {
      const store = await openSqliteStore(opts);
      try {
        await store.directory.addDomain("example.org");
        const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
        const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
        const m = store.mail;
        await m.deliver(msg("first", "Subprojects and the Projector"), [{ accountId: a.id }]);
        await m.deliver(msg("second", "no such word here; mail.example.org"), [{ accountId: a.id }]);
        await m.deliver(
          Buffer.from('From: "Walrus Tusk" <w@example.org>\r\nSubject: =?UTF-8?Q?c=C3=A9sar?=\r\n\r\nhi\r\n'),
          [{ accountId: a.id }],
        );
        await store.fullText.catchUp();
        const box = { mailboxId: inbox.id };
        assert.deepEqual(await m.matchText(box, "body", "PROJECT"), { sure: [1], maybe: [] });
        assert.deepEqual(await m.matchText(box, "body", "jector"), { sure: [1], maybe: [] });
        assert.deepEqual(await m.matchText(box, "body", "projects and"), { sure: [], maybe: [1] });
        assert.deepEqual(await m.matchText(box, "body", "e.org"), { sure: [], maybe: [2] });
        assert.deepEqual(await m.matchText(box, "body", "zebra"), { sure: [], maybe: [] });
        assert.deepEqual(await m.matchText(box, "text", "first"), { sure: [1], maybe: [] }, "in the header");
        assert.deepEqual(await m.matchText(box, "body", "first"), { sure: [], maybe: [] });
        // The decoded Subject is in the header IMAP TEXT matches too; the address's name alone is
        // what JMAP's from filter renders: maybe for IMAP.
        assert.deepEqual(await m.matchText(box, "text", "CÉSAR"), { sure: [3], maybe: [] });
        assert.deepEqual(await m.matchText(box, "text", "walrus tusk w@"), { sure: [], maybe: [3] });
        assert.deepEqual(await m.searchText({ accountId: a.id }, "text", "ample"), [1, 2, 3]);
        // Pending (just delivered): maybe, whatever the index says of the rest.
        const [late] = await m.deliver(msg("late", "one more project"), [{ accountId: a.id }]);
        const now = await m.matchText(box, "body", "project");
        assert.ok(now!.maybe.includes(late!.uid) && now!.sure.includes(1));
      } finally {
        await store.close();
      }
    }));

  test("a body with a word longer than FTS5 keeps is never sure: it stays pending, read at each search", () =>
    withStore({}, async ({ dataDir, opts }) => {
      const store = await openSqliteStore(opts);
      const long = "x".repeat(40000);
      try {
        await store.directory.addDomain("example.org");
        const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
        const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
        await store.mail.deliver(msg("a", `${long}aardvark`), [{ accountId: a.id }]);
        await store.mail.deliver(msg("b", `${long}zebu`), [{ accountId: a.id }]);
        await store.fullText.catchUp();
        assert.deepEqual(await store.mail.matchText({ mailboxId: inbox.id }, "body", "xaardvark"), {
          sure: [],
          maybe: [1, 2],
        });
      } finally {
        await store.close();
      }
      assert.equal(rows(dataDir, "SELECT count(*) FROM fts_pending WHERE partial = 1"), 2);
    }));

  test("a needle standing for more words than fullTextMaxWords is answered by the scan (null)", () =>
    withStore({ fullTextMaxWords: 3 }, async ({ opts }) => {
      const store = await openSqliteStore(opts);
      try {
        await store.directory.addDomain("example.org");
        const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
        const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
        await store.mail.deliver(msg("s", "singing ringing winging bring"), [{ accountId: a.id }]);
        await store.fullText.catchUp();
        assert.equal(await store.mail.matchText({ mailboxId: inbox.id }, "body", "ing"), null);
        assert.deepEqual(await store.mail.matchText({ mailboxId: inbox.id }, "body", "inging"), {
          sure: [1],
          maybe: [],
        });
      } finally {
        await store.close();
      }
    }));

  test("the v23 upgrade replaces v14's trigram tables; old mail is pending, then indexed by word", () =>
    withStore({}, async ({ dataDir, opts }) => {
      let store = await openSqliteStore(opts);
      await store.directory.addDomain("example.org");
      const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
      const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
      for (let i = 0; i < 3; i++)
        await store.mail.deliver(msg(`m${i}`, `word${i} gecko`), [{ accountId: a.id }]);
      await store.close();
      // Back to the schema before v23 (v14's tables and triggers, the word tables gone), then v23's
      // migration as the upgrade runs it (later migrations are not run again).
      const db = new Database(join(dataDir, DATABASE_FILE));
      db.exec(`DROP TRIGGER blobs_fts_del; DROP TRIGGER blobs_fts_ins; DROP TABLE ftw_head; DROP TABLE ftw_body; DROP TABLE ftw_more;
        DROP TABLE ftw_terms; DROP TABLE ftw_terms_tri; DROP TABLE fts_pending;`);
      db.exec(fullTextMigration);
      db.exec("DELETE FROM fts_pending");
      db.transaction(() => db.exec(fullTextWordsMigration))();
      db.close();
      store = await openSqliteStore({ ...opts, fullTextIndexer: false });
      assert.deepEqual(await store.mail.matchText({ mailboxId: inbox.id }, "body", "gecko"), {
        sure: [],
        maybe: [1, 2, 3],
      });
      await store.close();
      store = await openSqliteStore(opts);
      await store.fullText.catchUp();
      assert.deepEqual(await store.mail.matchText({ mailboxId: inbox.id }, "body", "word1"), {
        sure: [2],
        maybe: [],
      });
      await store.close();
      assert.equal(rows(dataDir, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'fts_head%'"), 0);
    }));

  test("mail stored before the index (an upgrade) is pending, then indexed in the background", () =>
    withStore({}, async ({ dataDir, opts }) => {
      let store = await openSqliteStore(opts);
      await store.directory.addDomain("example.org");
      const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
      const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
      for (let i = 0; i < 30; i++)
        await store.mail.deliver(msg(`m${i}`, `word${i} tapir`), [{ accountId: a.id }]);
      await store.close();
      // As right after the v23 migration: no index rows, every body pending.
      const db = new Database(join(dataDir, DATABASE_FILE));
      db.exec(`DELETE FROM ftw_head; DELETE FROM ftw_body; DELETE FROM ftw_more;
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
      db.exec(`DELETE FROM ftw_head; DELETE FROM ftw_body; DELETE FROM ftw_more;
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
      assert.equal(rows(dataDir, `SELECT count(*) FROM ftw_body WHERE ftw_body MATCH '"capybara"'`), 0);
      assert.equal(rows(dataDir, `SELECT count(*) FROM ftw_body WHERE ftw_body MATCH '"filler"'`), 0);
      assert.equal(rows(dataDir, `SELECT count(*) FROM ftw_head WHERE ftw_head MATCH '"short"'`), 0);
      assert.equal(rows(dataDir, `SELECT count(*) FROM ftw_more WHERE ftw_more MATCH '"short"'`), 0);
    }));

  test("a body bringing more new words than fullTextBudget.maxNewWords is left partial, unwritten, and found by maybe", () =>
    withStore({ fullTextBudget: { maxNewWords: 50 } }, async ({ dataDir, opts }) => {
      const store = await openSqliteStore(opts);
      try {
        await store.directory.addDomain("example.org");
        const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
        const box = { mailboxId: (await store.mail.getMailbox(a.id, "INBOX"))!.id };
        const fresh = (n: number, tag: string) =>
          Array.from({ length: n }, (_, i) => `${tag}${i}q`).join(" ");
        await store.mail.deliver(msg("one", "a capybara"), [{ accountId: a.id }]);
        // The needle comes after 200 new words: past the cap.
        await store.mail.deliver(msg("two", `${fresh(200, "hostile")} okapi`), [{ accountId: a.id }]);
        // Under the cap (the header's words are not new: message 1 brought them).
        await store.mail.deliver(msg("three", `${fresh(40, "fine")} gerenuk`), [{ accountId: a.id }]);
        await store.fullText.catchUp();
        assert.deepEqual(await store.mail.matchText(box, "body", "okapi"), { sure: [], maybe: [2] });
        assert.deepEqual(await store.mail.matchText(box, "body", "hostile7q"), { sure: [], maybe: [2] });
        assert.deepEqual(await store.mail.matchText(box, "body", "capybara"), { sure: [1], maybe: [2] });
        assert.deepEqual(await store.mail.matchText(box, "body", "gerenuk"), { sure: [3], maybe: [2] });
      } finally {
        await store.close();
      }
      assert.equal(rows(dataDir, "SELECT count(*) FROM fts_pending WHERE partial = 1"), 1);
      assert.equal(rows(dataDir, "SELECT count(*) FROM fts_pending"), 1);
      assert.equal(
        rows(dataDir, "SELECT count(*) FROM ftw_terms WHERE term LIKE 'hostile%' OR term = 'okapi'"),
        0,
      );
      assert.equal(rows(dataDir, `SELECT count(*) FROM ftw_body WHERE ftw_body MATCH '"two"'`), 0);
    }));

  test("a write stops taking bodies at fullTextBudget's text or new words, and every body is indexed", async () => {
    for (const budget of [{ batchNewWords: 10 }, { batchBytes: 100 }]) {
      let commits = 0;
      // No background indexer: it could index bodies between the deliveries (a loaded machine
      // lets its 20 ms timer fire), leaving fewer than six for catchUp's writes to count.
      const extra = { fullTextBudget: budget, fullTextIndexer: false, onCommit: () => commits++ };
      await withStore(extra, async ({ dataDir, opts }) => {
        const store = await openSqliteStore(opts);
        try {
          await store.directory.addDomain("example.org");
          const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
          const box = { mailboxId: (await store.mail.getMailbox(a.id, "INBOX"))!.id };
          // Each body: 10 words no other has, ~120 characters of text.
          for (let n = 0; n < 6; n++) {
            const words = Array.from({ length: 10 }, (_, i) => `m${n}w${i}x`).join(" ");
            await store.mail.deliver(msg(`s${n}`, words), [{ accountId: a.id }]);
          }
          commits = 0;
          await store.fullText.catchUp();
          assert.ok(commits >= 6, `${JSON.stringify(budget)}: one body per write, ${commits} writes`);
          assert.deepEqual(await store.mail.matchText(box, "body", "M4W7X"), { sure: [5], maybe: [] });
        } finally {
          await store.close();
        }
        assert.equal(rows(dataDir, "SELECT count(*) FROM fts_pending"), 0);
      });
    }
  });

  test("indexing 2 MB of random base64 text is bounded in CPU: left partial, no vocabulary added", () =>
    // Before the budget: ~1.3 s of CPU in one write (~80,000 new words, each a vocabulary row and
    // its trigrams), the event loop blocked meanwhile. Now: the words are cut and counted up to the
    // cap (~50 ms). The bound is generous (CPU time, not wall clock: the machine is shared).
    // No background indexer: it could take the random body before catchUp, outside the
    // measurement, and the bound would then hold whatever the indexing cost.
    withStore({ fullTextMaxBytes: 0, fullTextIndexer: false }, async ({ dataDir, opts }) => {
      const store = await openSqliteStore(opts);
      const random = randomBytes(1536 * 1024)
        .toString("base64")
        .replace(/.{76}/g, "$&\r\n");
      try {
        await store.directory.addDomain("example.org");
        const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "h" });
        const box = { mailboxId: (await store.mail.getMailbox(a.id, "INBOX"))!.id };
        await store.mail.deliver(msg("small", "a pangolin"), [{ accountId: a.id }]);
        await store.fullText.catchUp();
        await store.mail.deliver(msg("random", random), [{ accountId: a.id }]);
        const { cpuMs } = await cpuTimed(() => store.fullText.catchUp());
        assert.ok(cpuMs < 400, `indexing took ${cpuMs.toFixed(0)} ms of CPU`);
        assert.deepEqual(await store.mail.matchText(box, "body", "pangolin"), { sure: [1], maybe: [2] });
      } finally {
        await store.close();
      }
      assert.equal(rows(dataDir, "SELECT count(*) FROM fts_pending WHERE partial = 1"), 1);
      assert.ok(rows(dataDir, "SELECT count(*) FROM ftw_terms") < 100);
    }));
});
