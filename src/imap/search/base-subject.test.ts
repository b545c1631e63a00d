import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cpuMsOf } from "../../testing/cpu-time.js";
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
  // Nested and layered markers: step 6 peels "[fwd: ... ]" and starts again from step 2, where
  // trailers, "Re:"/"Fwd:" leaders and list blobs of the inner subject are removed in turn.
  const layered: [string, string, boolean][] = [
    ["[fwd: [fwd: Re: x]]", "x", true],
    ["[fwd: [list] Re: [fwd: y] ]", "y", true],
    ["[FWD: Re: [list] fw: [fwd: deep] ] (FWD)", "deep", true],
    ["[fwd: a] (fwd)", "a", true],
    ["Re: [blob] Fwd: hello", "hello", true],
    ["Re: [a] [b] Fwd [c]: z (fwd)", "z", true],
    ["[a] [b] text", "text", false],
    ["[a] [b]", "[b]", false],
    ["Re: [unclosed Fwd: x", "[unclosed Fwd: x", true],
    [`${"[fwd: ".repeat(1000)}x${"]".repeat(1000)}`, "x", true],
    [`${"Re: [blob] Fwd: ".repeat(1000)}x`, "x", true],
  ];
  for (const [raw, base, isReply] of layered) {
    test(`layered: ${JSON.stringify(raw.slice(0, 50))}`, () =>
      assert.deepEqual(baseSubject(raw), { base, isReply }));
  }
  test("a long run of markers is stripped quickly", () => {
    // In CPU time: a loaded CI machine inflates wall-clock time, not work.
    const ms = cpuMsOf(() =>
      assert.deepEqual(baseSubject("Re: [a] ".repeat(5000) + "x" + " (fwd)".repeat(100)), {
        base: "x",
        isReply: true,
      }),
    );
    assert.ok(ms < 2000, `${ms} ms of CPU`);
  });
});
