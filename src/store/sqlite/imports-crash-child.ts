// Child process of the import crash test (imports.test.ts): files batches of BATCH messages with
// the cursor "k" written with batch k, one after another, and prints "ok k" once batch k has
// resolved. The parent SIGKILLs it mid-write.
// argv: dataDir accountId mailboxId maxBatches maxMs
import { LocalNotifier } from "../notifier.js";
import { crashBody } from "./crash-body.js";
import { openSqliteStore } from "./index.js";

export const CRASH_BATCH = 20;
export const CRASH_CURSOR_KEY = "crash\0INBOX";

if (process.argv[1]?.endsWith("imports-crash-child.ts")) {
  const [dataDir, accountArg, mailboxArg, maxArg, msArg] = process.argv.slice(2);
  const accountId = Number(accountArg);
  const deadline = Date.now() + Number(msArg);
  const store = await openSqliteStore({
    dataDir: dataDir!,
    notifier: new LocalNotifier(),
    inlineMaxBytes: 1000,
  });
  process.stdout.write("ready\n");
  for (let k = 0; k < Number(maxArg) && Date.now() < deadline; k++) {
    const messages = Array.from({ length: CRASH_BATCH }, (_, i) => ({
      body: crashBody(k * CRASH_BATCH + i),
      flags: ["\\Seen"],
      internalDate: new Date(Date.UTC(2020, 0, 1)),
      uid: 10 + k * CRASH_BATCH * 2 + i * 2,
    }));
    await store.imports.importBatch(accountId, Number(mailboxArg), messages, {
      cursor: { key: CRASH_CURSOR_KEY, value: String(k) },
    });
    process.stdout.write(`ok ${k}\n`);
  }
  await store.close();
}
