// The sidebar's folder tree and drag payloads (mail/folders.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { draggedIds, folderDepth, folderLeaf, MAX_DEPTH, namedRole } from "./folders";
import type { Mailbox } from "./types";

const box = (id: string, parentId: string | null, role: string | null = null, name = id): Mailbox => ({
  id,
  name,
  parentId,
  role,
  sortOrder: 0,
  totalEmails: 0,
  unreadEmails: 0,
});

test("folderDepth counts parents; a parent loop from the server stops at MAX_DEPTH", () => {
  const a = box("a", null);
  const b = box("b", "a");
  const c = box("c", "b");
  const byId = new Map([a, b, c].map((x) => [x.id, x]));
  assert.deepEqual(
    [a, b, c].map((x) => folderDepth(x, byId)),
    [0, 1, 2],
  );
  assert.equal(folderDepth(box("z", "gone"), byId), 1, "an unknown parent counts once");
  const x = box("x", "y");
  const y = box("y", "x");
  assert.equal(folderDepth(x, new Map([x, y].map((m) => [m.id, m]))), MAX_DEPTH);
});

test("folderLeaf is the last part of a path-like name", () => {
  assert.equal(folderLeaf(box("a", null, null, "Work/2026")), "2026");
  assert.equal(folderLeaf(box("a", null, null, "Work")), "Work");
});

test("namedRole: only the roles the page has a name for", () => {
  assert.equal(namedRole(box("a", null, "inbox")), "inbox");
  assert.equal(namedRole(box("a", null, "junk")), "junk");
  assert.equal(namedRole(box("a", null, "important")), null);
  assert.equal(namedRole(box("a", null, null)), null);
});

test("draggedIds: a JSON array's strings; anything else is no ids", () => {
  assert.deepEqual(draggedIds('["M1","M2"]'), ["M1", "M2"]);
  assert.deepEqual(draggedIds('["M1",2,null,{"a":1}]'), ["M1"]);
  assert.deepEqual(draggedIds('{"ids":["M1"]}'), []);
  assert.deepEqual(draggedIds("M1"), []);
  assert.deepEqual(draggedIds(""), []);
  assert.deepEqual(draggedIds(undefined), []);
});
