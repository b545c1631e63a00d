import assert from "node:assert/strict";
import { test } from "node:test";
import { screenRules } from "./screen.js";
import { message, ruleInput } from "./test-input.js";

test("each connection-screen reason is a signal with its weight", () => {
  const r = ruleInput(message(), {
    screen: {
      score: 4,
      reasons: ["bl.test=3", "wl.test=-5", "pregreet=3", "bare-newline=2", "helo-claims-us=reject"],
    },
  });
  assert.deepEqual(
    screenRules.run(r).map((s) => [s.name, s.score]),
    [
      ["RBL_bl.test", 3],
      ["RBL_wl.test", -5],
      ["SCREEN_PREGREET", 3],
      ["SCREEN_BARE_NEWLINE", 2],
    ],
  );
  assert.deepEqual(screenRules.run(ruleInput(message())), []);
});
