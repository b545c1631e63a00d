// setFlags' backend-neutral steps: the checks, one message's new flags, the event.
import assert from "node:assert/strict";
import { test } from "node:test";
import { StoreError } from "../errors.js";
import { checkFlagUpdate, checkUids, flagsEvent, nextFlags } from "./flag-update.js";

test("checkUids: ascending, each once; a bad UID or a non-array is StoreError invalid", () => {
  assert.deepEqual(checkUids([5, 1, 5, 3]), [1, 3, 5]);
  for (const bad of [[0], [1.5], [-2]]) assert.throws(() => checkUids(bad), StoreError);
  assert.throws(() => checkUids("1" as unknown as number[]), /UIDs must be an array/);
});

test("checkFlagUpdate: flags parsed, UNCHANGEDSINCE a non-negative integer", () => {
  const u = checkFlagUpdate([2, 1], { mode: "add", flags: ["\\Seen", "Work"], unchangedSince: 7 });
  assert.deepEqual(u, { uids: [1, 2], mode: "add", change: { bits: 1, keywords: ["Work"] }, since: 7 });
  assert.throws(() => checkFlagUpdate([1], { mode: "add", flags: [], unchangedSince: -1 }), /UNCHANGEDSINCE/);
  assert.throws(() => checkFlagUpdate([1], { mode: "add", flags: ["\\Nope"] }), /system flag/);
});

test("nextFlags: conflict past UNCHANGEDSINCE, null when nothing changes, new keywords reported once", () => {
  const added = new Set<string>();
  const row = { modseq: 5, sys_flags: 1, keywords: "Work" };
  const add = checkFlagUpdate([1], { mode: "add", flags: ["\\Flagged", "work", "$Junk"] });
  assert.deepEqual(nextFlags(row, add, added), { bits: 5, keywords: "Work $Junk" });
  assert.deepEqual([...added], ["$junk"], "Work was there already (matched case-insensitively)");
  assert.equal(nextFlags(row, checkFlagUpdate([1], { mode: "add", flags: ["\\Seen"] }), added), null);
  const since = checkFlagUpdate([1], { mode: "replace", flags: [], unchangedSince: 4 });
  assert.equal(nextFlags(row, since, added), "conflict", "RFC 7162 3.1.3: changed after 4");
  assert.deepEqual(nextFlags(row, checkFlagUpdate([1], { mode: "remove", flags: ["WORK"] }), added), {
    bits: 1,
    keywords: "",
  });
});

test("flagsEvent: keywordsAdded only when some were", () => {
  const box = { id: 3, account_id: 9 };
  assert.deepEqual(flagsEvent(box, [1, 2], 8, new Set()), {
    kind: "flags",
    accountId: 9,
    mailboxId: 3,
    uids: [1, 2],
    modseq: 8,
  });
  const e = flagsEvent(box, [1], 9, new Set(["$junk"]));
  assert.ok(e.kind === "flags");
  assert.deepEqual(e.keywordsAdded, ["$junk"]);
});
