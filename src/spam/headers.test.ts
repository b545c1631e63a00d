import assert from "node:assert/strict";
import { test } from "node:test";
import { spamFields, testList } from "./headers.js";

test("X-Spam-* fields in SpamAssassin's shape", () => {
  assert.deepEqual(
    spamFields({
      score: 7.34,
      required: 5,
      spam: true,
      signals: [
        { name: "BAYES_99", score: 3.5 },
        { name: "DKIM_NONE", score: 0.1 },
        { name: "SPF_PASS", score: -0.1 },
      ],
    }),
    [
      "X-Spam-Status: Yes, score=7.3 required=5.0 tests=BAYES_99=3.5,DKIM_NONE=0.1,SPF_PASS=-0.1",
      "X-Spam-Score: 7.3",
      "X-Spam-Flag: YES",
    ],
  );
  assert.deepEqual(spamFields({ score: 0, required: 5, spam: false, signals: [] }), [
    "X-Spam-Status: No, score=0.0 required=5.0 tests=none",
    "X-Spam-Score: 0.0",
  ]);
});

test("a long test list is cut with … and the field stays under 900 characters, one line", () => {
  const signals = Array.from({ length: 200 }, (_, i) => ({ name: `RBL_zone${i}.example`, score: 1 }));
  const [status] = spamFields({ score: 200, required: 5, spam: true, signals });
  assert.ok(status!.length < 900, String(status!.length));
  assert.ok(status!.endsWith(",…"));
  assert.doesNotMatch(status!, /[\r\n]/);
  assert.equal(testList(signals, 10), "…");
});
