// The command table: every verb names the phases it is allowed in, and every phase it is refused
// in has the text of its 503 5.5.1 (RFC 5321 §4.1.4), so no refusal goes out without a reason.
import assert from "node:assert/strict";
import { test } from "node:test";
import { commandTable } from "./index.js";
import { ANY } from "./types.js";

test("each command lists its phases and explains every refusal", () => {
  assert.ok(Object.keys(commandTable).length >= 14);
  for (const [verb, spec] of Object.entries(commandTable)) {
    assert.ok(spec.states.length > 0, `${verb} is allowed somewhere`);
    for (const phase of ANY) {
      if (spec.states.includes(phase)) continue;
      assert.match(spec.outOfSequence[phase] ?? "", /\S/, `${verb} in ${phase} has a 503 text`);
    }
  }
});

test("MAIL only between transactions, RCPT and DATA only inside one, BDAT anywhere (RFC 3030 §2)", () => {
  assert.deepEqual(commandTable.MAIL?.states, ["ready"]);
  assert.deepEqual(commandTable.RCPT?.states, ["mail"]);
  assert.deepEqual(commandTable.DATA?.states, ["mail"]);
  assert.deepEqual(commandTable.BDAT?.states, ANY);
});
