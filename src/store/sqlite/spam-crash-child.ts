// Child process of the spam training crash test (spam.test.ts): trains messages in a loop, several
// in flight, and prints "ok <n>" once train(n) has resolved. The parent SIGKILLs it mid-write.
// Message n has its own tokens (spamCrashHashes) plus token 1, which every message shares.
// argv: dataDir accountId maxCount maxMs
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalNotifier } from "../notifier.js";
import { openSqliteStore } from "./index.js";

export const spamCrashHashes = (n: number): number[] => [1, 10 + n * 3, 11 + n * 3, 12 + n * 3];

// Runs only as the entry point: spam.test.ts imports this file for spamCrashHashes.
const main = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
const [dataDir, accountArg, maxArg, msArg] = process.argv.slice(2);
if (main && dataDir !== undefined) {
  const accountId = Number(accountArg);
  const maxCount = Number(maxArg);
  const deadline = Date.now() + Number(msArg);
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
  process.stdout.write("ready\n");
  let next = 0;
  const worker = async () => {
    while (next < maxCount && Date.now() < deadline) {
      const n = next++;
      await store.spam.train({
        accountId,
        key: `k${n}`,
        as: "spam",
        hashes: spamCrashHashes(n),
        scopes: [0, accountId],
      });
      process.stdout.write(`ok ${n}\n`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await store.close();
}
