// Several nodes delivering into one mailbox on one PostgreSQL database (issue 17): each node is a
// store of its own (its own pool), all on one schema. The mailbox row lock (mail-file.ts) must
// give every message a UID and MODSEQ of its own, both growing in commit order, and keep the
// account's quota counters exact, with nothing lost or doubled.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../log/logger.js";
import { freshSchema, postgresSkip } from "../../testing/postgres.js";
import { QuotaError } from "../errors.js";
import { LocalNotifier } from "../notifier.js";
import type { Store } from "../types.js";
import { openPostgresStore } from "./index.js";

const skip = postgresSkip();

function message(node: number, i: number): Buffer {
  return Buffer.from(
    `From: a@example.org\r\nTo: bob@example.com\r\nSubject: node ${node} message ${i}\r\n` +
      `Message-ID: <n${node}-${i}@example.org>\r\n\r\n${"x".repeat((node * 7 + i) % 50)}\r\n`,
  );
}

describe("PostgreSQL: concurrent writers on several nodes", { skip }, () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  const nodes: Store[] = [];
  before(async () => {
    schema = await freshSchema();
  });
  after(async () => {
    for (const n of nodes.splice(0)) await n.close();
    await schema?.drop();
  });

  const openNodes = async (n: number): Promise<Store[]> => {
    const out: Store[] = [];
    for (let i = 0; i < n; i++) {
      // One at a time: the migration runs once, later nodes find the schema current.
      out.push(
        await openPostgresStore({
          url: schema.url,
          notifier: new LocalNotifier(),
          log: silentLogger,
          poolSize: 8,
        }),
      );
    }
    nodes.push(...out);
    return out;
  };

  test("two nodes, 200 deliveries each into one mailbox: UIDs 1..400, MODSEQs in commit order, quota exact", async () => {
    const [a, b] = await openNodes(2);
    assert.ok(a && b);
    await a.directory.addDomain("example.com");
    const acc = await a.directory.createAccount({ address: "bob@example.com", passwordHash: "x" });
    const inbox = (await b.mail.getMailbox(acc.id, "INBOX"))!;
    const bodies = [0, 1].map((node) => Array.from({ length: 200 }, (_, i) => message(node, i)));
    const [fromA, fromB] = await Promise.all(
      [a, b].map((store, node) =>
        Promise.all(bodies[node]!.map((body) => store.mail.deliver(body, [{ accountId: acc.id }]))),
      ),
    );
    const uidsA = fromA!.map((c) => c[0]!.uid);
    const uidsB = fromB!.map((c) => c[0]!.uid);
    // Within a node, in call order (serial.ts); across the two, each UID once.
    assert.deepEqual(
      uidsA,
      [...uidsA].sort((x, y) => x - y),
    );
    assert.deepEqual(
      uidsB,
      [...uidsB].sort((x, y) => x - y),
    );
    assert.deepEqual(
      [...uidsA, ...uidsB].sort((x, y) => x - y),
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
    const list = await a.mail.listMessages(inbox.id);
    assert.equal(list.length, 400);
    for (let i = 1; i < list.length; i++) {
      // Both counters are taken under the same row lock: in UID order is in commit order.
      assert.ok(list[i]!.modseq > list[i - 1]!.modseq, `modseq of UID ${list[i]!.uid} grows`);
    }
    const box = (await b.mail.getMailboxById(inbox.id))!;
    assert.equal(box.uidNext, 401);
    assert.equal(box.highestModseq, list[list.length - 1]!.modseq);
    // Every body read back from the node that did not store it.
    const bodyOf = new Map([...bodies[0]!, ...bodies[1]!].map((x) => [x.toString("latin1"), x]));
    for (const m of list) {
      const got = await (m.uid % 2 ? a : b).mail.readBody(m.blobId);
      assert.ok(bodyOf.has(got.toString("latin1")));
    }
    const bytes = [...bodies[0]!, ...bodies[1]!].reduce((n, x) => n + x.length, 0);
    assert.deepEqual(await b.mail.quotaUsage(acc.id), {
      bytes,
      messages: 400,
      quotaBytes: 0,
      quotaMessages: 0,
    });
    const emails = await a.mail.objectChangesSince(acc.id, "email", 0, 1000);
    assert.equal(emails.changes.filter((c) => c.kind === "created").length, 400);
    const counts = await a.mail.mailboxCounts(inbox.id);
    assert.equal(counts.messages, 400);
    assert.equal(counts.size, bytes);
  });

  test("four nodes racing for the last 50 messages of a quota: exactly 50 filed, the rest QuotaError", async () => {
    const stores = await openNodes(4);
    const first = stores[0]!;
    await first.directory.addDomain("quota.example");
    const acc = await first.directory.createAccount({
      address: "full@quota.example",
      passwordHash: "x",
      quotaMessages: 50,
    });
    const results = await Promise.allSettled(
      stores.flatMap((store, node) =>
        Array.from({ length: 25 }, (_, i) =>
          store.mail.deliver(message(node + 10, i), [{ accountId: acc.id }]),
        ),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    assert.equal(ok.length, 50);
    assert.equal(refused.length, 50);
    for (const r of refused) assert.ok((r as PromiseRejectedResult).reason instanceof QuotaError);
    const usage = await stores[3]!.mail.quotaUsage(acc.id);
    assert.equal(usage.messages, 50);
    const inbox = (await first.mail.getMailbox(acc.id, "INBOX"))!;
    const uids = (await first.mail.listMessages(inbox.id)).map((m) => m.uid);
    assert.deepEqual(
      uids,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });
});
