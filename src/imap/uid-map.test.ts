import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ImapError } from "./errors.js";
import { UidMap } from "./uid-map.js";
import { type SequenceSet, STAR } from "./wire/sequence.js";

const set = (...ranges: [number, number][]): SequenceSet => ({ kind: "ranges", ranges });

describe("UidMap", () => {
  test("seq <-> uid, append, remove", () => {
    const m = new UidMap([3, 5, 9]);
    assert.equal(m.size, 3);
    assert.equal(m.uidAt(2), 5);
    assert.equal(m.seqOf(9), 3);
    assert.equal(m.seqOf(4), 0);
    for (let u = 10; u < 100; u++) m.append(u); // grows past the initial capacity
    m.append(50); // not larger than the last: ignored
    assert.equal(m.size, 93);
    assert.equal(m.remove(5), 2);
    assert.equal(m.remove(5), 0);
    assert.equal(m.uidAt(2), 9);
    assert.equal(m.maxUid(), 99);
  });

  test("sequence sets", () => {
    const m = new UidMap([3, 5, 9, 12]);
    assert.deepEqual(m.resolveSeq(set([2, 3]), null), [5, 9]);
    assert.deepEqual(m.resolveSeq(set([STAR, 3], [1, 1]), null), [3, 9, 12]);
    assert.throws(() => m.resolveSeq(set([5, 5]), null), ImapError);
    assert.deepEqual(m.resolveSeqLenient(set([3, 99], [7, 8]), null), [9, 12]);
    assert.deepEqual(m.resolveSeq({ kind: "saved" }, [5, 7, 12]), [5, 12]);
    assert.deepEqual(new UidMap().resolveSeq(set([1, STAR]), null), []);
    assert.throws(() => new UidMap().resolveSeq(set([1, 1]), null), ImapError);
  });

  test("UID sets ignore missing UIDs; * is the largest UID", () => {
    const m = new UidMap([3, 5, 9, 12]);
    assert.deepEqual(m.resolveUid(set([4, 10]), null), [5, 9]);
    assert.deepEqual(m.resolveUid(set([100, STAR]), null), [12]); // RFC 9051 6.4.9: 100:* includes the last
    assert.deepEqual(m.resolveUid(set([1, 2], [13, 20]), null), []);
    assert.deepEqual(new UidMap().resolveUid(set([1, STAR]), null), []);
  });
});
