// The PostgreSQL store's search indexes beyond the contract (which only asks for a superset): the
// full-text index narrows to exactly the matching messages once caught up ("sure", nothing
// "maybe"), keeps unindexable bodies "maybe", is filled once by indexers on two nodes sharing the
// database, and the header index handles what PostgreSQL text cannot hold (NUL).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../log/logger.js";
import { freshSchema, postgresSkip } from "../../testing/postgres.js";
import { LocalNotifier } from "../notifier.js";
import { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from "./index.js";

const skip = postgresSkip();
const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, "\r\n"));
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

describe("postgres search indexes", { skip }, () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  const opened: PostgresStore[] = [];
  const open = async (extra: Partial<PostgresStoreOptions> = {}) => {
    const s = await openPostgresStore({
      url: schema.url,
      notifier: new LocalNotifier(),
      log: silentLogger,
      ...extra,
    });
    opened.push(s);
    return s;
  };
  /** Rows of the index tables, read straight from the database. */
  const count = async (table: "fts_pending" | "fts_words" | "blobs", where = "true") => {
    const pg = (await import("pg")).default;
    const c = new pg.Client({ connectionString: schema.url });
    await c.connect();
    try {
      return Number((await c.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0].n);
    } finally {
      await c.end();
    }
  };

  before(async () => {
    schema = await freshSchema();
  });
  after(async () => {
    for (const s of opened) await s.close();
    await schema.drop();
  });

  test("caught up, a word is answered exactly; words side by side only narrow; over the cap stays maybe", async () => {
    const store = await open({ fullTextMaxBytes: 2000 });
    await store.directory.addDomain("example.com");
    const a = await store.directory.createAccount({ address: "x@example.com", passwordHash: "h" });
    const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
    const bodies = [
      crlf("From: a@example.org\nSubject: lunch\n\nThe quarterly report is attached.\n"),
      crlf(
        `From: b@example.org\nSubject: jp\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${b64("これは日本語のテキストです。")}\n`,
      ),
      crlf("From: c@example.org\nSubject: reports\n\nreporting the numbers, report them\n"),
      crlf(`From: d@example.org\nSubject: big\n\n${"filler ".repeat(400)}report at the end\n`),
    ];
    for (const b of bodies) await store.mail.deliver(b, [{ accountId: a.id }]);
    await store.fullText.catchUp();
    const box = { mailboxId: inbox.id };
    // 4 is longer than fullTextMaxBytes: its index holds a prefix, so it is read at each search.
    assert.deepEqual(await store.mail.matchText(box, "body", "REPORT"), { sure: [1, 3], maybe: [4] });
    assert.deepEqual(await store.mail.matchText(box, "body", "本語のテ"), { sure: [2], maybe: [4] });
    assert.deepEqual(await store.mail.matchText(box, "text", "lunch"), { sure: [1], maybe: [4] });
    assert.deepEqual(await store.mail.matchText(box, "body", "lunch"), { sure: [], maybe: [4] });
    // Words side by side: the first ends a word, the last begins one; read and matched.
    assert.deepEqual(await store.mail.matchText(box, "body", "ly report is"), { sure: [], maybe: [1, 4] });
    assert.deepEqual(await store.mail.matchText(box, "body", "numbers, rep"), { sure: [], maybe: [3, 4] });
    assert.deepEqual(await store.mail.matchText(box, "body", "report nowhere"), { sure: [], maybe: [4] });
    assert.equal(await count("fts_pending", "partial"), 1);
    // A word too long for an index entry: that body is read at each search too.
    const long = `${"q".repeat(1500)}`;
    await store.mail.deliver(crlf(`From: e@example.org\nSubject: long\n\n${long} zebu\n`), [
      { accountId: a.id },
    ]);
    await store.fullText.catchUp();
    assert.deepEqual(await store.mail.matchText(box, "body", "zebu"), { sure: [], maybe: [4, 5] });
    assert.deepEqual(await store.mail.matchText(box, "body", "quarterly"), { sure: [1], maybe: [4, 5] });
  });

  test("fullTextBudget: a body bringing too many new words is partial, unwritten, found by maybe; batches stop at their budget", async () => {
    const s2 = await freshSchema();
    const store = await openPostgresStore({
      url: s2.url,
      notifier: new LocalNotifier(),
      log: silentLogger,
      fullTextBudget: { maxNewWords: 50, batchNewWords: 10 },
    });
    const pg = (await import("pg")).default;
    const c = new pg.Client({ connectionString: s2.url });
    await c.connect();
    const n = async (sql: string) => Number((await c.query(sql)).rows[0].n);
    try {
      await store.directory.addDomain("example.com");
      const a = await store.directory.createAccount({ address: "x@example.com", passwordHash: "h" });
      const box = { mailboxId: (await store.mail.getMailbox(a.id, "INBOX"))!.id };
      const fresh = (k: number, tag: string) => Array.from({ length: k }, (_, i) => `${tag}${i}q`).join(" ");
      const deliver = (subject: string, text: string) =>
        store.mail.deliver(crlf(`From: a@example.org\nSubject: ${subject}\n\n${text}\n`), [
          { accountId: a.id },
        ]);
      await deliver("one", "a capybara");
      await deliver("two", `${fresh(200, "hostile")} okapi`); // the needle past the cap
      for (let i = 0; i < 6; i++) await deliver(`more${i}`, fresh(10, `m${i}w`)); // one per batch
      await store.fullText.catchUp();
      assert.deepEqual(await store.mail.matchText(box, "body", "okapi"), { sure: [], maybe: [2] });
      assert.deepEqual(await store.mail.matchText(box, "body", "hostile7q"), { sure: [], maybe: [2] });
      assert.deepEqual(await store.mail.matchText(box, "body", "capybara"), { sure: [1], maybe: [2] });
      assert.deepEqual(await store.mail.matchText(box, "body", "M5W3Q"), { sure: [8], maybe: [2] });
      assert.equal(await n("SELECT count(*) AS n FROM fts_pending"), 1);
      assert.equal(await n("SELECT count(*) AS n FROM fts_pending WHERE partial"), 1);
      assert.equal(await n("SELECT count(*) AS n FROM fts_words"), 7);
      assert.equal(
        await n("SELECT count(*) AS n FROM ftw_terms WHERE term LIKE 'hostile%' OR term = 'okapi'"),
        0,
      );
    } finally {
      await c.end();
      await store.close();
      await s2.drop();
    }
  });

  test("words in the GIN indexes' pending lists (schema v6) are answered as after the lists are merged", async () => {
    const s2 = await freshSchema();
    const store = await openPostgresStore({ url: s2.url, notifier: new LocalNotifier(), log: silentLogger });
    const pg = (await import("pg")).default;
    const c = new pg.Client({ connectionString: s2.url });
    await c.connect();
    try {
      await store.directory.addDomain("example.com");
      const a = await store.directory.createAccount({ address: "x@example.com", passwordHash: "h" });
      const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
      for (let i = 0; i < 12; i++)
        await store.mail.deliver(
          crlf(`From: p${i}@example.org\nSubject: s${i}\n\nalpha${i % 3} bravo${i}\n`),
          [{ accountId: a.id }],
        );
      await store.fullText.catchUp();
      const box = { mailboxId: inbox.id };
      const answers = async () => [
        await store.mail.matchText(box, "body", "alpha1"),
        await store.mail.matchText(box, "body", "BRAVO7"),
        await store.mail.matchText(box, "body", "lph"),
        await store.mail.matchText(box, "text", "s11"),
      ];
      const expected = [
        { sure: [2, 5, 8, 11], maybe: [] },
        { sure: [8], maybe: [] },
        { sure: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], maybe: [] },
        { sure: [12], maybe: [] },
      ];
      assert.deepEqual(await answers(), expected);
      // The entries were in the pending lists (fastupdate): merging them moves pages. With
      // schema v1's fastupdate = off there is no list and nothing to merge.
      const merged: number[] = [];
      for (const index of ["fts_words_head", "fts_words_body", "ftw_terms_tris"])
        merged.push(
          Number((await c.query("SELECT gin_clean_pending_list($1::regclass) AS n", [index])).rows[0].n),
        );
      assert.ok(
        merged.every((n) => n > 0),
        `pending pages merged: ${merged.join(", ")}`,
      );
      assert.deepEqual(await answers(), expected);
    } finally {
      await c.end();
      await store.close();
      await s2.drop();
    }
  });

  test("two nodes' indexers share the pending bodies and index each once; a store without one finds everything", async () => {
    const s2 = await freshSchema();
    const nodes: PostgresStore[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const s = await openPostgresStore({ url: s2.url, notifier: new LocalNotifier(), log: silentLogger });
        nodes.push(s);
      }
      const [n1, n2] = nodes as [PostgresStore, PostgresStore];
      await n1.directory.addDomain("example.com");
      const a = await n1.directory.createAccount({ address: "x@example.com", passwordHash: "h" });
      const inbox = (await n1.mail.getMailbox(a.id, "INBOX"))!;
      const body = (i: number) =>
        crlf(`From: n${i}@example.org\nSubject: m${i}\n\nword${i} common${i % 7}\n`);
      // Both deliver at once; each node's indexer wakes after its own commits.
      await Promise.all(
        [n1, n2].map(async (s, k) => {
          for (let i = k; i < 60; i += 2) await s.mail.deliver(body(i), [{ accountId: a.id }]);
        }),
      );
      // A CLI-like store (no indexer) on the same database answers with the unindexed as maybe.
      const cli = await openPostgresStore({
        url: s2.url,
        notifier: new LocalNotifier(),
        log: silentLogger,
        fullTextIndexer: false,
      });
      nodes.push(cli);
      const partly = await cli.mail.searchText({ mailboxId: inbox.id }, "body", "word17");
      assert.ok(partly?.length, "found, indexed or not");
      await Promise.all([n1.fullText.catchUp(), n2.fullText.catchUp()]);
      const pg = (await import("pg")).default;
      const c = new pg.Client({ connectionString: s2.url });
      await c.connect();
      try {
        const r = (
          await c.query(
            "SELECT (SELECT count(*) FROM fts_pending) AS p, (SELECT count(*) FROM fts_words) AS w, (SELECT count(*) FROM blobs) AS b",
          )
        ).rows[0];
        assert.deepEqual([Number(r.p), Number(r.w)], [0, Number(r.b)]);
      } finally {
        await c.end();
      }
      const uidOf = new Map<string, number>();
      for (const m of await cli.mail.listMessages(inbox.id)) {
        const full = await cli.mail.getMessage(inbox.id, m.uid);
        uidOf.set(full!.structure.envelope.subject!, m.uid);
      }
      assert.deepEqual(await cli.mail.matchText({ mailboxId: inbox.id }, "body", "WORD17"), {
        sure: [uidOf.get("m17")!],
        maybe: [],
      });
      const common3 = [3, 10, 17, 24, 31, 38, 45, 52, 59]
        .map((i) => uidOf.get(`m${i}`)!)
        .sort((x, y) => x - y);
      assert.deepEqual(
        await n2.mail.searchText({ accountId: a.id }, "text", "common3"),
        await idsOf(cli, inbox.id, common3),
      );
    } finally {
      for (const s of nodes) await s.close();
      await s2.drop();
    }
  });

  test("header index: a NUL in a decoded field is found by a needle with it, not by one with a line feed", async () => {
    const store = await open();
    await store.directory.addDomain("example.net");
    const a = await store.directory.createAccount({ address: "y@example.net", passwordHash: "h" });
    const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
    await store.mail.deliver(crlf("From: a@example.org\nSubject: =?UTF-8?Q?a=00b?= and more\n\nx\n"), [
      { accountId: a.id },
    ]);
    await store.mail.deliver(crlf("From: b@example.org\nTo: p@example.org\nTo: q@example.org\n\nx\n"), [
      { accountId: a.id },
    ]);
    assert.deepEqual(await store.mail.searchHeader(inbox.id, "SUBJECT", "A\0B"), [1]);
    assert.deepEqual(await store.mail.searchHeader(inbox.id, "SUBJECT", "a\nb"), []);
    // Two occurrences are joined with "\n": a needle across them matches neither alone.
    assert.deepEqual(await store.mail.searchHeader(inbox.id, "TO", "p@example.org\nq"), []);
    assert.deepEqual(await store.mail.searchHeader(inbox.id, "TO", "q@"), [2]);
  });
});

/** The message ids (account scope) of some UIDs of a mailbox, ascending. */
async function idsOf(store: PostgresStore, mailboxId: number, uids: number[]): Promise<number[]> {
  const out: number[] = [];
  for (const m of await store.mail.listMessages(mailboxId)) if (uids.includes(m.uid)) out.push(m.id);
  return out.sort((x, y) => x - y);
}
