// Imports of the store contract (issue 16), run by runStoreContract (contract.ts) against every
// backend: a mailbox taking the old server's UIDVALIDITY and UIDs, batches filed all or none with
// their resume cursor, dedupe by content, and UIDNEXT only ever raised. (That a kill -9 leaves a
// batch and its cursor together or neither is SQLite's own test: sqlite/imports.test.ts.)
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type OpenStore, rejectsWith, withStore } from "./contract-kit.js";
import { QuotaError } from "./errors.js";
import type { MailEvent } from "./notifier.js";
import type { ImportedMessage } from "./types.js";

function msg(n: number | string, extra: Partial<ImportedMessage> = {}): ImportedMessage {
  return {
    body: Buffer.from(
      `From: a@example.org\r\nTo: b@example.com\r\nSubject: imported ${n}\r\nMessage-ID: <imp-${n}@example.org>\r\n\r\nBody ${n}.\r\n`,
    ),
    flags: [],
    internalDate: new Date(Date.UTC(2020, 0, 1, 0, 0, typeof n === "number" ? n : 0)),
    ...extra,
  };
}

export function runImportContract(open: OpenStore): void {
  describe("imports", () => {
    test("a new mailbox keeps the old UIDVALIDITY, UIDs, flags, keywords and dates", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const im = store.imports;
        const { mailbox, kept } = await im.importMailbox(a.id, "Archive/2020", {
          specialUse: "\\Flagged",
          uidValidity: 1234567,
        });
        assert.equal(kept, true);
        assert.equal(mailbox.uidValidity, 1234567);
        assert.equal(mailbox.specialUse, "\\Flagged");
        assert.ok(await store.mail.getMailbox(a.id, "Archive"), "parents are made");
        const r = await im.importBatch(a.id, mailbox.id, [
          msg(1, { uid: 5, flags: ["\\Seen", "$Important"] }),
          msg(2, { uid: 9, flags: ["\\Flagged"] }),
          msg(3),
        ]);
        assert.deepEqual(
          r.copies.map((c) => c.uid),
          [5, 9, 10],
        );
        assert.equal(r.duplicates, 0);
        const list = await store.mail.listMessages(mailbox.id);
        assert.deepEqual(
          list.map((m) => [m.uid, [...m.flags].sort(), m.internalDate.toISOString()]),
          [
            [5, ["$Important", "\\Seen"], "2020-01-01T00:00:01.000Z"],
            [9, ["\\Flagged"], "2020-01-01T00:00:02.000Z"],
            [10, [], "2020-01-01T00:00:03.000Z"],
          ],
        );
        assert.equal((await store.mail.getMailboxById(mailbox.id))?.uidNext, 11);
        // Again with the same UIDVALIDITY: kept (the mailbox has it already).
        assert.equal(
          (await im.importMailbox(a.id, "Archive/2020", { specialUse: null, uidValidity: 1234567 })).kept,
          true,
        );
        // Another UIDVALIDITY for a mailbox that holds mail: not taken.
        const other = await im.importMailbox(a.id, "Archive/2020", { specialUse: null, uidValidity: 99 });
        assert.equal(other.kept, false);
        assert.equal(other.mailbox.uidValidity, 1234567);
      }));

    test("an existing never-used mailbox (a new account's INBOX) takes the UIDVALIDITY; a used one does not", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const inbox = await store.imports.importMailbox(a.id, "inbox", { specialUse: null, uidValidity: 42 });
        assert.equal(inbox.kept, true);
        assert.equal(inbox.mailbox.name, "INBOX");
        assert.equal(inbox.mailbox.uidValidity, 42);
        const used = await store.mail.createMailbox(a.id, "Used");
        await store.mail.append(a.id, used.id, { body: msg(1).body });
        const r = await store.imports.importMailbox(a.id, "Used", { specialUse: null, uidValidity: 43 });
        assert.equal(r.kept, false);
        assert.equal(r.mailbox.uidValidity, used.uidValidity);
      }));

    test("a role goes to the import's mailbox only when no other mailbox has it", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const roles = (await store.mail.listMailboxes(a.id)).map((b) => b.specialUse);
        if (!roles.includes("\\Sent")) await store.mail.createMailbox(a.id, "Sent", { specialUse: "\\Sent" });
        const r = await store.imports.importMailbox(a.id, "Sent Items", { specialUse: "\\Sent" });
        assert.equal(r.mailbox.specialUse, null);
        assert.ok(!roles.includes("\\All"));
        const t = await store.imports.importMailbox(a.id, "All Mail", { specialUse: "\\All" });
        assert.equal(t.mailbox.specialUse, "\\All");
        assert.equal(t.kept, false, "no UIDVALIDITY given: nothing kept");
      }));

    test("a UID below UIDNEXT or not increasing is refused, nothing filed", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const { mailbox } = await store.imports.importMailbox(a.id, "Box", {
          specialUse: null,
          uidValidity: 7,
        });
        await store.imports.importBatch(a.id, mailbox.id, [msg(1, { uid: 10 })]);
        await rejectsWith(store.imports.importBatch(a.id, mailbox.id, [msg(2, { uid: 10 })]), "invalid");
        await rejectsWith(
          store.imports.importBatch(a.id, mailbox.id, [msg(3, { uid: 20 }), msg(4, { uid: 15 })]),
          "invalid",
        );
        await rejectsWith(store.imports.importBatch(a.id, mailbox.id, [msg(5, { uid: 0 })]), "invalid");
        await rejectsWith(
          store.imports.importBatch(a.id, mailbox.id, [msg(6, { internalDate: new Date(Number.NaN) })]),
          "invalid",
        );
        assert.deepEqual(
          (await store.mail.listMessages(mailbox.id)).map((m) => m.uid),
          [10],
        );
        const other = await account(store, "eve@example.com");
        await rejectsWith(store.imports.importBatch(other.id, mailbox.id, [msg(7)]), "not-found");
      }));

    test("over quota: the whole batch and its cursor are refused", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "bob@example.com", { quotaMessages: 3 });
        const { mailbox } = await store.imports.importMailbox(a.id, "INBOX", { specialUse: null });
        const cursor = { key: "src\0INBOX", value: "first" };
        await store.imports.importBatch(a.id, mailbox.id, [msg(1), msg(2)], { cursor });
        await rejectsWith(
          store.imports.importBatch(a.id, mailbox.id, [msg(3), msg(4)], {
            cursor: { key: cursor.key, value: "second" },
          }),
          "quota",
          QuotaError,
        );
        assert.equal((await store.mail.listMessages(mailbox.id)).length, 2);
        assert.equal(await store.imports.cursor(a.id, cursor.key), "first");
        assert.equal((await store.mail.quotaUsage(a.id)).messages, 2);
      }));

    test("dedupe: by content across the account's mailboxes and within the batch; off, copies are kept", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const b = await account(store, "other@example.com");
        const inbox = (await store.imports.importMailbox(a.id, "INBOX", { specialUse: null })).mailbox;
        await store.mail.append(a.id, inbox.id, { body: msg(1).body });
        // Another account holding a body does not make it a duplicate here.
        const bInbox = (await store.imports.importMailbox(b.id, "INBOX", { specialUse: null })).mailbox;
        await store.imports.importBatch(b.id, bInbox.id, [msg(2)]);
        const box = (await store.imports.importMailbox(a.id, "Old", { specialUse: null })).mailbox;
        const r = await store.imports.importBatch(a.id, box.id, [msg(1), msg(2), msg(3), msg(3)], {
          dedupe: true,
        });
        assert.equal(r.duplicates, 2);
        assert.equal(r.copies.length, 2);
        assert.equal(r.bytes, msg(2).body.length + msg(3).body.length);
        const subjects = await Promise.all(
          (await store.mail.listMessages(box.id)).map(
            async (m) => (await store.mail.getMessageById(m.id))?.structure.envelope.subject,
          ),
        );
        assert.deepEqual(subjects, ["imported 2", "imported 3"]);
        const again = await store.imports.importBatch(a.id, box.id, [msg(3)]);
        assert.equal(again.duplicates, 0, "without dedupe a copy is filed");
        assert.equal(again.copies.length, 1);
      }));

    test("the cursor is written with its batch, per account, read back after a reopen", () =>
      withStore(open, async (h) => {
        const a = await account(h.store);
        const b = await account(h.store, "other@example.com");
        const im = h.store.imports;
        assert.equal(await im.cursor(a.id, "k"), null);
        const box = (await im.importMailbox(a.id, "INBOX", { specialUse: null })).mailbox;
        await im.importBatch(a.id, box.id, [msg(1)], { cursor: { key: "k", value: '{"position":"1"}' } });
        // An empty batch only moves the cursor (past messages that failed to read).
        await im.importBatch(a.id, box.id, [], { cursor: { key: "k", value: '{"position":"4"}' } });
        assert.equal(await im.cursor(a.id, "k"), '{"position":"4"}');
        assert.equal(await im.cursor(b.id, "k"), null);
        const store = await h.reopen();
        assert.equal(await store.imports.cursor(a.id, "k"), '{"position":"4"}');
        // The account's cursors go with it.
        await store.directory.removeAccount(a.id);
        assert.equal(await store.imports.cursor(a.id, "k"), null);
      }));

    test("imported mail is announced like an append, counted in quota and found by search", () =>
      withStore(open, async ({ store, notifier }) => {
        const a = await account(store);
        const box = (await store.imports.importMailbox(a.id, "INBOX", { specialUse: null, uidValidity: 5 }))
          .mailbox;
        const events: MailEvent[] = [];
        const listener = { onMailEvent: (e: MailEvent) => events.push(e) };
        notifier.subscribe(a.id, listener);
        try {
          const r = await store.imports.importBatch(a.id, box.id, [
            msg(1, { uid: 3 }),
            msg("zebrafinch", { uid: 4 }),
          ]);
          assert.deepEqual(
            events.map((e) => [e.kind, "uids" in e ? e.uids : [], "cause" in e ? e.cause : ""]),
            [["added", [3, 4], "append"]],
          );
          const usage = await store.mail.quotaUsage(a.id);
          assert.equal(usage.messages, 2);
          const m = await store.mail.getMessage(box.id, 4);
          assert.equal(m?.meta.size, msg("zebrafinch").body.length);
          assert.equal(r.copies[1]?.messageId, m?.meta.id);
          // Unindexed mail is always a candidate; indexed, only the match is (sqlite/imports.test.ts
          // waits for the indexer and sees exactly [4]).
          const found = await store.mail.searchText({ mailboxId: box.id }, "text", "zebrafinch");
          assert.ok(found === null || found.includes(4));
        } finally {
          notifier.unsubscribe(a.id, listener);
        }
      }));

    test("raiseUidNext raises, never lowers", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store);
        const box = (await store.imports.importMailbox(a.id, "Box", { specialUse: null, uidValidity: 3 }))
          .mailbox;
        assert.equal((await store.imports.raiseUidNext(box.id, 50)).uidNext, 50);
        assert.equal((await store.imports.raiseUidNext(box.id, 20)).uidNext, 50);
        await rejectsWith(store.imports.raiseUidNext(box.id, 0), "invalid");
        const c = await store.mail.append(a.id, box.id, { body: msg(1).body });
        assert.equal(c.uid, 50);
        await rejectsWith(store.imports.raiseUidNext(999_999, 5), "not-found");
      }));
  });
}
