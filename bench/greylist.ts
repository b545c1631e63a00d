// Greylisting store benchmark: the cost of one GreylistStore.check per kind of decision, one at a
// time and 20 at once, against the same write as its own synchronous=FULL transaction
// (SettingsStore.claimVacationReply, which does not use the group commit), so the choice of the
// group commit for greylisting writes is visible.
// Usage: node --import tsx bench/greylist.ts [--count N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalNotifier } from "../src/store/notifier.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { exitWithHelpIfAsked } from "./args.js";

exitWithHelpIfAsked(import.meta.url);

const i = process.argv.indexOf("--count");
const count = i >= 0 ? Number(process.argv[i + 1]) : 400;
if (!Number.isSafeInteger(count) || count <= 0) throw new Error("--count must be a positive integer");

const dir = mkdtempSync(join(tmpdir(), "yubin-bench-greylist-"));
const store = await openSqliteStore({ dataDir: dir, notifier: new LocalNotifier() });
try {
  await store.directory.addDomain("example.com");
  const bob = await store.directory.createAccount({ address: "bob@example.com", passwordHash: "x" });
  const policy = { delaySec: 300, retryWindowSec: 86_400, passedTtlSec: 36 * 86_400, autoAllowAfter: 0 };
  const first = new Date("2030-01-01T00:00:00Z");
  const retry = new Date(first.getTime() + 301_000);
  const triplet = (tag: string, n: number) => ({
    network: `10.${(n >> 8) & 255}.${n & 255}.0/24`,
    sender: `s${n}@example.org`,
    recipient: `${tag}@example.com`,
  });

  async function timed(label: string, concurrency: number, fn: (n: number) => Promise<unknown>) {
    const t0 = process.hrtime.bigint();
    for (let n = 0; n < count; n += concurrency) {
      await Promise.all(Array.from({ length: Math.min(concurrency, count - n) }, (_, k) => fn(n + k)));
    }
    const us = Number(process.hrtime.bigint() - t0) / 1000 / count;
    console.log(
      `${label.padEnd(52)} concurrency ${String(concurrency).padStart(2)}: ${us.toFixed(0).padStart(6)} µs/check`,
    );
  }

  for (const c of [1, 20]) {
    const tag = `c${c}`;
    await timed("first attempt (write, group commit)", c, (n) =>
      store.greylist.check(triplet(tag, n), first, policy),
    );
    await timed("retry that passes (write, group commit)", c, (n) =>
      store.greylist.check(triplet(tag, n), retry, policy),
    );
    await timed("known sender (read only)", c, (n) => store.greylist.check(triplet(tag, n), retry, policy));
    await timed("reference: own FULL transaction per write", c, (n) =>
      store.settings.claimVacationReply(bob.id, `${tag}-${n}@example.org`, first, 1000),
    );
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
