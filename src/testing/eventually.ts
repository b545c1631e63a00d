// Waiting in a test for something another node, process or timer does: polled, bounded in time,
// failing with what was awaited (no test depends on how fast the machine is, only on a bound).
import assert from "node:assert/strict";

/** Resolves once check() is true; fails the test after `ms` (by default a bound for a stuck test,
 *  not a speed requirement: a loaded 2-core CI machine is slow). */
export async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = 60_000,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
