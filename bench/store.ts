// Store benchmark: durable deliveries per second with group commit, against a baseline of
// "write a file + fsync" one at a time on the same disk, so the ratio is visible.
// Usage: npm run bench:store -- [--count N] [--concurrency N] [--size BYTES] [--baseline N] [--dir PATH]
// or env STORE_BENCH_COUNT, STORE_BENCH_CONCURRENCY, STORE_BENCH_SIZE, STORE_BENCH_BASELINE, STORE_BENCH_DIR.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { LocalNotifier } from "../src/store/notifier.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { exitWithHelpIfAsked } from "./args.js";

exitWithHelpIfAsked(import.meta.url);

function option(name: string, env: string, def: number | string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : process.env[env];
  return v ?? String(def);
}
function intOption(name: string, env: string, def: number): number {
  const n = Number(option(name, env, def));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const count = intOption("count", "STORE_BENCH_COUNT", 10_000);
const concurrency = intOption("concurrency", "STORE_BENCH_CONCURRENCY", 20);
const size = intOption("size", "STORE_BENCH_SIZE", 4096);
const baselineFiles = intOption("baseline", "STORE_BENCH_BASELINE", 2000);
const root = mkdtempSync(join(option("dir", "STORE_BENCH_DIR", tmpdir()), "yubin-bench-"));

function message(n: number): Buffer {
  const head = Buffer.from(
    `From: a@example.org\r\nTo: b@example.com\r\nSubject: bench ${n}\r\nMessage-ID: <b${n}@x>\r\n\r\n`,
  );
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), "x")]);
}

function baseline(): number {
  const dir = mkdtempSync(join(root, "fsync-"));
  const data = Buffer.alloc(size, "y");
  const t0 = performance.now();
  for (let i = 0; i < baselineFiles; i++) {
    const fd = openSync(join(dir, `f${i}`), "w");
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
  }
  return baselineFiles / ((performance.now() - t0) / 1000);
}

async function deliveries(): Promise<{ rate: number; batches: number; listMs: number }> {
  const dataDir = join(root, "store");
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
  try {
    await store.directory.addDomain("example.com");
    const acc = await store.directory.createAccount({ address: "bench@example.com", passwordHash: "x" });
    const bodies = Array.from({ length: count }, (_, i) => message(i));
    const before = store.stats.batches;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const n = next++;
          await store.mail.deliver(bodies[n]!, [{ accountId: acc.id }]);
        }
      }),
    );
    const rate = count / ((performance.now() - t0) / 1000);
    const inbox = (await store.mail.getMailbox(acc.id, "INBOX"))!;
    const t1 = performance.now();
    const list = await store.mail.listMessages(inbox.id);
    const listMs = performance.now() - t1;
    if (list.length !== count) throw new Error(`expected ${count} messages, found ${list.length}`);
    return { rate, batches: store.stats.batches - before, listMs };
  } finally {
    await store.close();
  }
}

try {
  const base = baseline();
  const r = await deliveries();
  console.log(
    `disk baseline: ${base.toFixed(0)} files/s (write ${size} B + fsync, ${baselineFiles} files, one at a time)`,
  );
  console.log(
    `store deliver: ${r.rate.toFixed(0)} messages/s (${count} x ${size} B, ${concurrency} concurrent writers, ` +
      `${r.batches} commits, ${(count / r.batches).toFixed(1)} messages per commit)`,
  );
  console.log(`ratio: ${(r.rate / base).toFixed(1)}x the one-fsync-per-message baseline`);
  console.log(`listMessages of ${count}: ${r.listMs.toFixed(1)} ms`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
