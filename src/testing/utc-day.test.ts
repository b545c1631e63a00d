import assert from "node:assert/strict";
import { test } from "node:test";
import { clearOfUtcMidnight } from "./utc-day.js";

test("clearOfUtcMidnight returns at once far from midnight, and waits past it close to it", async () => {
  const noon = Date.parse("2026-12-07T12:00:00Z");
  const started = Date.now();
  await clearOfUtcMidnight(150_000, () => noon);
  assert.ok(Date.now() - started < 1000);
  // 100 ms before midnight with a 150 s margin: it waits 1.1 s of real time (the clock is fixed,
  // so the wait is the remaining 100 ms plus its 1 s past midnight).
  const before = Date.now();
  await clearOfUtcMidnight(150_000, () => Date.parse("2026-12-07T23:59:59.900Z"));
  assert.ok(Date.now() - before >= 1000);
});
