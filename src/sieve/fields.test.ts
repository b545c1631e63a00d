// Header names in tests (fields.ts): a name no field can have is not a compile error, it matches
// nothing (Pigeonhole's test-header.svtest "Invalid header name").
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "./index.js";
import { actionsOf } from "./test-kit.js";

test("a header name with a colon compiles and matches nothing", async () => {
  assert.deepEqual(checkSieve('if header :contains "subject:" "" { discard; }'), []);
  assert.deepEqual(await actionsOf('if header :contains ["subject:", "to!"] "" { discard; }'), ["keep"]);
  assert.deepEqual(await actionsOf('if exists "subject:" { discard; }'), ["keep"]);
  assert.deepEqual(await actionsOf('if header :contains "Subject" "" { discard; }'), ["discard"]);
});
