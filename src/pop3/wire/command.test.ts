import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseCommand, parseLineCount, parseMessageNumber } from "./command.js";

describe("parseCommand", () => {
  const cases: [string, ReturnType<typeof parseCommand>][] = [
    ["STAT", { ok: true, command: { name: "STAT", args: [], rest: "" } }],
    ["retr 12", { ok: true, command: { name: "RETR", args: ["12"], rest: "12" } }],
    ["Top 1  5", { ok: true, command: { name: "TOP", args: ["1", "5"], rest: "1  5" } }],
    // PASS keeps its spaces in `rest` (RFC 1939 §7).
    [
      "PASS  pass word ",
      { ok: true, command: { name: "PASS", args: ["pass", "word"], rest: " pass word " } },
    ],
    [
      "AUTH PLAIN AGEAYg==",
      { ok: true, command: { name: "AUTH", args: ["PLAIN", "AGEAYg=="], rest: "PLAIN AGEAYg==" } },
    ],
    ["", { ok: false, reason: "empty" }],
    ["   ", { ok: false, reason: "empty" }],
    ["R3TR 1", { ok: false, reason: "bad-keyword" }],
    [" STAT", { ok: false, reason: "bad-keyword" }],
    ["STAT\t1", { ok: false, reason: "bad-keyword" }],
    ["ÜSER x", { ok: false, reason: "bad-keyword" }],
    ["A".repeat(17), { ok: false, reason: "bad-keyword" }],
  ];
  for (const [line, want] of cases) {
    test(JSON.stringify(line), () => assert.deepEqual(parseCommand(line), want));
  }
});

describe("argument parsers", () => {
  test("message numbers are positive decimals", () => {
    assert.equal(parseMessageNumber("1"), 1);
    assert.equal(parseMessageNumber("007"), 7);
    assert.equal(parseMessageNumber("999999999"), 999999999);
    for (const bad of [undefined, "", "0", "-1", "+1", "1.0", "1e3", "0x10", "1234567890", " 1"])
      assert.equal(parseMessageNumber(bad), null, String(bad));
  });
  test("TOP line counts may be zero", () => {
    assert.equal(parseLineCount("0"), 0);
    assert.equal(parseLineCount("25"), 25);
    for (const bad of [undefined, "", "-1", "a", "1234567890"])
      assert.equal(parseLineCount(bad), null, String(bad));
  });
});
