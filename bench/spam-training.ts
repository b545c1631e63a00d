// Training from users' actions (src/spam/training): how long the store's MOVE of many messages
// into Junk takes (what a client's OK waits for) and how long the trainer then needs to train
// them all, off the request path, one after another. Messages of 300 words from a 5,000-word
// vocabulary, on the SQLite store.
// Usage: node --import tsx bench/spam-training.ts [--count N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../src/log/logger.js";
import { JunkTrainer } from "../src/spam/training/trainer.js";
import { LocalNotifier } from "../src/store/notifier.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { exitWithHelpIfAsked } from "./args.js";

exitWithHelpIfAsked(import.meta.url);

const i = process.argv.indexOf("--count");
const count = i >= 0 ? Number(process.argv[i + 1]) : 1000;
if (!Number.isSafeInteger(count) || count <= 0) throw new Error("--count must be a positive integer");

const dir = mkdtempSync(join(tmpdir(), "yubin-bench-training-"));
const notifier = new LocalNotifier();
const store = await openSqliteStore({ dataDir: dir, notifier });
try {
  await store.directory.addDomain("example.com");
  const a = await store.directory.createAccount({ address: "bob@example.com", passwordHash: "x" });
  const boxes = await store.mail.listMailboxes(a.id);
  const inbox = boxes.find((b) => b.name === "INBOX")!;
  const junk = boxes.find((b) => b.specialUse === "\\Junk")!;
  const text = (n: number) =>
    Array.from({ length: 300 }, (_, j) => `word${(n * 31 + j * 7) % 5000}`).join(" ");
  for (let n = 0; n < count; n++) {
    const body = `From: <s${n}@x${n % 50}.example>\r\nSubject: offer ${n}\r\nMessage-ID: <${n}@bench>\r\n\r\n${text(n)}\r\n`;
    await store.mail.deliver(Buffer.from(body), [{ accountId: a.id }]);
  }
  const trainer = new JunkTrainer({
    mail: store.mail,
    spam: store.spam,
    notifier,
    log: silentLogger,
    maxPending: count,
  }).start();
  const uids = (await store.mail.listMessages(inbox.id)).map((m) => m.uid);
  const t0 = performance.now();
  await store.mail.move(inbox.id, uids, junk.id);
  const t1 = performance.now();
  await trainer.whenIdle();
  const t2 = performance.now();
  await trainer.stop();
  console.log(
    `move of ${count} into Junk: ${(t1 - t0).toFixed(0)} ms; training them afterwards: ${(t2 - t1).toFixed(0)} ms ` +
      `(${((t2 - t1) / count).toFixed(2)} ms/message, ${trainer.trained} trained)`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
