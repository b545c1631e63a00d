// SpamStore benchmark (src/store/sqlite/spam.ts): the cost of the filter's one read per message,
// tokenCounts of ~1,000 hashes (half known, half not) against a global model of --tokens distinct
// tokens, and of training one message into [global, user], one at a time and 20 at once.
// Then --users accounts each train --user-messages messages of 300 tokens (a third shared across
// users) into [global, own]: the database's size and the process's RSS with that many per-user
// models, and a lookup in one user's model. Models live in SQLite, not in the heap.
// Usage: node --import tsx bench/spam-store.ts [--tokens N] [--lookups N] [--users N] [--user-messages N]
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalNotifier } from "../src/store/notifier.js";
import { DATABASE_FILE, openSqliteStore } from "../src/store/sqlite/index.js";
import { exitWithHelpIfAsked } from "./args.js";

exitWithHelpIfAsked(import.meta.url);

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer`);
  return v;
}
const modelTokens = arg("--tokens", 200_000);
const lookups = arg("--lookups", 2_000);
const users = arg("--users", 1_000);
const userMessages = arg("--user-messages", 5);
const PER_MESSAGE = 1_000;

/** A deterministic spread of 53-bit hashes (splitmix-like), as the classifier's would be. */
function hash(n: number): number {
  let x = BigInt(n) * 0x9e3779b97f4a7c15n;
  x = (x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n;
  return Number((x ^ (x >> 31n)) & ((1n << 53n) - 1n));
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const show = (label: string, us: number[]) => {
  us.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} p50 ${(pct(us, 50) / 1000).toFixed(2).padStart(7)} ms  p99 ${(pct(us, 99) / 1000).toFixed(2).padStart(7)} ms  (n=${us.length})`,
  );
};

const dir = mkdtempSync(join(tmpdir(), "yubin-bench-spam-store-"));
const store = await openSqliteStore({ dataDir: dir, notifier: new LocalNotifier() });
try {
  await store.directory.addDomain("example.com");
  const bob = await store.directory.createAccount({ address: "bob@example.com", passwordHash: "x" });
  // The model: messages of PER_MESSAGE distinct hashes each, trained 20 at a time into scope 0.
  const t0 = Date.now();
  const messages = Math.ceil(modelTokens / PER_MESSAGE);
  for (let m = 0; m < messages; m += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, messages - m) }, (_, k) => {
        const base = (m + k) * PER_MESSAGE;
        const hashes = Array.from({ length: PER_MESSAGE }, (_, i) => hash(base + i));
        return store.spam.train({
          accountId: 0,
          key: `corpus-${m + k}`,
          as: (m + k) % 2 ? "ham" : "spam",
          hashes,
          scopes: [0],
        });
      }),
    );
  }
  const stats = await store.spam.modelStats();
  const dbBytes = () =>
    statSync(join(dir, DATABASE_FILE)).size +
    (statSync(join(dir, `${DATABASE_FILE}-wal`), { throwIfNoEntry: false })?.size ?? 0);
  const bytes = dbBytes();
  console.log(
    `model: ${stats.tokens} tokens from ${messages} messages, built in ${((Date.now() - t0) / 1000).toFixed(1)} s; database ${(bytes / 1e6).toFixed(1)} MB`,
  );

  // Lookups: 500 known tokens (random across the model) and 500 the model never saw.
  // Wall time and this process's CPU time of each call: on a shared machine the wall time's tail is
  // mostly waiting for a core; the CPU time is what the lookup costs.
  const reads: number[] = [];
  const cpu: number[] = [];
  for (let n = 0; n < lookups; n++) {
    const hashes = Array.from({ length: PER_MESSAGE }, (_, i) =>
      i % 2 ? hash(Math.floor(Math.random() * modelTokens)) : hash(1e9 + n * PER_MESSAGE + i),
    );
    const c = process.cpuUsage();
    const s = process.hrtime.bigint();
    const got = await store.spam.tokenCounts(0, hashes);
    reads.push(Number(process.hrtime.bigint() - s) / 1000);
    const used = process.cpuUsage(c);
    cpu.push(used.user + used.system);
    if (got.size < 400) throw new Error(`only ${got.size} known tokens found`);
  }
  show(`tokenCounts, ${PER_MESSAGE} hashes (half known), wall`, reads);
  show(`tokenCounts, ${PER_MESSAGE} hashes (half known), CPU`, cpu);

  for (const c of [1, 20]) {
    const trains: number[] = [];
    const trainCpu: number[] = [];
    for (let n = 0; n < 200; n += c) {
      await Promise.all(
        Array.from({ length: c }, async (_, k) => {
          const hashes = Array.from({ length: PER_MESSAGE }, (_, i) =>
            hash(Math.floor(Math.random() * modelTokens * 1.1) + i),
          );
          const cu = process.cpuUsage();
          const s = process.hrtime.bigint();
          await store.spam.train({
            accountId: bob.id,
            key: `c${c}-${n + k}`,
            as: "spam",
            hashes,
            scopes: [0, bob.id],
          });
          trains.push(Number(process.hrtime.bigint() - s) / 1000);
          const used = process.cpuUsage(cu);
          trainCpu.push(used.user + used.system);
        }),
      );
    }
    show(`train, ${PER_MESSAGE} hashes into [0, user], concurrency ${c} (durable), wall`, trains);
    // At concurrency 1 the CPU time is one training's (tokens, totals, record, commit).
    if (c === 1) show(`train, ${PER_MESSAGE} hashes into [0, user], concurrency 1, CPU`, trainCpu);
  }

  const rss0 = process.memoryUsage().rss;
  const t1 = Date.now();
  const ids: number[] = [];
  for (let u = 0; u < users; u++) {
    ids.push((await store.directory.createAccount({ address: `u${u}@example.com`, passwordHash: "x" })).id);
  }
  const jobs = ids.flatMap((id, u) => Array.from({ length: userMessages }, (_, m) => ({ id, u, m })));
  for (let j = 0; j < jobs.length; j += 20) {
    await Promise.all(
      jobs.slice(j, j + 20).map(({ id, u, m }) => {
        const hashes = Array.from({ length: 300 }, (_, i) =>
          i % 3 === 0 ? hash(5e9 + ((u * 7 + m * 300 + i) % 20_000)) : hash(6e9 + u * 1e5 + m * 300 + i),
        );
        return store.spam.train({
          accountId: id,
          key: `u-${m}`,
          as: m % 2 ? "ham" : "spam",
          hashes,
          scopes: [0, id],
        });
      }),
    );
  }
  const st = process.hrtime.bigint();
  const after = await store.spam.modelStats();
  const statsMs = Number(process.hrtime.bigint() - st) / 1e6;
  const userReads: number[] = [];
  for (let n = 0; n < 500; n++) {
    const u = Math.floor(Math.random() * users);
    const hashes = Array.from({ length: PER_MESSAGE }, (_, i) => hash(6e9 + u * 1e5 + (i % 1500)));
    const c = process.cpuUsage();
    await store.spam.tokenCounts(ids[u]!, hashes);
    const used = process.cpuUsage(c);
    userReads.push(used.user + used.system);
  }
  console.log(
    `${users} per-user models (${userMessages} messages each) trained in ${((Date.now() - t1) / 1000).toFixed(1)} s: ` +
      `${after.models} models, ${after.tokens} tokens in all (modelStats ${statsMs.toFixed(2)} ms); database ${(dbBytes() / 1e6).toFixed(1)} MB; ` +
      `RSS ${(rss0 / 1e6).toFixed(0)} MB before, ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB after`,
  );
  show(`tokenCounts in one user's model, ${PER_MESSAGE} hashes, CPU`, userReads);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
