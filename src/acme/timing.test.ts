import assert from "node:assert/strict";
import { test } from "node:test";
import { daysLeft, renewalDue, retryDelayMs } from "./timing.js";

const DAY = 86_400_000;

test("renewal is due two thirds into a 90-day certificate: day 60", () => {
  const notBefore = new Date("2026-01-01T00:00:00Z");
  const notAfter = new Date(notBefore.getTime() + 90 * DAY);
  assert.equal(
    renewalDue({ notBefore, notAfter }, 67).getTime(),
    notBefore.getTime() + Math.floor(90 * DAY * 0.67),
  );
  const due = renewalDue({ notBefore, notAfter }, 67);
  assert.equal(daysLeft(notAfter, due), 29);
  assert.equal(daysLeft(notAfter, new Date(notAfter.getTime() + 1)), -1);
});

test("backoff doubles from the minimum, stops at the maximum, and honours a longer Retry-After", () => {
  const d = (failures: number, retryAfterSec?: number) =>
    retryDelayMs({ failures, minSec: 300, maxSec: 3600, retryAfterSec }) / 1000;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 50].map((f) => d(f)),
    [300, 600, 1200, 2400, 3600, 3600],
  );
  assert.equal(d(1, 7200), 7200);
  assert.equal(d(3, 10), 1200);
});
