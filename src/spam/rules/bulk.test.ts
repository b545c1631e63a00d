import assert from "node:assert/strict";
import { test } from "node:test";
import { bulkRules } from "./bulk.js";
import { message, names, ruleInput } from "./test-input.js";

test("bulk markers", () => {
  const cases: [string, string[]][] = [
    ["", []],
    // Measured and removed (bulk.ts): newsletters people asked for write these.
    ["Precedence: bulk", []],
    ["List-Unsubscribe: <mailto:u@x.example>", []],
    ["X-Mailer: PHPMailer 6.1", ["BULK_MAILER"]],
    ["X-Mailer: Thunderbird", []],
  ];
  for (const [extra, want] of cases) assert.deepEqual(names(bulkRules, message(extra)), want, extra);
  const total = bulkRules
    .run(ruleInput(message("Precedence: bulk\nList-Unsubscribe: <x>\nX-Mailer: PHPMailer")))
    .reduce((s, x) => s + x.score, 0);
  assert.ok(total < 1, "bulk alone is far from spam");
});
