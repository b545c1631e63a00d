// The vocabulary's trigram keys (schema v9): the indexer's keys (search-trigrams.ts) and SQL's
// ftw_trigram_keys() agree, a needle's keys are within the keys of every word holding it, and the
// migration turns stored text trigrams into keys a search then finds the word by.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { silentLogger } from "../../log/logger.js";
import { freshSchema, postgresSkip } from "../../testing/postgres.js";
import { LocalNotifier } from "../notifier.js";
import { openPostgresStore } from "./index.js";
import { SEARCH_TRIGRAM_KEYS } from "./schema-search-trigram-keys.js";
import { needleTrigramKeys, TRIGRAM_BUCKETS, wordTrigramKeys } from "./search-trigrams.js";

const keys = (literal: string): number[] =>
  literal === "{}"
    ? []
    : literal
        .slice(1, -1)
        .split(",")
        .map(Number)
        .sort((a, b) => a - b);

// ASCII, Latin-1, CJK, an astral character (two UTF-16 units, one code point), repeats, too short.
const WORDS = ["report", "abcabcabc", "grüße", "日本語のメール", "a𝒳bc𝒳d", "zz9k", "ab", "x", "ⅻⅻⅻⅻ"];

describe("vocabulary trigram keys", () => {
  test("keys are distinct, in range, and a needle's keys are within its word's", () => {
    for (const w of WORDS) {
      const k = keys(wordTrigramKeys(w));
      assert.equal(new Set(k).size, k.length, w);
      assert.ok(
        k.every((n) => Number.isInteger(n) && n >= 0 && n < TRIGRAM_BUCKETS),
        w,
      );
      const cps = Array.from(w);
      for (let i = 0; i < cps.length; i++)
        for (let j = i + 3; j <= cps.length; j++)
          for (const n of needleTrigramKeys(cps.slice(i, j).join("")))
            assert.ok(k.includes(n), `${w} ${i}-${j}`);
    }
    assert.deepEqual(keys(wordTrigramKeys("ab")), []);
    // A long needle asks for at most 24 trigrams' keys.
    assert.ok(needleTrigramKeys("abcdefghijklmnopqrstuvwxyz0123456789").length <= 24);
  });

  test("the indexer's keys are SQL's, and the migration converts stored trigrams", {
    skip: postgresSkip(),
  }, async () => {
    const s = await freshSchema();
    const store = await openPostgresStore({ url: s.url, notifier: new LocalNotifier(), log: silentLogger });
    const c = new pg.Client({ connectionString: s.url });
    await c.connect();
    try {
      for (const w of WORDS) {
        const r = await c.query<{ k: number[] }>("SELECT ftw_trigram_keys($1) AS k", [w]);
        assert.deepEqual(
          [...r.rows[0]!.k].sort((a, b) => a - b),
          keys(wordTrigramKeys(w)),
          w,
        );
      }
      // A vocabulary as schema v8 stored it (three-letter text), then v9's ALTER.
      await c.query("ALTER TABLE ftw_terms ALTER COLUMN tris TYPE TEXT[] USING '{}'");
      await c.query(
        `INSERT INTO ftw_terms (term, tris)
         SELECT w, ARRAY(SELECT DISTINCT substr(w, i, 3) FROM generate_series(1, char_length(w) - 2) AS i)
         FROM unnest($1::text[]) AS u(w)`,
        [WORDS],
      );
      await c.query(SEARCH_TRIGRAM_KEYS[1]!);
      const rows = await c.query<{ term: string; tris: number[] }>("SELECT term, tris FROM ftw_terms");
      assert.equal(rows.rows.length, WORDS.length);
      for (const r of rows.rows)
        assert.deepEqual(
          [...r.tris].sort((a, b) => a - b),
          keys(wordTrigramKeys(r.term)),
          r.term,
        );
      // The index was rebuilt with its options (schema v6's pending list).
      const opts = await c.query<{ o: string[] }>(
        "SELECT reloptions AS o FROM pg_class WHERE relname = 'ftw_terms_tris'",
      );
      assert.deepEqual(opts.rows[0]!.o, ["fastupdate=on", "gin_pending_list_limit=512"]);
      // A message holding a migrated word is found through the converted keys.
      await store.directory.addDomain("example.com");
      const a = await store.directory.createAccount({ address: "x@example.com", passwordHash: "h" });
      const box = { mailboxId: (await store.mail.getMailbox(a.id, "INBOX"))!.id };
      await store.mail.deliver(
        Buffer.from("From: a@example.org\r\nSubject: s\r\n\r\nsee 日本語のメール now\r\n"),
        [{ accountId: a.id }],
      );
      await store.fullText.catchUp();
      assert.deepEqual(await store.mail.matchText(box, "body", "本語の"), { sure: [1], maybe: [] });
      assert.deepEqual(await store.mail.matchText(box, "body", "語のx"), { sure: [], maybe: [] });
    } finally {
      await c.end();
      await store.close();
      await s.drop();
    }
  });
});
