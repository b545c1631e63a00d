// Another connection's writes (as from another process: `yubin import` beside the server) reach
// this store's listeners as the events an own write makes; this store's own writes are not
// published twice.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { LocalNotifier, type MailEvent } from "../notifier.js";
import { DATABASE_FILE, openSqliteStore } from "./index.js";

const body = (n: number) =>
  Buffer.from(`Subject: fw ${n}\r\nMessage-ID: <fw${n}@example.org>\r\n\r\n${n}\r\n`);

/** Resolves with the events heard until `count` of them arrived (or rejects after 10 s). */
function hear(events: MailEvent[], count: number, what = ""): Promise<void> {
  const deadline = Date.now() + 10_000;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (events.length >= count) resolve();
      else if (Date.now() > deadline) reject(new Error(`${what}: heard ${JSON.stringify(events)}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

test("another connection's added, flagged, expunged mail and mailbox changes become events here", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "yubin-foreign-"));
  const notifier = new LocalNotifier();
  const server = await openSqliteStore({ dataDir, notifier, externalChangePollMs: 30 });
  const cli = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
  try {
    await server.directory.addDomain("example.com");
    const a = await server.directory.createAccount({ address: "a@example.com", passwordHash: "h" });
    const inbox = (await server.mail.getMailbox(a.id, "INBOX"))!;
    const events: MailEvent[] = [];
    notifier.subscribe(a.id, { onMailEvent: (e) => events.push(e) });
    await new Promise((r) => setTimeout(r, 100)); // the first look takes the snapshot

    // Our own write: one event, not two.
    await server.mail.deliver(body(0), [{ accountId: a.id }]);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(
      events.map((e) => e.kind),
      ["added"],
    );
    events.length = 0;

    const r = await cli.imports.importBatch(a.id, inbox.id, [
      { body: body(1), flags: [], internalDate: new Date() },
      { body: body(2), flags: [], internalDate: new Date() },
    ]);
    await hear(events, 1, "import");
    const modseq = (await server.mail.getMailboxById(inbox.id))!.highestModseq;
    assert.deepEqual(events, [
      // Marked made elsewhere: a worker's notifier does not send it on to the others.
      {
        kind: "added",
        accountId: a.id,
        mailboxId: inbox.id,
        uids: [2, 3],
        modseq,
        cause: "append",
        remote: true,
      },
    ]);
    events.length = 0;

    await cli.mail.setFlags(inbox.id, [r.copies[0]!.uid], { mode: "add", flags: ["\\Seen"] });
    await cli.mail.expunge(inbox.id, [r.copies[1]!.uid]);
    const box = await cli.mail.createMailbox(a.id, "Imported");
    await hear(events, 3, "flags");
    assert.deepEqual(events.map((e) => [e.kind, "uids" in e ? e.uids : "name" in e ? e.name : null]).sort(), [
      ["expunged", [3]],
      ["flags", [2]],
      ["mailbox-created", "Imported"],
    ]);
    events.length = 0;

    await cli.mail.renameMailbox(box.id, "Imported 2021");
    await hear(events, 1);
    await cli.mail.deleteMailbox(box.id);
    await hear(events, 2);
    assert.deepEqual(
      events.map((e) => [e.kind, "name" in e ? e.name : ""]),
      [
        ["mailbox-renamed", "Imported 2021"],
        ["mailbox-deleted", "Imported 2021"],
      ],
    );
  } finally {
    await cli.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a process without the indexer leaves imported bodies to the server's, which indexes them", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "yubin-foreign-fts-"));
  const server = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), externalChangePollMs: 30 });
  const cli = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), fullTextIndexer: false });
  const pending = () => {
    const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      return (db.prepare("SELECT count(*) AS n FROM fts_pending").get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  try {
    await server.directory.addDomain("example.com");
    const a = await server.directory.createAccount({ address: "a@example.com", passwordHash: "h" });
    const inbox = (await server.mail.getMailbox(a.id, "INBOX"))!;
    await server.fullText.catchUp();
    await cli.imports.importBatch(a.id, inbox.id, [{ body: body(7), flags: [], internalDate: new Date() }]);
    await new Promise((r) => setTimeout(r, 300));
    await cli.close(); // the CLI did not index it, and leaves it pending
    const deadline = Date.now() + 10_000;
    while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(pending(), 0, "the server's indexer took the imported body");
    assert.deepEqual(await server.mail.searchText({ mailboxId: inbox.id }, "text", "fw 7"), [1]);
  } finally {
    await cli.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("this store's own group commits are never taken for another process's, whenever the poll looks", async () => {
  // Another process commits all the time (a second worker), so every poll finds data_version
  // moved and compares each mailbox; the poll may run between one of our COMMITs and the
  // publication of its events (after its fsync).
  const dataDir = mkdtempSync(join(tmpdir(), "yubin-foreign-"));
  const notifier = new LocalNotifier();
  const server = await openSqliteStore({ dataDir, notifier, externalChangePollMs: 1 });
  const worker2 = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
  let stop = false;
  try {
    await server.directory.addDomain("example.com");
    const a = await server.directory.createAccount({ address: "a@example.com", passwordHash: "h" });
    const b = await server.directory.createAccount({ address: "b@example.com", passwordHash: "h" });
    const inboxA = (await server.mail.getMailbox(a.id, "INBOX"))!;
    const inboxB = (await worker2.mail.getMailbox(b.id, "INBOX"))!;
    await server.mail.deliver(body(100), [{ accountId: a.id }]);
    const { uid } = (await server.mail.listFlags(inboxA.id))[0]!;
    await worker2.mail.deliver(body(101), [{ accountId: b.id }]);
    const uidB = (await worker2.mail.listFlags(inboxB.id))[0]!.uid;
    const heard: MailEvent[] = [];
    notifier.subscribe(a.id, { onMailEvent: (e) => heard.push(e) });
    await new Promise((r) => setTimeout(r, 50)); // the first look takes the snapshot
    const other = (async () => {
      for (let i = 0; !stop && i < 100_000; i++) {
        await worker2.mail.setFlags(inboxB.id, [uidB], { mode: i % 2 ? "add" : "remove", flags: ["\\Seen"] });
      }
    })();
    for (let i = 0; i < 150; i++) {
      await server.mail.setFlags(inboxA.id, [uid], { mode: i % 2 ? "remove" : "add", flags: ["\\Flagged"] });
    }
    stop = true;
    await other;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(heard.length, 150, "one event per write");
    assert.deepEqual(
      heard.filter((e) => e.remote),
      [],
      "none of them taken for another process's",
    );
  } finally {
    stop = true;
    await worker2.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("another process's changes to an account nobody here listens to are not read, and are once someone listens", async () => {
  // `serve --workers 2`: each account's sessions are in one worker, which publishes its own
  // changes; the other worker's poll has no one to tell of them.
  const dataDir = mkdtempSync(join(tmpdir(), "yubin-foreign-"));
  const notifier = new LocalNotifier();
  const server = await openSqliteStore({ dataDir, notifier, externalChangePollMs: 10 });
  const worker2 = await openSqliteStore({ dataDir, notifier: new LocalNotifier() });
  try {
    await server.directory.addDomain("example.com");
    const a = await server.directory.createAccount({ address: "a@example.com", passwordHash: "h" });
    const b = await server.directory.createAccount({ address: "b@example.com", passwordHash: "h" });
    const inboxA = (await server.mail.getMailbox(a.id, "INBOX"))!;
    const inboxB = (await server.mail.getMailbox(b.id, "INBOX"))!;
    const read: number[] = [];
    const changesSince = server.mail.changesSince.bind(server.mail);
    server.mail.changesSince = (mailboxId, since) => {
      read.push(mailboxId);
      return changesSince(mailboxId, since);
    };
    const heardA: MailEvent[] = [];
    notifier.subscribe(a.id, { onMailEvent: (e) => heardA.push(e) });
    await new Promise((r) => setTimeout(r, 100)); // the first look takes the snapshot

    for (let i = 0; i < 5; i++) {
      await worker2.mail.deliver(body(200 + i), [{ accountId: b.id }]);
      await worker2.mail.deliver(body(300 + i), [{ accountId: a.id }]);
      await new Promise((r) => setTimeout(r, 20)); // polls in between
    }
    await hear(heardA, 5, "a's deliveries");
    // Heard in one or several events (as the polls fell), each UID once.
    assert.deepEqual(heardA.flatMap((e) => ("uids" in e ? e.uids : [])).sort(), [1, 2, 3, 4, 5]);
    assert.ok(read.includes(inboxA.id), "a's changes read");
    assert.ok(!read.includes(inboxB.id), `b's changes not read: ${JSON.stringify(read)}`);

    // Someone listens to b now: its next change is read and told.
    const heardB: MailEvent[] = [];
    notifier.subscribe(b.id, { onMailEvent: (e) => heardB.push(e) });
    await worker2.mail.deliver(body(400), [{ accountId: b.id }]);
    await hear(heardB, 1, "b's delivery");
    assert.deepEqual(heardB, [
      {
        kind: "added",
        accountId: b.id,
        mailboxId: inboxB.id,
        uids: [6],
        modseq: (await server.mail.getMailboxById(inboxB.id))!.highestModseq,
        cause: "append",
        remote: true,
      },
    ]);
  } finally {
    await worker2.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
