import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { baseSubject } from "./base-subject.js";

describe("baseSubject (RFC 5256 2.1)", () => {
  const cases: [string | null, string, boolean][] = [
    ["Hello", "Hello", false],
    ["Re: hello", "hello", true],
    ["RE: [list] Re: hello (fwd)", "hello", true],
    ["Fwd: Re:  Plans\t now", "Plans now", true],
    ["Re [x]: y", "y", true],
    ["[fwd: Meeting]", "Meeting", true],
    ["[list] Topic", "Topic", false],
    ["[list]", "[list]", false],
    ["Rebuttal", "Rebuttal", false],
    ["fw:fwd:re:x", "x", true],
    ["=?UTF-8?Q?Re=3A_caf=C3=A9?=", "café", true],
    [null, "", false],
  ];
  for (const [raw, base, isReply] of cases) {
    test(JSON.stringify(raw), () => assert.deepEqual(baseSubject(raw), { base, isReply }));
  }
  test("a long run of markers is stripped quickly", () => {
    const started = Date.now();
    assert.deepEqual(baseSubject("Re: [a] ".repeat(5000) + "x" + " (fwd)".repeat(100)), {
      base: "x",
      isReply: true,
    });
    assert.ok(Date.now() - started < 2000);
  });
});
