// Tests that count events under "today" (DMARC and TLS-RPT rows are kept per UTC day) and read
// them back by the day computed afterwards fail when a run crosses 00:00 UTC in between: the
// events went under one day and the test looks under the next. Such a test starts clear of
// midnight instead.

export interface ClearOfMidnightOptions {
  /** How long the test lasts at most: less than this left of the day, it waits for the next. */
  marginMs?: number;
  now?: () => number;
  /** How it waits (its own test passes a recorder, so it asserts no wall-clock bound). */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits, when fewer than `marginMs` (150 s) remain of the UTC day, until 1 s into the next, so
 *  a test that lasts less than `marginMs` counts and reads under one day. */
export async function clearOfUtcMidnight(opts: ClearOfMidnightOptions = {}): Promise<void> {
  const { marginMs = 150_000, now = Date.now, sleep = realSleep } = opts;
  const t = now();
  const nextDay = Math.ceil((t + 1) / 86_400_000) * 86_400_000;
  if (nextDay - t >= marginMs) return;
  await sleep(nextDay - t + 1000);
}
