import assert from "node:assert/strict";
import { test } from "node:test";
import { folderWanted, importedFlags, uidSet, yubinFolderName, yubinSpecialUse } from "./names.js";

test("folder names: delimiter to '/', INBOX in any case, namespace prefix dropped, '/' inside a level", () => {
  const cases: [string, string, string, string][] = [
    // path, delimiter, namespace prefix, Yubin name
    ["INBOX", "/", "", "INBOX"],
    ["inbox", ".", "INBOX.", "INBOX"],
    ["Sent", "/", "", "Sent"],
    ["Work/Projects", "/", "", "Work/Projects"],
    ["Work.Projects", ".", "", "Work/Projects"],
    ["INBOX.Sent", ".", "INBOX.", "Sent"], // Courier
    ["INBOX.Work.2024", ".", "INBOX.", "Work/2024"],
    ["Inbox.Child", ".", "", "INBOX/Child"],
    ["a/b.c", ".", "", "a_b/c"], // "/" in a level of a "."-delimited server
    ["Flat", "", "", "Flat"],
    ["Entwürfe", "/", "", "Entwürfe"],
  ];
  for (const [path, delimiter, prefix, want] of cases)
    assert.equal(yubinFolderName({ path, delimiter }, prefix), want, `${path} (${delimiter})`);
});

test("special-use: Yubin's roles only", () => {
  assert.equal(yubinSpecialUse("\\Sent"), "\\Sent");
  assert.equal(yubinSpecialUse("\\Archive"), "\\Archive");
  assert.equal(yubinSpecialUse("\\Inbox"), null);
  assert.equal(yubinSpecialUse("\\Important"), null);
  assert.equal(yubinSpecialUse(undefined), null);
});

test("folder filter: include, exclude, subtrees, INBOX in any case", () => {
  assert.equal(folderWanted(undefined, "x"), true);
  assert.equal(folderWanted({ include: ["inbox"] }, "INBOX"), true);
  assert.equal(folderWanted({ include: ["INBOX"] }, "Sent"), false);
  assert.equal(folderWanted({ include: ["Work/*"] }, "Work"), true);
  assert.equal(folderWanted({ include: ["Work/*"] }, "Work/A"), true);
  assert.equal(folderWanted({ include: ["Work/*"] }, "Workshop"), false);
  assert.equal(folderWanted({ exclude: ["Junk"] }, "Junk"), false);
  assert.equal(folderWanted({ exclude: ["Junk"] }, "Junk/Old"), true);
  assert.equal(folderWanted({ include: [], exclude: ["Trash"] }, "Sent"), true);
});

test("flags: \\Recent dropped, everything else (\\Deleted, keywords) kept", () => {
  assert.deepEqual(importedFlags(new Set(["\\Seen", "\\Recent", "\\Deleted", "$Label1", "NonJunk"])), [
    "\\Seen",
    "\\Deleted",
    "$Label1",
    "NonJunk",
  ]);
  assert.deepEqual(importedFlags(undefined), []);
});

test("uidSet compresses runs", () => {
  assert.equal(uidSet([1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
  assert.equal(uidSet([42]), "42");
  assert.equal(uidSet([]), "");
});
