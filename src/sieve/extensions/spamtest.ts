// RFC 5235 spamtest, spamtestplus and virustest, fed by the spam filter's verdict and the virus
// scanner's (SieveHost.spam / virus; the scales are in spamtest-scale.ts).
//   spamtest [":percent"] [COMPARATOR] [MATCH-TYPE] <value: string>
//   virustest [COMPARATOR] [MATCH-TYPE] <value: string>
import type { CompileCtx, SieveExtension, TestDef } from "../registry.js";
import { spamtestPercent, spamtestValue, virustestValue } from "./spamtest-scale.js";

const NOT_TESTED: readonly string[] = [];

/** RFC 5235 3.2: "spamtestplus" brings spamtest along, so either capability allows the test. */
function needsSpamtest(node: { line: number; column: number }, ctx: CompileCtx): void {
  if (!ctx.has("spamtest") && !ctx.has("spamtestplus")) {
    ctx.error(node, 'test "spamtest" needs require "spamtest" or "spamtestplus"');
  }
}

export const spamtestTest: TestDef = {
  name: "spamtest",
  capability: null,
  positional: ["string"],
  matching: true,
  tags: [{ name: ":percent", capability: "spamtestplus" }],
  validate(a, ctx) {
    needsSpamtest(a.node, ctx);
  },
  compile(a, ctx) {
    const match = ctx.matcher(a, ctx.strings(a.positional[0]!));
    const percent = a.tags.has(":percent");
    // RFC 5235 3.1: ":count" of the result is 1 when a test was done, 0 when not.
    const counting = a.tags.has(":count");
    return (rt) =>
      counting && !rt.host.spam
        ? match(NOT_TESTED, rt)
        : match([percent ? spamtestPercent(rt.host.spam) : spamtestValue(rt.host.spam)], rt);
  },
};

export const virustestTest: TestDef = {
  name: "virustest",
  capability: "virustest",
  positional: ["string"],
  matching: true,
  compile(a, ctx) {
    const match = ctx.matcher(a, ctx.strings(a.positional[0]!));
    const counting = a.tags.has(":count");
    return (rt) => {
      const v = virustestValue(rt.host.virus);
      return match(counting && v === "0" ? NOT_TESTED : [v], rt);
    };
  },
};

export const spamtestExtension: SieveExtension = {
  capabilities: ["spamtest", "spamtestplus"],
  tests: [spamtestTest],
};

export const virustestExtension: SieveExtension = {
  capabilities: ["virustest"],
  tests: [virustestTest],
};
