// deliver() reuses the mailbox row it read to resolve a target for that copy's UID and
// mod-sequence (message-rows.ts insertCopy's `counters`), one statement fewer per delivery. A
// second copy into the same mailbox in one call must not reuse it: the first copy bumped it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LocalNotifier } from "../notifier.js";
import { openSqliteStore } from "./index.js";

const body = (n: number) =>
  Buffer.from(
    `From: a@example.org\r\nTo: b@example.org\r\nSubject: n${n}\r\nMessage-ID: <m${n}@x>\r\n\r\nHello ${n}\r\n`,
  );

test("deliver: copies into one mailbox in one call get their own UIDs and mod-sequences", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "yubin-deliver-counters-"));
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), fullTextIndexer: false });
  try {
    await store.directory.addDomain("example.org");
    const a = await store.directory.createAccount({ address: "b@example.org", passwordHash: "x" });
    const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
    const before = inbox.highestModseq;
    await store.mail.deliver(body(1), [{ accountId: a.id }]);
    // By name (INBOX) and by id, twice, and once more with a flag: four copies, one mailbox.
    const copies = await store.mail.deliver(body(2), [
      { accountId: a.id },
      { accountId: a.id, mailboxId: inbox.id },
      { accountId: a.id },
      { accountId: a.id, mailboxId: inbox.id, flags: ["\\Seen"] },
    ]);
    assert.deepEqual(
      copies.map((c) => c.uid),
      [2, 3, 4, 5],
    );
    const after = (await store.mail.getMailbox(a.id, "INBOX"))!;
    assert.equal(after.uidNext, 6);
    assert.equal(after.highestModseq, before + 5);
    const metas = await store.mail.listMessages(inbox.id);
    assert.deepEqual(
      metas.map((m) => m.modseq),
      [before + 1, before + 2, before + 3, before + 4, before + 5],
    );
    // Concurrent deliveries (one group commit) each read their mailbox in their own job.
    const many = await Promise.all([3, 4, 5].map((n) => store.mail.deliver(body(n), [{ accountId: a.id }])));
    assert.deepEqual(
      many.map((c) => c[0]!.uid),
      [6, 7, 8],
    );
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
