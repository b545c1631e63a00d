import assert from "node:assert/strict";
import { test } from "node:test";
import { clearOfUtcMidnight } from "./utc-day.js";

test("clearOfUtcMidnight returns at once far from midnight, and waits past it close to it", async () => {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  await clearOfUtcMidnight({ now: () => Date.parse("2026-12-07T12:00:00Z"), sleep });
  assert.deepEqual(waits, [], "noon: no wait");
  await clearOfUtcMidnight({ now: () => Date.parse("2026-12-07T23:57:29.999Z"), sleep });
  assert.deepEqual(waits, [], "just over 150 s before midnight: no wait");
  // 100 ms before midnight with a 150 s margin: the remaining 100 ms plus 1 s past midnight.
  await clearOfUtcMidnight({ marginMs: 150_000, now: () => Date.parse("2026-12-07T23:59:59.900Z"), sleep });
  assert.deepEqual(waits, [1100]);
  // Exactly at midnight the day has just begun: no wait.
  await clearOfUtcMidnight({ now: () => Date.parse("2026-12-08T00:00:00Z"), sleep });
  assert.deepEqual(waits, [1100]);
});

test("clearOfUtcMidnight waits with real time by default", async () => {
  const started = Date.now();
  await clearOfUtcMidnight({ marginMs: 150_000, now: () => Date.parse("2026-12-07T23:59:59.950Z") });
  assert.ok(Date.now() - started >= 1000, "waited past midnight");
});
