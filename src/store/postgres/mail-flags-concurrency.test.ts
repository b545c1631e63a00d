// Two nodes writing one mailbox at once (issue 17): two PostgreSQL stores, each with its own pool,
// on one schema, as two nodes on one database. Every change must take a mod-sequence of its own
// (RFC 7162 3.1.2: strictly increasing per mailbox), whichever node makes it: the mailbox row
// lock (mail-flags.ts) serialises the writers, so the mod-sequences handed out are exactly the
// range above the starting one, without repeat or gap, and HIGHESTMODSEQ is the largest.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { postgresSkip } from "../../testing/postgres.js";
import { account } from "../contract-kit.js";
import type { Store } from "../types.js";
import { SchemaNodes } from "./test-nodes.js";

const skip = postgresSkip();
const MESSAGES = 8;
const CALLS_PER_NODE = 15;

const message = (n: number) =>
  Buffer.from(
    `From: a@example.org\r\nSubject: m${n}\r\nMessage-ID: <c${n}@example.org>\r\n\r\nbody ${n}\r\n`,
  );

describe("PostgreSQL: concurrent writers on one mailbox", { skip }, () => {
  const nodes = new SchemaNodes();
  let a: Store;
  let b: Store;
  before(async () => {
    await nodes.start();
    a = await nodes.open({ poolSize: 4 });
    b = await nodes.open({ poolSize: 4 });
  });
  after(() => nodes.close());

  test("flag updates from two pools: every MODSEQ distinct, contiguous, HIGHESTMODSEQ the largest", async () => {
    const acc = await account(a, "flags@example.com");
    const box = await a.mail.createMailbox(acc.id, "Race");
    for (let i = 1; i <= MESSAGES; i++) await a.mail.append(acc.id, box.id, { body: message(i) });
    const start = (await a.mail.getMailboxById(box.id))!.highestModseq;
    const uids = Array.from({ length: MESSAGES }, (_, i) => i + 1);
    // Each call sets a keyword no other call sets, so it changes every message.
    const calls = [a, b].flatMap((node, n) =>
      Array.from({ length: CALLS_PER_NODE }, (_, i) =>
        node.mail.setFlags(box.id, uids, { mode: "add", flags: [`k${n}x${i}`] }),
      ),
    );
    const results = await Promise.all(calls);
    const all: number[] = [];
    for (const r of results) {
      assert.equal(r.updated.length, MESSAGES);
      const mine = r.updated.map((u) => u.modseq);
      // Within one call: one per message, consecutive, in UID order (one lock holder at a time).
      assert.deepEqual(
        mine,
        mine.map((_, i) => mine[0]! + i),
      );
      all.push(...mine);
    }
    all.sort((x, y) => x - y);
    const total = 2 * CALLS_PER_NODE * MESSAGES;
    assert.deepEqual(
      all,
      Array.from({ length: total }, (_, i) => start + 1 + i),
      "each change took the next MODSEQ: none shared, none skipped",
    );
    for (const node of [a, b]) {
      const top = (await node.mail.getMailboxById(box.id))!.highestModseq;
      assert.equal(top, start + total, "HIGHESTMODSEQ is the largest given");
      const list = await node.mail.listMessages(box.id);
      assert.equal(Math.max(...list.map((m) => m.modseq)), top);
      for (const m of list) assert.equal(m.flags.length, 2 * CALLS_PER_NODE, "no update was lost");
      // changesSince agrees with the rows: each message once, at its last MODSEQ.
      const changes = await node.mail.changesSince(box.id, start);
      assert.deepEqual(
        changes.map((c) => [c.uid, c.modseq]),
        [...list].sort((x, y) => x.modseq - y.modseq).map((m) => [m.uid, m.modseq]),
      );
    }
  });

  test("UNCHANGEDSINCE raced from two pools: exactly one wins each round (RFC 7162 3.1.3)", async () => {
    const acc = await account(a, "cond@example.com");
    const box = await a.mail.createMailbox(acc.id, "Cond");
    await a.mail.append(acc.id, box.id, { body: message(100) });
    for (let round = 0; round < 10; round++) {
      const seen = (await a.mail.listMessages(box.id))[0]!.modseq;
      const [ra, rb] = await Promise.all(
        [a, b].map((node, n) =>
          node.mail.setFlags(box.id, [1], { mode: "add", flags: [`r${round}n${n}`], unchangedSince: seen }),
        ),
      );
      const won = [ra!, rb!].filter((r) => r.updated.length === 1);
      const lost = [ra!, rb!].filter((r) => r.failedUnchangedSince.join() === "1");
      assert.equal(won.length, 1, `round ${round}: one writer wins`);
      assert.equal(lost.length, 1, `round ${round}: the other is told the message changed`);
      assert.equal(won[0]!.updated[0]!.modseq, seen + 1);
    }
  });

  test("overlapping EXPUNGEs and flag changes from two pools: each message expunged once, MODSEQs never shared", async () => {
    const acc = await account(a, "expunge@example.com");
    const box = await a.mail.createMailbox(acc.id, "Gone");
    const count = 20;
    for (let i = 1; i <= count; i++) await a.mail.append(acc.id, box.id, { body: message(400 + i) });
    const start = (await a.mail.getMailboxById(box.id))!.highestModseq;
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    // Each expunge is one statement (mail-flags.ts); the flag changes read, then write only if the
    // mailbox did not change in between: both meet here on the same rows.
    const [ra, rb, ...flags] = await Promise.all([
      a.mail.expunge(box.id, range(1, 15)),
      b.mail.expunge(box.id, range(6, 20)),
      ...range(1, count).map((uid) =>
        (uid % 2 ? a : b).mail.setFlags(box.id, [uid], { mode: "add", flags: ["\\Seen"] }),
      ),
    ]);
    const removed = [...(ra as number[]), ...(rb as number[])].sort((x, y) => x - y);
    assert.deepEqual(removed, range(1, count), "every UID expunged by exactly one of the two");
    assert.deepEqual(await a.mail.listMessages(box.id), []);
    assert.equal((await b.mail.quotaUsage(acc.id)).messages, 0, "quota released once per message");
    const changes = await b.mail.changesSince(box.id, start);
    const gone = changes.filter((c) => c.kind === "expunged");
    assert.deepEqual(
      gone.map((c) => c.uid).sort((x, y) => x - y),
      range(1, count),
    );
    const flagModseqs = flags.flatMap((r) =>
      (r as { updated: { modseq: number }[] }).updated.map((u) => u.modseq),
    );
    const all = [...gone.map((c) => c.modseq), ...flagModseqs].sort((x, y) => x - y);
    assert.equal(new Set(all).size, all.length, "no MODSEQ given twice");
    const top = (await a.mail.getMailboxById(box.id))!.highestModseq;
    assert.equal(top, Math.max(...all), "HIGHESTMODSEQ is the largest given");
    assert.ok(all.every((m) => m > start));
    // The answers agree with the store: a UID reported removed is in `expunged`, no more.
    assert.deepEqual(await a.mail.expunge(box.id, range(1, count)), [], "nothing left to expunge");
    await assert.rejects(a.mail.expunge(999_999, [1]), { code: "not-found" });
  });

  test("one-message system-flag STOREs from two pools: MODSEQs contiguous, answers exact", async () => {
    const acc = await account(a, "one@example.com");
    const box = await a.mail.createMailbox(acc.id, "One");
    const count = 4;
    for (let i = 1; i <= count; i++) await a.mail.append(acc.id, box.id, { body: message(600 + i) });
    const start = (await a.mail.getMailboxById(box.id))!.highestModseq;
    const flagsOf = ["\\Flagged", "\\Seen", "\\Answered"];
    const calls = Array.from({ length: 48 }, (_, i) => ({
      node: i % 2 ? a : b,
      uid: 1 + (i % count),
      mode: (Math.floor(i / 3) % 2 ? "remove" : "add") as "add" | "remove",
      flag: flagsOf[i % 3]!,
    }));
    const results = await Promise.all(
      calls.map((c) => c.node.mail.setFlags(box.id, [c.uid], { mode: c.mode, flags: [c.flag] })),
    );
    const changes: { uid: number; modseq: number; flags: string[] }[] = [];
    results.forEach((r, i) => {
      const c = calls[i]!;
      assert.deepEqual(r.failedUnchangedSince, []);
      assert.ok(r.updated.length <= 1);
      for (const u of r.updated) {
        assert.equal(u.uid, c.uid);
        assert.equal(u.flags.includes(c.flag), c.mode === "add", "the reported flags are the write's");
        changes.push(u);
      }
    });
    const modseqs = changes.map((c) => c.modseq).sort((x, y) => x - y);
    assert.deepEqual(
      modseqs,
      modseqs.map((_, i) => start + 1 + i),
      "each change took the next MODSEQ: none shared, none skipped",
    );
    assert.equal((await b.mail.getMailboxById(box.id))!.highestModseq, start + changes.length);
    // Each message's flags are those its last change reported (nothing written unreported).
    for (const m of await b.mail.listMessages(box.id)) {
      const last = changes.filter((c) => c.uid === m.uid).sort((x, y) => y.modseq - x.modseq)[0];
      if (last) {
        assert.deepEqual([...m.flags].sort(), [...last.flags].sort());
        assert.equal(m.modseq, last.modseq);
      }
    }
    // UNCHANGEDSINCE on one message, system flags: both would change the message; exactly one may.
    for (let round = 0; round < 8; round++) {
      // Neither flag set (the other path: replace), so each call alone would change the message.
      await a.mail.setFlags(box.id, [1], { mode: "replace", flags: [] });
      const seen = (await a.mail.listMessages(box.id, { minUid: 1, maxUid: 1 }))[0]!.modseq;
      const [ra, rb] = await Promise.all([
        a.mail.setFlags(box.id, [1], {
          mode: "add",
          flags: ["\\Draft"],
          unchangedSince: seen,
        }),
        b.mail.setFlags(box.id, [1], {
          mode: "add",
          flags: ["\\Deleted"],
          unchangedSince: seen,
        }),
      ]);
      const won = [ra!, rb!].filter((r) => r.updated.length === 1);
      const lost = [ra!, rb!].filter((r) => r.failedUnchangedSince.join() === "1");
      assert.equal(won.length, 1, `round ${round}: one writer wins`);
      assert.equal(lost.length, 1, `round ${round}: the other is told the message changed`);
      assert.equal(won[0]!.updated[0]!.modseq, (await a.mail.getMailboxById(box.id))!.highestModseq);
    }
  });

  test("\\Recent claimed from two pools: each new message goes to exactly one claimer", async () => {
    const acc = await account(a, "recent@example.com");
    const box = await a.mail.createMailbox(acc.id, "Recent");
    const claimed: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 3; i++) await b.mail.append(acc.id, box.id, { body: message(500 + round * 3 + i) });
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).mail.claimRecent(box.id)),
      );
      for (const c of claims) for (let uid = c.from; uid <= c.to; uid++) claimed.push(uid);
    }
    claimed.sort((x, y) => x - y);
    assert.deepEqual(
      claimed,
      Array.from({ length: 30 }, (_, i) => i + 1),
      "every UID claimed once",
    );
    assert.deepEqual(await a.mail.claimRecent(box.id), { from: 31, to: 30 }, "nothing left");
  });

  test("moves in opposite directions from two pools: no deadlock, UIDs and MODSEQs never shared", async () => {
    const acc = await account(a, "move@example.com");
    const left = await a.mail.createMailbox(acc.id, "Left");
    const right = await a.mail.createMailbox(acc.id, "Right");
    for (let i = 1; i <= MESSAGES; i++) {
      await a.mail.append(acc.id, left.id, { body: message(200 + i) });
      await a.mail.append(acc.id, right.id, { body: message(300 + i) });
    }
    const moves = await Promise.all(
      Array.from({ length: MESSAGES }, (_, i) => [
        a.mail.move(left.id, [i + 1], right.id),
        b.mail.move(right.id, [i + 1], left.id),
        b.mail.setFlags(left.id, [MESSAGES - i], { mode: "add", flags: ["\\Seen"] }),
      ]).flat(),
    );
    assert.equal(moves.length, 3 * MESSAGES);
    const [l, r] = [await b.mail.listMessages(left.id), await b.mail.listMessages(right.id)];
    assert.equal(l.length + r.length, 2 * MESSAGES, "nothing lost or doubled");
    assert.equal((await a.mail.quotaUsage(acc.id)).messages, 2 * MESSAGES);
    for (const [box, list] of [
      [left, l],
      [right, r],
    ] as const) {
      const now = (await a.mail.getMailboxById(box.id))!;
      assert.equal(new Set(list.map((m) => m.uid)).size, list.length);
      assert.ok(list.every((m) => m.uid < now.uidNext));
      const changes = await a.mail.changesSince(box.id, 0);
      const modseqs = changes.map((c) => c.modseq);
      assert.equal(new Set(modseqs).size, modseqs.length, `${box.name}: no MODSEQ shared`);
      assert.equal(Math.max(...modseqs), now.highestModseq);
    }
  });
});
