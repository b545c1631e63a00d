// The virtualised list's rows in the DOM and its scrolling to the cursor (ui/list-window.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { listWindow, scrollToRow } from "./list-window";

const o = { rowHeight: 64, overscan: 8, height: 640 };

test("the rows in view and an overscan either side, never past the end", () => {
  assert.deepEqual(listWindow({ ...o, scrollTop: 0, total: 100_000 }), { first: 0, last: 18 });
  assert.deepEqual(listWindow({ ...o, scrollTop: 64 * 1000, total: 100_000 }), { first: 992, last: 1018 });
  assert.deepEqual(listWindow({ ...o, scrollTop: 0, total: 3 }), { first: 0, last: 2 });
  assert.deepEqual(listWindow({ ...o, scrollTop: 0, total: 0 }), { first: 0, last: -1 });
  assert.deepEqual(listWindow({ ...o, scrollTop: 0, total: null }), { first: 0, last: 18 }, "unknown total");
});

test("scrollToRow: up to a row above, down to one below, nothing for one in view", () => {
  const v = { rowHeight: 64, height: 640 };
  assert.equal(scrollToRow(5, { ...v, scrollTop: 64 * 10 }), 320);
  assert.equal(scrollToRow(20, { ...v, scrollTop: 0 }), 64 * 21 - 640);
  assert.equal(scrollToRow(9, { ...v, scrollTop: 0 }), null);
  assert.equal(scrollToRow(10, { ...v, scrollTop: 0 }), 64);
});
