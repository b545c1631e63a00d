// Per-user models at scale for bench:spam: `users` accounts each train `perUser` messages (their
// own model plus the global one, as a user moving mail to Junk does), then messages are scored
// each against one user's model over the global one. Measures what 1,000 models cost: rows and
// bytes in the store, the process's RSS, and scoring time with a user's model in the lookup.
import { hashPassword } from "../../src/auth/password.js";
import type { SqliteStore } from "../../src/store/sqlite/index.js";
import type { Sample } from "./corpus.js";
import { dbBytes, openStore, pool, scoreSamples, trainCorpus } from "./yubin.js";

/** The bench users' domain; each user is a real account (training is refused for an unknown
 *  one), with the default mailboxes an account gets. */
const DOMAIN = "users.bench.example";
const USERS_IN_FLIGHT = 4;

export interface PerUserResult {
  users: number;
  perUser: number;
  trainSeconds: number;
  models: number;
  tokens: number;
  /** Database growth from the per-user training (main file and WAL after a close). */
  bytesAdded: number;
  rssBeforeMB: number;
  rssAfterTrainMB: number;
  rssAfterScoreMB: number;
  scored: number;
  msP50: number;
  msP99: number;
}

export async function perUserModels(o: {
  dataDir: string;
  store: SqliteStore;
  train: readonly Sample[];
  test: readonly Sample[];
  users: number;
  perUser: number;
  scoreCount: number;
  progress: (line: string) => void;
}): Promise<{ result: PerUserResult; store: SqliteStore }> {
  let store = o.store;
  const rssBefore = process.memoryUsage().rss;
  await store.close();
  const bytesBefore = dbBytes(o.dataDir);
  store = await openStore(o.dataDir);
  o.progress(`per-user models: creating ${o.users} accounts`);
  await store.directory.addDomain(DOMAIN);
  const passwordHash = await hashPassword("bench-password-not-used");
  const ids: number[] = [];
  for (let u = 0; u < o.users; u++)
    ids.push((await store.directory.createAccount({ address: `user${u}@${DOMAIN}`, passwordHash })).id);
  o.progress(`per-user models: ${o.users} users x ${o.perUser} messages = ${o.users * o.perUser} trainings`);
  const t0 = Date.now();
  let done = 0;
  // Four users' trainings at a time (each trainCorpus keeps up to 8 in flight): the group commit
  // shares fsyncs among them, as it does when many users act at once.
  await pool(ids, USERS_IN_FLIGHT, async (id, u) => {
    // Each user gets a spread of the training set (a stride through ham and spam alike).
    const mine = Array.from(
      { length: o.perUser },
      (_, j) => o.train[((u * o.perUser + j) * 7919) % o.train.length]!,
    );
    await trainCorpus(store, mine, { accountId: id });
    done += mine.length;
    if (done % (100 * o.perUser) === 0) o.progress(`  ${done / o.perUser} users trained (${done} messages)`);
  });
  const trainSeconds = (Date.now() - t0) / 1000;
  const stats = await store.spam.modelStats();
  const rssAfterTrain = process.memoryUsage().rss;
  await store.close();
  const bytesAdded = dbBytes(o.dataDir) - bytesBefore;
  store = await openStore(o.dataDir);
  const sample = o.test.slice(0, o.scoreCount);
  // Warm-up pass over a few messages, then the measured one, each against another user's model.
  await scoreSamples(store, sample.slice(0, 20), { accountIdOf: (i) => ids[i % ids.length]!, rules: false });
  const scores = await scoreSamples(store, sample, {
    accountIdOf: (i) => ids[(i * 37) % ids.length]!,
    rules: false,
  });
  const ms = scores.map((s) => s.classifyMs).sort((a, b) => a - b);
  const mb = (b: number) => Math.round(b / 1024 / 1024);
  return {
    store,
    result: {
      users: o.users,
      perUser: o.perUser,
      trainSeconds,
      models: stats.models,
      tokens: stats.tokens,
      bytesAdded,
      rssBeforeMB: mb(rssBefore),
      rssAfterTrainMB: mb(rssAfterTrain),
      rssAfterScoreMB: mb(process.memoryUsage().rss),
      scored: scores.length,
      msP50: quantile(ms, 0.5),
      msP99: quantile(ms, 0.99),
    },
  };
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
