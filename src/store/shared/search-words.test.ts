// How text is cut into words and a needle planned, the same for both full-text indexes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { planNeedle, wordsOf } from "./search-words.js";

test("wordsOf cuts as the ascii tokenizer does; planNeedle: inside a word, or words side by side", () => {
  assert.deepEqual(
    [...wordsOf("héllo, wörld\0x_y 日本語。です a1b2")],
    ["héllo", "wörld", "x", "y", "日本語。です", "a1b2"],
  );
  assert.deepEqual(planNeedle("Project"), { within: "project" });
  assert.deepEqual(planNeedle("会議室の予約"), { within: "会議室の予約" });
  assert.equal(planNeedle("ab"), null, "one word under three characters: the scan answers");
  assert.equal(planNeedle(" -- "), null, "separators only");
  assert.deepEqual(planNeedle("mail.Example.org"), { first: "mail", middle: ["example"], last: "org" });
  assert.deepEqual(planNeedle(" two words"), { first: "", middle: ["two"], last: "words" });
  assert.deepEqual(planNeedle('a"b'), { first: "a", middle: [], last: "b" });
});
