import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import { ruleSignals } from "../score.js";
import { largeSum, moneyRules } from "./money.js";
import { message, names, ruleInput } from "./test-input.js";

test("large sums of money: a currency and at least 10,000 of it, or millions", () => {
  const yes = [
    "I will transfer $25,000 to you",
    "the sum of US$ 10.5 million only",
    "total 15,000,000 dollars in cash",
    "earn $ 50000 a month",
    "USD 2,500,000 awaits",
    "a prize of £250 000 today",
    "you won €10m",
    "deposit (US$12,500,000.00) with us",
    "$5 million dollars",
    "about 3 million usd",
  ];
  for (const t of yes) assert.notEqual(largeSum(t), null, t);
  const no = [
    "the laptop costs $1,499",
    "$2,213 a year",
    "a $328 billion debt ceiling",
    "10,000 people came", // no currency
    "version 1.20000 of the tool",
    "call 555 123 4567",
    "order a1000 or b25000",
    "$12345678901234567890abc",
    "15,000 Kč",
    "5 million people",
    "",
  ];
  for (const t of no) assert.equal(largeSum(t), null, t);
});

test("LOTS_OF_MONEY from the subject or the text", () => {
  assert.deepEqual(names(moneyRules, message("", "Dear friend, $45,000,000 is waiting\n")), [
    "LOTS_OF_MONEY",
  ]);
  assert.deepEqual(
    names(moneyRules, message("").replace("Subject: lunch", "Subject: claim your $10,000 now")),
    ["LOTS_OF_MONEY"],
  );
  assert.deepEqual(names(moneyRules, message("", "lunch is $12\n")), []);
});

test("the filter's inbound rules include it", () => {
  const r = ruleInput(message("", "We will wire US$ 4,500,000 to your account\n"));
  const signals = ruleSignals(r.input, r.view, { outbound: false, now: r.now });
  assert.ok(signals.some((x) => x.name === "LOTS_OF_MONEY"));
});

test("hostile text is scanned in linear time", () => {
  for (const [name, unit] of [
    ["separated groups", "1,000"],
    ["currency signs", "$"],
    ["small sums with words", "$12 m "],
    ["large sums", "$10,000 "],
  ] as const)
    assertLinear(
      name,
      (n) => new Array<string>(n).fill(unit).join(""),
      (t) => largeSum(t),
      { n: 20_000, minMs: 2 },
    );
});
