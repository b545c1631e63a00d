import assert from "node:assert/strict";
import { test } from "node:test";
import type { AuthSummary } from "../../postoffice/types.js";
import { authRules } from "./auth.js";
import { message, names, ruleInput } from "./test-input.js";

const base: AuthSummary = {
  spf: "neutral",
  dkim: [{ domain: "x.example", result: "pass", aligned: false }],
  dmarc: null,
  arc: "none",
};

test("authentication results as signals", () => {
  const cases: [Partial<AuthSummary>, string[]][] = [
    [{ spf: "fail" }, ["SPF_FAIL", "DKIM_VALID"]],
    [{ spf: "softfail" }, ["SPF_SOFTFAIL", "DKIM_VALID"]],
    [{ spf: "pass" }, ["SPF_PASS", "DKIM_VALID"]],
    [{ dkim: [] }, ["DKIM_NONE"]],
    [{ dkim: [{ domain: "sender.example", result: "pass", aligned: true }] }, ["DKIM_VALID_AU"]],
    [{ dkim: [{ domain: "x.example", result: "fail", aligned: false }] }, ["DKIM_INVALID"]],
    [
      { dmarc: { result: "fail", domain: "bank.example", policy: "reject" } },
      ["DKIM_VALID", "DMARC_FAIL_REJECT"],
    ],
    [
      { dmarc: { result: "fail", domain: "bank.example", policy: "quarantine" } },
      ["DKIM_VALID", "DMARC_FAIL_QUARANTINE"],
    ],
    [
      { dmarc: { result: "fail", domain: "bank.example", policy: "none" } },
      ["DKIM_VALID", "DMARC_FAIL_NONE"],
    ],
    [{ dmarc: { result: "pass", domain: "sender.example", policy: "none" } }, ["DKIM_VALID", "DMARC_PASS"]],
    [{ arc: "fail" }, ["DKIM_VALID", "ARC_INVALID"]],
    [{ arc: "pass" }, ["DKIM_VALID", "ARC_VALID"]],
  ];
  for (const [over, want] of cases)
    assert.deepEqual(names(authRules, message(), { auth: { ...base, ...over } }), want, JSON.stringify(over));
  assert.deepEqual(names(authRules, message(), { auth: null }), []);
});

test("an aligned pass scores below zero, a failure above", () => {
  const score = (a: Partial<AuthSummary>) =>
    authRules.run({ ...ruleFor(a) }).reduce((s, x) => s + x.score, 0);
  assert.ok(
    score({
      spf: "pass",
      dkim: [{ domain: "sender.example", result: "pass", aligned: true }],
      dmarc: { result: "pass", domain: "sender.example", policy: "reject" },
    }) < 0,
  );
  assert.ok(
    score({ spf: "fail", dkim: [], dmarc: { result: "fail", domain: "sender.example", policy: "reject" } }) >
      4,
  );
});

function ruleFor(a: Partial<AuthSummary>) {
  return ruleInput(message(), { auth: { ...base, ...a } });
}
