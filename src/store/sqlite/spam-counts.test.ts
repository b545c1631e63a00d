// The token-count read's JS halves (spam-counts.ts): the same refusals as hashList, the list
// json_each reads, and the parse of group_concat's text, checked against the real statement
// over an in-memory SQLite table with counts and hashes of every width.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import { hashList } from "../shared/spam.js";
import type { SpamTokenCounts } from "../types.js";
import { hashJson, parseCounts, sortedHashes, TOKEN_COUNTS_SQL } from "./spam-counts.js";

const BIG = 2 ** 53 - 1;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StoreError);
    assert.equal(err.code, "invalid");
    return err.message;
  }
  assert.fail("not refused");
}

describe("spam token counts (SQLite)", () => {
  test("hashes are checked as hashList checks them, sorted and each once", () => {
    const hs = [BIG, 5, 0, 5, 17, 2 ** 40, 0, 3];
    assert.deepEqual([...sortedHashes(hs)], hashList(hs));
    assert.deepEqual([...sortedHashes([])], []);
    const bad: unknown[] = [
      [1.5],
      [-1],
      [2 ** 53],
      [Number.NaN],
      ["7"],
      [null],
      "1,2",
      null,
      new Array(100_001).fill(1),
    ];
    for (const b of bad) {
      const ours = refusal(() => sortedHashes(b as number[]));
      assert.equal(
        ours,
        refusal(() => hashList(b as number[])),
        JSON.stringify(b)?.slice(0, 40),
      );
    }
  });

  test("the JSON list is the hashes' digits", () => {
    const s = sortedHashes([BIG, 1, 2 ** 40]);
    assert.equal(hashJson(s), `[1,${2 ** 40},${BIG}]`);
    assert.deepEqual(JSON.parse(hashJson(s)), [1, 2 ** 40, BIG]);
  });

  test("parseCounts reads the statement's text", () => {
    const out = new Map<number, SpamTokenCounts>();
    parseCounts(null, out);
    parseCounts("", out);
    assert.equal(out.size, 0);
    parseCounts(`0 0 1 ${BIG} 123456 7 42 9 0`, out);
    assert.deepEqual(
      [...out],
      [
        [0, { spam: 0, ham: 1 }],
        [BIG, { spam: 123456, ham: 7 }],
        [42, { spam: 9, ham: 0 }],
      ],
    );
  });

  test("the statement and parse give every stored row asked for, and only those", () => {
    const db = new Database(":memory:");
    try {
      db.exec(`CREATE TABLE spam_tokens (scope INTEGER NOT NULL, hash INTEGER NOT NULL, spam INTEGER NOT NULL,
        ham INTEGER NOT NULL, PRIMARY KEY (scope, hash)) WITHOUT ROWID`);
      const insert = db.prepare("INSERT INTO spam_tokens VALUES (?, ?, ?, ?)");
      // A deterministic spread of hashes across the 53 bits, counts up to 7 digits.
      let x = 12345;
      const next = () => {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        return x;
      };
      const stored = new Map<number, SpamTokenCounts>();
      for (let i = 0; i < 2000; i++) {
        const hash = i === 0 ? BIG : i === 1 ? 0 : (next() * 2 ** 22 + next()) % 2 ** 53;
        const c = { spam: next() % 10_000_000, ham: next() % 1000 };
        insert.run(0, hash, c.spam, c.ham);
        insert.run(7, hash, c.ham, c.spam);
        stored.set(hash, c);
      }
      const stmt = db.prepare<[string, number], string | null>(TOKEN_COUNTS_SQL).pluck(true);
      const stored0 = [...stored.keys()];
      // Asked: half the stored hashes in random order, some twice, and hashes never stored.
      const asked = [...stored0.filter((_, i) => i % 2 === 0), stored0[4]!, 1, 2, 3, BIG - 1].reverse();
      const out = new Map<number, SpamTokenCounts>();
      parseCounts(stmt.get(hashJson(sortedHashes(asked)), 0) ?? null, out);
      const expected = new Map(stored0.filter((_, i) => i % 2 === 0).map((h) => [h, stored.get(h)!]));
      assert.equal(out.size, expected.size);
      for (const [h, c] of expected) assert.deepEqual(out.get(h), c, String(h));
      // The other scope's counts, not these.
      const other = new Map<number, SpamTokenCounts>();
      parseCounts(stmt.get(hashJson(sortedHashes([stored0[2]!])), 7) ?? null, other);
      const c2 = stored.get(stored0[2]!)!;
      assert.deepEqual([...other], [[stored0[2]!, { spam: c2.ham, ham: c2.spam }]]);
      assert.equal(stmt.get(hashJson(sortedHashes([1, 2, 3])), 0), null);
    } finally {
      db.close();
    }
  });
});
