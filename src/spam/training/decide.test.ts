import assert from "node:assert/strict";
import { test } from "node:test";
import { classOfKeywords, classOfTransfer, hasClassKeyword } from "./decide.js";

test("copies and moves into and out of Junk", () => {
  const cases: [Parameters<typeof classOfTransfer>, string | null][] = [
    [["move", "\\Junk", null], "spam"],
    [["copy", "\\Junk", null], "spam"],
    [["move", "\\Junk", "\\Archive"], "spam"],
    [["move", null, "\\Junk"], "ham"],
    [["copy", "\\Archive", "\\Junk"], "ham"],
    [["move", "\\Trash", "\\Junk"], null], // deleting spam says nothing new
    [["move", "\\Junk", "\\Junk"], null],
    [["move", null, null], null],
    [["deliver", "\\Junk", null], null], // our own filter's verdict: no feedback loop
    [["append", "\\Junk", null], null],
    [["append", null, "\\Junk"], null],
  ];
  for (const [args, want] of cases) assert.equal(classOfTransfer(...args), want, JSON.stringify(args));
});

test("keywords: Thunderbird's $Junk/$NotJunk and Apple Mail's Junk/NotJunk, set not present", () => {
  const cases: [string[], string | null][] = [
    [["$junk"], "spam"],
    [["junk"], "spam"],
    [["$notjunk"], "ham"],
    [["notjunk"], "ham"],
    [["$junk", "$forwarded"], "spam"],
    [["$junk", "$notjunk"], null],
    [["$label1"], null],
    [[], null],
  ];
  for (const [kw, want] of cases) assert.equal(classOfKeywords(kw), want, kw.join());
  assert.equal(hasClassKeyword(["\\Seen", "$Junk"], "spam"), true);
  assert.equal(hasClassKeyword(["\\Seen", "$Junk"], "ham"), false);
  assert.equal(hasClassKeyword(["NotJunk"], "ham"), true);
});
