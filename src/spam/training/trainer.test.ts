// The trainer against the store alone (no protocol): which store operations train, in order, and
// the bound on what waits. The real-client tests are in training.test.ts.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openStore } from "../../app/stores.js";
import { defaultConfig } from "../../config/load.js";
import { createLogger } from "../../log/logger.js";
import { LocalNotifier, type MailEvent } from "../../store/notifier.js";
import type { Mailbox, Store } from "../../store/types.js";
import { JunkTrainer } from "./trainer.js";

const msg = (n: number) =>
  Buffer.from(`From: <s${n}@spam.test>\r\nSubject: offer ${n}\r\n\r\ncheap offer number ${n}\r\n`);

describe("JunkTrainer", () => {
  const dir = mkdtempSync(join(tmpdir(), "yubin-trainer-"));
  const notifier = new LocalNotifier();
  const logged: { level: string; msg: string; dropped?: number }[] = [];
  const log = createLogger({
    format: "json",
    level: "debug",
    write: (l) => logged.push(JSON.parse(l) as (typeof logged)[number]),
  });
  let store: Store;
  let account: number;
  let inbox: Mailbox;
  let junk: Mailbox;
  let trash: Mailbox;
  let trainer: JunkTrainer;

  before(async () => {
    const config = defaultConfig();
    config.server.dataDir = dir;
    store = await openStore(config, notifier, log);
    await store.directory.addDomain("example.test");
    account = (await store.directory.createAccount({ address: "u@example.test", passwordHash: "x" })).id;
    const boxes = await store.mail.listMailboxes(account);
    inbox = boxes.find((b) => b.name === "INBOX")!;
    junk = boxes.find((b) => b.specialUse === "\\Junk")!;
    trash = boxes.find((b) => b.specialUse === "\\Trash")!;
    trainer = new JunkTrainer({ mail: store.mail, spam: store.spam, notifier, log, maxPending: 3 }).start();
  });
  after(async () => {
    await trainer.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deliver = async (n: number, mailboxId = inbox.id) =>
    (await store.mail.deliver(msg(n), [{ accountId: account, mailboxId }]))[0]!;
  const keyOf = async (mailboxId: number, uid: number) =>
    (await store.mail.listMessages(mailboxId, { minUid: uid, maxUid: uid }))[0]!.blobId;

  test("a move into Junk trains spam, back out ham, into Trash nothing; deliveries and appends never", async () => {
    const a = await deliver(1);
    const key = await keyOf(inbox.id, a.uid);
    const moved = await store.mail.move(inbox.id, [a.uid], junk.id);
    // A delivery and an APPEND straight into Junk: the filter's verdict, a client's upload.
    const d = await deliver(2, junk.id);
    const ap = await store.mail.append(account, junk.id, { body: msg(3) });
    await trainer.whenIdle();
    assert.equal(await store.spam.trainedAs(account, key), "spam");
    assert.equal(await store.spam.trainedAs(account, await keyOf(junk.id, d.uid)), null);
    assert.equal(await store.spam.trainedAs(account, await keyOf(junk.id, ap.uid)), null);
    assert.deepEqual(await store.spam.modelTotals(0), { spam: 1, ham: 0 }, "the global model learns too");
    assert.deepEqual(await store.spam.modelTotals(account), { spam: 1, ham: 0 });

    const back = await store.mail.move(junk.id, [moved.mapping[0]!.to], inbox.id);
    await trainer.whenIdle();
    assert.equal(await store.spam.trainedAs(account, key), "ham", "moved back out: retrained");
    assert.deepEqual(await store.spam.modelTotals(0), { spam: 0, ham: 1 });

    // Junk → Trash is "delete it": the delivered one stays untrained.
    await store.mail.move(junk.id, [d.uid], trash.id);
    // Copy into Junk (clients without MOVE) trains like a move.
    await store.mail.copy(inbox.id, [back.mapping[0]!.to], junk.id);
    await trainer.whenIdle();
    assert.equal(await store.spam.trainedAs(account, await keyOf(trash.id, 1)), null);
    assert.equal(await store.spam.trainedAs(account, key), "spam");
  });

  test("keywords: setting $Junk trains, a later \\Seen does not retrain", async () => {
    const a = await deliver(10);
    const key = await keyOf(inbox.id, a.uid);
    await store.mail.setFlags(inbox.id, [a.uid], { mode: "add", flags: ["$Junk"] });
    await store.mail.setFlags(inbox.id, [a.uid], { mode: "add", flags: ["$NotJunk"] });
    await store.mail.setFlags(inbox.id, [a.uid], { mode: "remove", flags: ["$Junk"] });
    await trainer.whenIdle();
    assert.equal(await store.spam.trainedAs(account, key), "ham");
    // It still has $NotJunk; it is marked spam by a move, then read: the move stands.
    const m = await store.mail.move(inbox.id, [a.uid], junk.id);
    await store.mail.setFlags(junk.id, [m.mapping[0]!.to], { mode: "add", flags: ["\\Seen"] });
    await trainer.whenIdle();
    assert.equal(await store.spam.trainedAs(account, key), "spam");
  });

  test("at most maxPending messages wait; the rest are dropped with a warning, mail unharmed", async () => {
    const uids: number[] = [];
    for (let n = 20; n < 26; n++) uids.push((await deliver(n)).uid);
    const keys = await Promise.all(uids.map((u) => keyOf(inbox.id, u)));
    logged.length = 0;
    // Archiving more than maxPending at once is one lookup, not a full queue: nothing dropped.
    const archive = (await store.mail.listMailboxes(account)).find((b) => b.specialUse === "\\Archive")!;
    const archived = await store.mail.move(inbox.id, uids, archive.id);
    await trainer.whenIdle();
    assert.deepEqual(
      logged.filter((l) => l.level === "warn"),
      [],
    );
    await store.mail.move(
      archive.id,
      archived.mapping.map((x) => x.to),
      inbox.id,
    );
    uids.splice(0, uids.length, ...(await store.mail.listMessages(inbox.id)).slice(-6).map((m) => m.uid));
    const moved = await store.mail.move(inbox.id, uids, junk.id);
    assert.equal(moved.mapping.length, 6, "the move itself is whole");
    await trainer.whenIdle();
    const as = await Promise.all(keys.map((k) => store.spam.trainedAs(account, k)));
    assert.deepEqual(as, ["spam", "spam", "spam", null, null, null]);
    const warnings = logged.filter((l) => l.level === "warn").map((l) => [l.msg, l.dropped]);
    assert.deepEqual(warnings, [
      ["spam training queue full; dropping", undefined],
      ["spam training: messages dropped while the queue was full", 3],
    ]);
  });

  test("a message gone before its turn is skipped; a failing store is logged, never thrown", async () => {
    const a = await deliver(30);
    const b = await deliver(31);
    logged.length = 0;
    const m = await store.mail.move(inbox.id, [a.uid], junk.id);
    await store.mail.expunge(junk.id, [m.mapping[0]!.to]);
    const kb = await keyOf(inbox.id, b.uid);
    const mb = await store.mail.move(inbox.id, [b.uid], junk.id);
    await trainer.whenIdle();
    assert.equal(await store.spam.trainedAs(account, kb), "spam");
    assert.deepEqual(
      logged.filter((l) => l.level === "warn"),
      [],
    );

    // A second trainer on its own notifier, whose store refuses once: the event is published as
    // the store would, publish() returns normally, the failure is a warning, the next one trains.
    const own = new LocalNotifier();
    let fail = true;
    const spam = Object.create(store.spam) as typeof store.spam;
    spam.train = (t) => {
      if (fail) {
        fail = false;
        return Promise.reject(new Error("disk on fire"));
      }
      return store.spam.train(t);
    };
    const other = new JunkTrainer({ mail: store.mail, spam, notifier: own, log, maxPending: 10 }).start();
    const c = await deliver(32);
    const kc = await keyOf(inbox.id, c.uid);
    const event = (mailboxId: number, uid: number, fromMailboxId: number): MailEvent => ({
      kind: "added",
      accountId: account,
      mailboxId,
      uids: [uid],
      modseq: 1,
      cause: "move",
      fromMailboxId,
    });
    own.publish(event(junk.id, mb.mapping[0]!.to, inbox.id)); // b into Junk: its training fails
    own.publish(event(inbox.id, c.uid, junk.id)); // "moved out of Junk": ham
    await other.whenIdle();
    await other.stop();
    assert.deepEqual(
      logged.filter((l) => l.level === "warn").map((l) => [l.msg, (l as { error?: string }).error]),
      [["spam training failed", "disk on fire"]],
    );
    assert.equal(await store.spam.trainedAs(account, kc), "ham");
  });
});
