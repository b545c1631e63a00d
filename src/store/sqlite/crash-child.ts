// Child process of the crash test (sqlite.test.ts): delivers messages in a loop, several in flight,
// and prints "ok <n>" once deliver(n) has resolved. The parent SIGKILLs it mid-write.
// argv: dataDir accountId inlineMaxBytes maxCount maxMs
import { LocalNotifier } from "../notifier.js";
import { crashBody } from "./crash-body.js";
import { openSqliteStore } from "./index.js";

const [dataDir, accountArg, inlineArg, maxArg, msArg] = process.argv.slice(2);
const accountId = Number(accountArg);
const maxCount = Number(maxArg);
const deadline = Date.now() + Number(msArg);
const store = await openSqliteStore({
  dataDir: dataDir!,
  notifier: new LocalNotifier(),
  inlineMaxBytes: Number(inlineArg),
});
process.stdout.write("ready\n");
let next = 0;
const worker = async () => {
  while (next < maxCount && Date.now() < deadline) {
    const n = next++;
    await store.mail.deliver(crashBody(n), [{ accountId }]);
    process.stdout.write(`ok ${n}\n`);
  }
};
await Promise.all(Array.from({ length: 8 }, worker));
await store.close();
