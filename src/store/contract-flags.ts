// The lean flag reads of the store contract (listFlags, uidsWithFlag, and the reads IMAP SELECT
// and FETCH combine: selectMailbox, getMessage with its body), run by runStoreContract
// (contract.ts) against every backend: they must agree exactly with the reads they stand for.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { OpenStore } from "./contract.js";
import { StoreError } from "./errors.js";
import type { MailStore, Store } from "./types.js";

async function withStore(open: OpenStore, fn: (store: Store) => Promise<void>): Promise<void> {
  const h = await open();
  try {
    await fn(h.store);
  } finally {
    await h.cleanup();
  }
}

async function rejectsWith(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => e instanceof StoreError && e.code === code);
}

function body(n: number): Buffer {
  return Buffer.from(
    `From: a@example.org\r\nSubject: flags ${n}\r\nMessage-ID: <f-${n}@example.org>\r\n\r\nx\r\n`,
  );
}

/** A mailbox of 8 messages (UIDs 2..9 after UID 1 is expunged) with system flags and keywords. */
async function flaggedMailbox(store: Store) {
  await store.directory.addDomain("example.com");
  const a = await store.directory.createAccount({ address: "flags@example.com", passwordHash: "h" });
  const box = await store.mail.createMailbox(a.id, "Flags");
  const m = store.mail;
  const given: string[][] = [
    [],
    ["\\Seen"],
    ["\\Deleted", "$Junk"],
    ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "$Label1", "Work"],
    ["$label1"],
    ["\\deleted"],
    ["Work", "$Forwarded"],
    [],
    ["\\Draft"],
  ];
  for (const [i, flags] of given.entries()) await m.append(a.id, box.id, { body: body(i), flags });
  await m.expunge(box.id, [1]);
  // Flag changes after delivery, so modseqs differ from creation and keywords keep their spelling.
  await m.setFlags(box.id, [4, 8], { mode: "add", flags: ["\\Deleted", "$LABEL1"] });
  await m.setFlags(box.id, [3], { mode: "remove", flags: ["\\Deleted"] });
  await m.setFlags(box.id, [7], { mode: "replace", flags: ["work"] });
  return box;
}

const lean = (metas: Awaited<ReturnType<MailStore["listMessages"]>>) =>
  metas.map((x) => ({ uid: x.uid, modseq: x.modseq, flags: x.flags }));

export function runFlagReadContract(open: OpenStore): void {
  describe("lean flag reads (listFlags, uidsWithFlag)", () => {
    test("listFlags equals listMessages' uid/modseq/flags, whole mailbox and ranges", () =>
      withStore(open, async (store) => {
        const m = store.mail;
        const box = await flaggedMailbox(store);
        const all = await m.listFlags(box.id);
        assert.deepEqual(all, lean(await m.listMessages(box.id)));
        assert.deepEqual(
          all.map((x) => x.uid),
          [2, 3, 4, 5, 6, 7, 8, 9],
        );
        assert.deepEqual(all[2], {
          uid: 4,
          modseq: all[2]!.modseq,
          flags: ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "$Label1", "Work"],
        });
        assert.deepEqual(all[1]!.flags, ["$Junk"]);
        assert.deepEqual(all[5]!.flags, ["work"]);
        assert.deepEqual(all[6]!.flags, ["\\Deleted", "$LABEL1"]);
        const ranges: { minUid?: number; maxUid?: number }[] = [
          { minUid: 3, maxUid: 6 },
          { minUid: 6 },
          { maxUid: 4 },
          { minUid: 1, maxUid: 1 },
          { minUid: 9, maxUid: 9 },
          { minUid: 10 },
          { minUid: 7, maxUid: 5 },
        ];
        for (const r of ranges)
          assert.deepEqual(await m.listFlags(box.id, r), lean(await m.listMessages(box.id, r)));
        assert.deepEqual(
          (await m.listFlags(box.id, { minUid: 3, maxUid: 6 })).map((x) => x.uid),
          [3, 4, 5, 6],
        );
      }));

    test("uidsWithFlag: system flags by bit, keywords case-insensitively, in UID order", () =>
      withStore(open, async (store) => {
        const m = store.mail;
        const box = await flaggedMailbox(store);
        const full = await m.listMessages(box.id);
        const having = (flag: string) =>
          full.filter((x) => x.flags.some((f) => f.toLowerCase() === flag.toLowerCase())).map((x) => x.uid);
        assert.deepEqual(await m.uidsWithFlag(box.id, "\\Deleted"), [4, 6, 8]);
        assert.deepEqual(await m.uidsWithFlag(box.id, "\\DELETED"), [4, 6, 8]);
        assert.deepEqual(await m.uidsWithFlag(box.id, "$label1"), [4, 5, 8]);
        for (const f of [
          "\\Seen",
          "\\Answered",
          "\\Flagged",
          "\\Deleted",
          "\\Draft",
          "$Label1",
          "WORK",
          "$Junk",
        ])
          assert.deepEqual(await m.uidsWithFlag(box.id, f), having(f), f);
        assert.deepEqual(await m.uidsWithFlag(box.id, "$Nothing"), []);
        assert.deepEqual(await m.uidsWithFlag(box.id, "\\Recent"), []);
        await rejectsWith(m.uidsWithFlag(box.id, "\\Bogus"), "invalid");
        await rejectsWith(m.uidsWithFlag(box.id, "bad keyword"), "invalid");
        // Expunged and undeleted messages leave the \Deleted list.
        await m.expunge(box.id, [6]);
        await m.setFlags(box.id, [8], { mode: "remove", flags: ["\\Deleted"] });
        assert.deepEqual(await m.uidsWithFlag(box.id, "\\Deleted"), [4]);
      }));

    test("listFlags follows every kind of change after a first read", () =>
      withStore(open, async (store) => {
        const m = store.mail;
        const box = await flaggedMailbox(store);
        const acc = box.accountId;
        const other = await m.createMailbox(acc, "Other");
        const inbox = (await m.getMailbox(acc, "INBOX"))!;
        await m.append(acc, inbox.id, { body: body(50), flags: ["Flagged"] });
        await m.append(acc, inbox.id, { body: body(51) });
        const same = async (id: number) => {
          assert.deepEqual(await m.listFlags(id), lean(await m.listMessages(id)));
          assert.deepEqual(
            await m.listFlags(id, { minUid: 3 }),
            lean(await m.listMessages(id, { minUid: 3 })),
          );
          assert.deepEqual(
            await m.listFlags(id, { minUid: 2, maxUid: 4 }),
            lean(await m.listMessages(id, { minUid: 2, maxUid: 4 })),
          );
        };
        const steps: [string, () => Promise<unknown>][] = [
          ["append", () => m.append(acc, box.id, { body: body(20), flags: ["$New"] })],
          ["flags added", () => m.setFlags(box.id, [2, 3], { mode: "add", flags: ["Seen", "$Two"] })],
          ["flags replaced", () => m.setFlags(box.id, [5], { mode: "replace", flags: [] })],
          ["flags removed", () => m.setFlags(box.id, [4], { mode: "remove", flags: ["Work", "Draft"] })],
          ["expunge in the middle", () => m.expunge(box.id, [5, 7])],
          ["copy in", () => m.copy(inbox.id, [1], box.id)],
          ["move out", () => m.move(box.id, [3, 9], other.id)],
          ["move in", () => m.move(other.id, [1], box.id)],
          [
            "expunge all",
            async () =>
              m.expunge(
                box.id,
                (await m.listMessages(box.id)).map((x) => x.uid),
              ),
          ],
          ["append after emptying", () => m.append(acc, box.id, { body: body(21), flags: ["Seen"] })],
        ];
        await same(box.id);
        await same(other.id);
        for (const [what, step] of steps) {
          await step();
          await same(box.id).catch((e: Error) => assert.fail(`${what}: ${e.message}`));
          await same(other.id).catch((e: Error) => assert.fail(`${what}, other mailbox: ${e.message}`));
        }
        // Renaming INBOX moves its messages into a new mailbox and leaves INBOX empty.
        await same(inbox.id);
        const moved = await m.renameMailbox(inbox.id, "Old");
        await same(inbox.id);
        assert.deepEqual(await m.listFlags(inbox.id), []);
        assert.equal((await m.listFlags(moved.id)).length, 2);
        await same(moved.id);
        await m.deleteMailbox(other.id);
        await rejectsWith(m.listFlags(other.id), "not-found");
      }));

    test("selectMailbox: getMailbox, listFlags and claimRecent in one call", () =>
      withStore(open, async (store) => {
        const m = store.mail;
        const box = await flaggedMailbox(store);
        const acc = box.accountId;
        const parts = async (name: string) => ({
          mailbox: await m.getMailbox(acc, name),
          messages: await m.listFlags(box.id),
        });
        const peek = await m.selectMailbox(acc, "Flags", { recent: "peek" });
        assert.deepEqual(peek, { ...(await parts("Flags")), recent: { from: 1, to: 9 } });
        assert.equal(peek?.mailbox.highestModseq, (await m.getMailboxById(box.id))?.highestModseq);
        assert.deepEqual((await m.selectMailbox(acc, "Flags", { recent: "none" }))?.recent, null);
        // A claim is made once: the next one, and claimRecent, find nothing new.
        assert.deepEqual((await m.selectMailbox(acc, "Flags", { recent: "claim" }))?.recent, {
          from: 1,
          to: 9,
        });
        assert.deepEqual((await m.selectMailbox(acc, "Flags", { recent: "claim" }))?.recent, {
          from: 10,
          to: 9,
        });
        assert.deepEqual(await m.claimRecent(box.id, { peek: true }), { from: 10, to: 9 });
        await m.append(acc, box.id, { body: body(10), flags: ["$New"] });
        const after = await m.selectMailbox(acc, "Flags", { recent: "claim" });
        assert.deepEqual(after, { ...(await parts("Flags")), recent: { from: 10, to: 10 } });
        assert.deepEqual(after?.messages.at(-1)?.flags, ["$New"]);
        assert.equal(await m.claimRecent(box.id).then((r) => r.from > r.to), true);
        // INBOX in any case; an empty mailbox; no such name, a name no mailbox can have, another
        // account's mailbox: null.
        const inbox = await m.selectMailbox(acc, "inbox", { recent: "claim" });
        assert.deepEqual(inbox, {
          mailbox: await m.getMailbox(acc, "INBOX"),
          messages: [],
          recent: { from: 1, to: 0 },
        });
        assert.equal(await m.selectMailbox(acc, "Nope", { recent: "claim" }), null);
        assert.equal(await m.selectMailbox(acc, "a//b", { recent: "peek" }), null);
        assert.equal(await m.selectMailbox(acc, "x".repeat(100_000), { recent: "peek" }), null);
        const other = await store.directory.createAccount({
          address: "other@example.com",
          passwordHash: "h",
        });
        assert.equal(await m.selectMailbox(other.id, "Flags", { recent: "claim" }), null);
        assert.deepEqual(
          await m.claimRecent(box.id, { peek: true }),
          { from: 11, to: 10 },
          "nothing claimed",
        );
      }));

    test("listNew: listFlags from a UID on, with the \\Recent claim only when there are messages", () =>
      withStore(open, async (store) => {
        const m = store.mail;
        const box = await flaggedMailbox(store);
        const acc = box.accountId;
        const from = async (minUid: number) => m.listFlags(box.id, { minUid });
        assert.deepEqual(await m.listNew(box.id, { minUid: 5, recent: "peek" }), {
          messages: await from(5),
          recent: { from: 1, to: 9 },
        });
        assert.deepEqual(await m.listNew(box.id, { minUid: 1, recent: "none" }), {
          messages: await from(1),
          recent: null,
        });
        // No message from there: no claim made, none reported.
        assert.deepEqual(await m.listNew(box.id, { minUid: 10, recent: "claim" }), {
          messages: [],
          recent: null,
        });
        assert.deepEqual(await m.claimRecent(box.id, { peek: true }), { from: 1, to: 9 }, "still unclaimed");
        assert.deepEqual(await m.listNew(box.id, { minUid: 8, recent: "claim" }), {
          messages: await from(8),
          recent: { from: 1, to: 9 },
        });
        assert.deepEqual(await m.claimRecent(box.id, { peek: true }), { from: 10, to: 9 }, "claimed");
        await m.append(acc, box.id, { body: body(10), flags: ["\\Seen"] });
        const after = await m.listNew(box.id, { minUid: 10, recent: "claim" });
        assert.deepEqual(after, { messages: await from(10), recent: { from: 10, to: 10 } });
        assert.deepEqual(
          after.messages.map((x) => [x.uid, x.flags]),
          [[10, ["\\Seen"]]],
        );
        assert.deepEqual((await m.listNew(box.id, { minUid: 10, recent: "claim" })).recent, {
          from: 11,
          to: 10,
        });
        await rejectsWith(m.listNew(box.id + 1000, { minUid: 1, recent: "claim" }), "not-found");
      }));

    test("getMessage with the body: as getMessage and readBody, one chunk or several", () =>
      withStore(open, async (store) => {
        const m = store.mail;
        await store.directory.addDomain("example.com");
        const a = await store.directory.createAccount({ address: "body@example.com", passwordHash: "h" });
        const box = await m.createMailbox(a.id, "Bodies");
        const small = body(1);
        const big = Buffer.concat([body(2), Buffer.alloc(300_000, "y"), Buffer.from("\r\n")]);
        await m.append(a.id, box.id, { body: small });
        await m.append(a.id, box.id, { body: big });
        for (const [uid, want] of [
          [1, small],
          [2, big],
        ] as const) {
          const plain = await m.getMessage(box.id, uid);
          assert.equal(plain?.body, undefined);
          const full = await m.getMessage(box.id, uid, { body: true });
          assert.deepEqual(full, { ...plain, body: want });
          assert.deepEqual(full?.body, await m.readBody(full!.meta.blobId));
        }
        assert.equal(await m.getMessage(box.id, 3, { body: true }), null);
        await m.expunge(box.id, [1]);
        assert.equal(await m.getMessage(box.id, 1, { body: true }), null);
      }));

    test("empty and unknown mailboxes", () =>
      withStore(open, async (store) => {
        const m = store.mail;
        await store.directory.addDomain("example.com");
        const a = await store.directory.createAccount({ address: "empty@example.com", passwordHash: "h" });
        const box = await m.createMailbox(a.id, "Empty");
        assert.deepEqual(await m.listFlags(box.id), []);
        assert.deepEqual(await m.listFlags(box.id, { minUid: 1, maxUid: 5 }), []);
        assert.deepEqual(await m.uidsWithFlag(box.id, "\\Deleted"), []);
        assert.deepEqual(await m.uidsWithFlag(box.id, "$Label"), []);
        // Emptied by expunge: still nothing, not the expunged rows.
        await m.append(a.id, box.id, { body: body(1), flags: ["\\Deleted", "$Label"] });
        await m.expunge(box.id, [1]);
        assert.deepEqual(await m.listFlags(box.id), []);
        assert.deepEqual(await m.uidsWithFlag(box.id, "\\Deleted"), []);
        assert.deepEqual(await m.uidsWithFlag(box.id, "$label"), []);
        await rejectsWith(m.listFlags(box.id + 1000), "not-found");
        await rejectsWith(m.uidsWithFlag(box.id + 1000, "\\Deleted"), "not-found");
      }));
  });
}
