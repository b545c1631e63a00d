import assert from "node:assert/strict";
import { test } from "node:test";
import { duplicateKey, duplicateSeconds, uniqueValue } from "./duplicate-key.js";
import { environmentItem } from "./environment-items.js";
import { spamtestPercent, spamtestValue, virustestValue } from "./spamtest-scale.js";
import { vacationHandle, vacationProblem, vacationSeconds } from "./vacation-params.js";

const bounds = { minSeconds: 86400, maxSeconds: 30 * 86400 };

test("RFC 5230 4.1 / RFC 6131: interval defaults to 7 days, clamped to the site's bounds", () => {
  assert.equal(vacationSeconds({ days: null, seconds: null }, bounds), 7 * 86400);
  assert.equal(vacationSeconds({ days: 3, seconds: null }, bounds), 3 * 86400);
  assert.equal(vacationSeconds({ days: 0, seconds: null }, bounds), 86400);
  assert.equal(vacationSeconds({ days: 365, seconds: null }, bounds), 30 * 86400);
  assert.equal(vacationSeconds({ days: null, seconds: 1800 }, bounds), 86400);
  assert.equal(vacationSeconds({ days: null, seconds: 0 }, { minSeconds: 0, maxSeconds: 86400 }), 0);
  assert.equal(vacationSeconds({ days: null, seconds: 7200 }, { minSeconds: 0, maxSeconds: 86400 }), 7200);
});

test("RFC 5230 4.2: default handle follows the text; an explicit one wins", () => {
  const base = { reason: "Away", subject: null, from: null, mime: false, handle: null };
  assert.equal(vacationHandle(base), vacationHandle({ ...base }));
  assert.notEqual(vacationHandle(base), vacationHandle({ ...base, reason: "Away!" }));
  assert.notEqual(vacationHandle(base), vacationHandle({ ...base, subject: "x" }));
  assert.notEqual(vacationHandle(base), vacationHandle({ ...base, mime: true }));
  assert.equal(vacationHandle({ ...base, handle: "h1" }), "h1");
});

test("vacation :from and :addresses must be addresses", () => {
  assert.equal(vacationProblem({ from: "Me <me@example.org>", addresses: ["a@example.org"] }), null);
  assert.match(vacationProblem({ from: "me", addresses: [] }) ?? "", /:from/);
  assert.match(vacationProblem({ from: null, addresses: ["nope"] }) ?? "", /:addresses/);
});

test("RFC 7352: seconds, unique value and keys", () => {
  const b = { defaultSeconds: 7 * 86400, maxSeconds: 30 * 86400 };
  assert.equal(duplicateSeconds(null, b), 7 * 86400);
  assert.equal(duplicateSeconds(60, b), 60);
  assert.equal(duplicateSeconds(10 ** 9, b), 30 * 86400);
  assert.equal(uniqueValue(" <a@b>\r\n "), "<a@b>");
  assert.equal(uniqueValue("<a\r\n @b>"), "<a @b>");
  assert.equal(uniqueValue("  "), null);
  assert.equal(uniqueValue(null), null);
  assert.equal(duplicateKey(null, "<a@b>"), duplicateKey(null, "<a@b>"));
  assert.notEqual(duplicateKey(null, "<a@b>"), duplicateKey("h", "<a@b>"));
  assert.notEqual(duplicateKey("h", "<a@b>"), duplicateKey("h2", "<a@b>"));
  assert.equal(duplicateKey(null, "x".repeat(100_000)).length, 64);
});

test("RFC 5235: spamtest 0 untested, 1..10 as a share of the junk threshold (Pigeonhole's scale); percent; virustest", () => {
  assert.equal(spamtestValue(null), "0");
  assert.equal(spamtestValue({ score: -1.6, threshold: 5 }), "1");
  assert.equal(spamtestValue({ score: 0, threshold: 5 }), "1");
  assert.equal(spamtestValue({ score: 1, threshold: 5 }), "2");
  assert.equal(spamtestValue({ score: 4, threshold: 5 }), "8");
  assert.equal(spamtestValue({ score: 5, threshold: 5 }), "10");
  assert.equal(spamtestValue({ score: 50, threshold: 5 }), "10");
  assert.equal(spamtestPercent(null), "0");
  assert.equal(spamtestPercent({ score: 0.13, threshold: 1 }), "13");
  assert.equal(spamtestPercent({ score: 0.29, threshold: 1 }), "29");
  assert.equal(spamtestPercent({ score: 2.5, threshold: 5 }), "50");
  assert.equal(spamtestPercent({ score: 100, threshold: 5 }), "100");
  assert.equal(virustestValue(null), "0");
  assert.equal(virustestValue(1), "1");
  assert.equal(virustestValue(5), "5");
  assert.equal(virustestValue(9), "0");
});

test("RFC 5183: host items first, standard fallbacks, unknown is null", () => {
  assert.equal(environmentItem("domain", { domain: "example.org" }), "example.org");
  assert.equal(environmentItem("NAME", {}), "Yubin");
  assert.equal(environmentItem("phase", undefined), "during");
  assert.equal(environmentItem("remote-ip", {}), null);
  assert.equal(environmentItem("constructor", {}), null);
});
