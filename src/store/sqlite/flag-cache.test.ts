import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FlagCache, MailboxFlagCopy } from "./flag-cache.js";

function copyOf(uids: number[], modseq = 10): MailboxFlagCopy {
  const c = new MailboxFlagCopy(modseq);
  for (const u of uids) c.push(u, u, 0, "");
  return c;
}

const rows = (c: MailboxFlagCopy) =>
  c.uids.map((u, i) => [u, c.modseqs[i], c.bits[i], c.keywords[i]] as const);

describe("MailboxFlagCopy", () => {
  test("lowerBound finds the first UID at or above", () => {
    const c = copyOf([2, 4, 6]);
    assert.deepEqual(
      [0, 2, 3, 4, 6, 7].map((u) => c.lowerBound(u)),
      [0, 0, 1, 1, 2, 3],
    );
    assert.equal(copyOf([]).lowerBound(5), 0);
  });

  test("upsert appends, replaces and inserts in UID order", () => {
    const c = copyOf([2, 4]);
    c.upsert(9, 20, 1, "$a"); // new mail: above every UID
    c.upsert(4, 21, 8, ""); // a flag change
    c.upsert(3, 22, 2, "b c"); // moved in below the top (not done by Yubin's store, but allowed)
    c.upsert(1, 23, 0, "");
    assert.deepEqual(rows(c), [
      [1, 23, 0, ""],
      [2, 2, 0, ""],
      [3, 22, 2, "b c"],
      [4, 21, 8, ""],
      [9, 20, 1, "$a"],
    ]);
  });

  test("remove drops expunged UIDs and ignores unknown ones", () => {
    const c = copyOf([1, 2, 3, 4, 5]);
    c.remove([2, 5, 77]);
    assert.deepEqual(c.uids, [1, 3, 4]);
    assert.deepEqual(c.modseqs, [1, 3, 4]);
    assert.equal(c.bits.length, 3);
    assert.equal(c.keywords.length, 3);
    c.remove([]);
    assert.equal(c.size, 3);
    c.remove([1, 3, 4]);
    assert.equal(c.size, 0);
  });
});

describe("FlagCache", () => {
  test("keeps at most maxMessages, evicting the least recently used copies", () => {
    const cache = new FlagCache(10);
    cache.put(1, copyOf([1, 2, 3, 4]));
    cache.put(2, copyOf([1, 2, 3, 4]));
    assert.equal(cache.messages, 8);
    assert.ok(cache.get(1)); // 1 is now the most recently used
    cache.put(3, copyOf([1, 2, 3]));
    assert.equal(cache.get(2), undefined);
    assert.ok(cache.get(1));
    assert.ok(cache.get(3));
    assert.equal(cache.messages, 7);
  });

  test("a copy that grew is counted again when put back; one too big is not kept", () => {
    const cache = new FlagCache(6);
    const c = copyOf([1, 2, 3]);
    cache.put(1, c);
    c.upsert(4, 4, 0, "");
    c.upsert(5, 5, 0, "");
    cache.put(1, c);
    assert.equal(cache.messages, 5);
    c.remove([1, 2, 3, 4]);
    cache.put(1, c);
    assert.equal(cache.messages, 1);
    cache.put(2, copyOf([1, 2, 3, 4, 5, 6, 7]));
    assert.equal(cache.get(2), undefined);
    assert.equal(cache.fits(7), false);
    assert.equal(cache.messages, 1);
    cache.drop(1);
    assert.equal(cache.messages, 0);
    assert.equal(cache.get(1), undefined);
  });
});
