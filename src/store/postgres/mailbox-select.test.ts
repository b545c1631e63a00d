// selectMailbox/listNew read their statement's rows by what they hold, not by position
// (mailbox-select.ts splitListing): UNION ALL promises no branch order, and when the first row was
// taken as the head, a result with the head row anywhere else read as "no mailbox".
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StoreError } from "../errors.js";
import { splitListing } from "./mailbox-select.js";

interface Head {
  uid_next: number;
}
interface Row {
  uid_next: null;
  uid: number;
}
const isHead = (r: Head | Row): r is Head => r.uid_next !== null;
const head: Head = { uid_next: 9 };
const msg = (uid: number): Row => ({ uid_next: null, uid });

describe("splitListing: a listing statement's rows whatever their order", () => {
  test("in order: the head and the messages as they came", () => {
    const r = splitListing<Head, Row>([head, msg(1), msg(4), msg(7)], isHead);
    assert.equal(r.head, head);
    assert.deepEqual(
      r.messages.map((m) => m.uid),
      [1, 4, 7],
    );
  });

  test("the head last or in the middle, messages reversed: still the mailbox, in UID order", () => {
    for (const rows of [
      [msg(1), msg(4), msg(7), head],
      [msg(7), head, msg(4), msg(1)],
    ]) {
      const r = splitListing<Head, Row>(rows, isHead);
      assert.equal(r.head, head, "a misordered result is not 'no mailbox'");
      assert.deepEqual(
        r.messages.map((m) => m.uid),
        [1, 4, 7],
      );
    }
  });

  test("no head row: no mailbox; an empty mailbox: the head alone", () => {
    assert.equal(splitListing<Head, Row>([], isHead).head, null);
    const r = splitListing<Head, Row>([head], isHead);
    assert.equal(r.head, head);
    assert.deepEqual(r.messages, []);
  });

  test("two head rows or a UID twice: an explicit error, not a wrong view", () => {
    assert.throws(
      () => splitListing<Head, Row>([head, msg(1), head], isHead),
      (e: unknown) => e instanceof StoreError && e.code === "invalid",
    );
    assert.throws(
      () => splitListing<Head, Row>([head, msg(4), msg(1), msg(4)], isHead),
      (e: unknown) => e instanceof StoreError && e.code === "invalid",
    );
  });
});
