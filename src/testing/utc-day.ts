// Tests that count events under "today" (DMARC and TLS-RPT rows are kept per UTC day) and read
// them back by the day computed afterwards fail when a run crosses 00:00 UTC in between: the
// events went under one day and the test looks under the next. Such a test starts clear of
// midnight instead.

/** Waits, when fewer than `marginMs` remain of the UTC day, until the next one has begun, so a
 *  test that lasts less than `marginMs` counts and reads under one day. */
export async function clearOfUtcMidnight(marginMs = 150_000, now: () => number = Date.now): Promise<void> {
  const t = now();
  const nextDay = Math.ceil((t + 1) / 86_400_000) * 86_400_000;
  if (nextDay - t >= marginMs) return;
  await new Promise((r) => setTimeout(r, nextDay - t + 1000));
}
