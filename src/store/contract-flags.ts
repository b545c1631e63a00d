// The lean flag reads of the store contract (listFlags, uidsWithFlag), run by runStoreContract
// (contract.ts) against every backend: they must agree exactly with what listMessages reports.
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
