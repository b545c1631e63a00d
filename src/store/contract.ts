// The behaviour every Store backend must have, as node:test tests. A backend's test file calls
// runStoreContract("sqlite", open) (PostgreSQL later: the same suite), where open() gives a fresh,
// empty store. reopen() closes the store last returned and opens the same data again;
// cleanup() closes whatever is open and removes the data.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runAdminDomainContract } from "./contract-admin-domains.js";
import { runAppPasswordContract } from "./contract-app-passwords.js";
import { runFlagReadContract } from "./contract-flags.js";
import { runFullTextContract } from "./contract-fulltext.js";
import { runGreylistContract } from "./contract-greylist.js";
import { runImportContract } from "./contract-imports.js";
import { account, type ContractHandle, type OpenStore, rejectsWith, withStore } from "./contract-kit.js";
import { runQueueLeaseContract } from "./contract-queue-lease.js";
import { runRecipientLookupContract } from "./contract-recipient-lookup.js";
import { runReportSendingContract } from "./contract-report-sending.js";
import { runReportContract } from "./contract-reports.js";
import { runSecondFactorContract } from "./contract-second-factor.js";
import { runSendingContract } from "./contract-sending.js";
import { runSettingsContract } from "./contract-settings.js";
import { runSieveContract } from "./contract-sieve.js";
import { runSpamContract } from "./contract-spam.js";
import { runSpamVerdictBatchContract } from "./contract-spam-verdicts.js";
import { runStatsContract } from "./contract-stats.js";
import { runSubscriptionContract } from "./contract-subscriptions.js";
import { runWebSessionContract } from "./contract-web-sessions.js";
import { QuotaError } from "./errors.js";
import type { MailEvent } from "./notifier.js";
import type { Store } from "./types.js";

/** A small well-formed message; `n` makes it unique. */
export function sampleMessage(n: number | string, extra = ""): Buffer {
  return Buffer.from(
    `From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: test ${n}\r\n` +
      `Message-ID: <msg-${n}@example.org>\r\n${extra}\r\nBody of message ${n}.\r\n`,
  );
}

async function inboxOf(store: Store, accountId: number) {
  const box = await store.mail.getMailbox(accountId, "INBOX");
  assert.ok(box);
  return box;
}

export type { ContractHandle, OpenStore };

export function runStoreContract(name: string, open: OpenStore): void {
  describe(`store contract: ${name}`, () => {
    runSettingsContract(open);
    runSendingContract(open);
    runQueueLeaseContract(open);
    runGreylistContract(open);
    runReportSendingContract(open);
    runSpamContract(open);
    runAppPasswordContract(open);
    runSecondFactorContract(open);
    runSieveContract(open);
    runSubscriptionContract(open);
    runImportContract(open);
    runWebSessionContract(open);
    runAdminDomainContract(open);
    runReportContract(open);
    runFlagReadContract(open);
    runFullTextContract(open);
    runStatsContract(open);
    runRecipientLookupContract(open);
    runSpamVerdictBatchContract(open);
    describe("directory", () => {
      test("domains are lower-cased, unique, and removable only when empty", () =>
        withStore(open, async ({ store }) => {
          const d = store.directory;
          assert.equal((await d.addDomain("Example.COM")).name, "example.com");
          await rejectsWith(d.addDomain("example.com"), "exists");
          assert.equal((await d.getDomain("EXAMPLE.com"))?.name, "example.com");
          assert.equal(await d.getDomain("other.test"), null);
          await d.addDomain("b.test");
          assert.deepEqual(
            (await d.listDomains()).map((x) => x.name),
            ["b.test", "example.com"],
          );
          const a = await d.createAccount({ address: "x@example.com", passwordHash: "h" });
          await rejectsWith(d.removeDomain("example.com"), "domain-not-empty");
          await d.removeAccount(a.id);
          await d.addAlias("@example.com", ["y@b.test"]);
          await rejectsWith(d.removeDomain("example.com"), "domain-not-empty");
          await d.removeAlias("@EXAMPLE.com");
          await d.removeDomain("example.com");
          await rejectsWith(d.removeDomain("example.com"), "not-found");
          assert.deepEqual(
            (await d.listDomains()).map((x) => x.name),
            ["b.test"],
          );
        }));

      test("accounts: local part kept, domain lower-cased, look-ups case-insensitive", () =>
        withStore(open, async ({ store }) => {
          const d = store.directory;
          await rejectsWith(d.createAccount({ address: "a@nowhere.test", passwordHash: "h" }), "not-found");
          await d.addDomain("example.com");
          const a = await d.createAccount({
            address: "Bob.Smith@EXAMPLE.com",
            passwordHash: "h1",
            quotaBytes: 5,
          });
          assert.equal(a.address, "Bob.Smith@example.com");
          assert.equal(a.domain, "example.com");
          assert.equal(a.quotaBytes, 5);
          assert.equal(a.quotaMessages, 0);
          assert.equal(a.isAdmin, false);
          assert.equal(a.disabled, false);
          assert.equal((await d.getAccountByAddress("bob.smith@example.com"))?.id, a.id);
          assert.equal((await d.getAccount(a.id))?.address, "Bob.Smith@example.com");
          await rejectsWith(
            d.createAccount({ address: "BOB.SMITH@example.com", passwordHash: "h" }),
            "exists",
          );
          const u = await d.updateAccount(a.id, { passwordHash: "h2", disabled: true, quotaMessages: 9 });
          assert.equal(u.passwordHash, "h2");
          assert.equal(u.disabled, true);
          assert.equal(u.quotaMessages, 9);
          assert.equal(u.quotaBytes, 5);
          assert.equal((await d.getAccount(a.id))?.passwordHash, "h2");
          await d.addDomain("other.test");
          await d.createAccount({ address: "z@other.test", passwordHash: "h" });
          assert.deepEqual(
            (await d.listAccounts("example.com")).map((x) => x.address),
            ["Bob.Smith@example.com"],
          );
          assert.equal((await d.listAccounts()).length, 2);
          await rejectsWith(d.updateAccount(9999, { disabled: true }), "not-found");
          await d.removeAccount(a.id);
          assert.equal(await d.getAccount(a.id), null);
          await rejectsWith(d.removeAccount(a.id), "not-found");
        }));

      test("createAccount makes the six default mailboxes, subscribed, with distinct UIDVALIDITY", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const boxes = await store.mail.listMailboxes(a.id);
          const byName = new Map(boxes.map((b) => [b.name, b]));
          assert.deepEqual([...byName.keys()].sort(), [
            "Archive",
            "Drafts",
            "INBOX",
            "Junk",
            "Sent",
            "Trash",
          ]);
          assert.equal(byName.get("INBOX")!.specialUse, null);
          assert.equal(byName.get("Drafts")!.specialUse, "\\Drafts");
          assert.equal(byName.get("Sent")!.specialUse, "\\Sent");
          assert.equal(byName.get("Trash")!.specialUse, "\\Trash");
          assert.equal(byName.get("Junk")!.specialUse, "\\Junk");
          assert.equal(byName.get("Archive")!.specialUse, "\\Archive");
          for (const b of boxes) {
            assert.equal(b.subscribed, true);
            assert.equal(b.uidNext, 1);
            assert.ok(b.uidValidity > 0 && b.uidValidity < 2 ** 32);
          }
          const b2 = await account(store, "carol@example.com");
          const all = [...boxes, ...(await store.mail.listMailboxes(b2.id))].map((b) => b.uidValidity);
          assert.equal(new Set(all).size, all.length, "UIDVALIDITY values are unique");
        }));

      test("aliases (with catch-all) and send-as grants", () =>
        withStore(open, async ({ store }) => {
          const d = store.directory;
          const a = await account(store);
          await rejectsWith(d.addAlias("x@nowhere.test", ["bob@example.com"]), "not-found");
          const al = await d.addAlias("Sales@Example.com", ["bob@example.com", "ext@remote.test"]);
          assert.equal(al.address, "Sales@example.com");
          assert.deepEqual(al.targets, ["bob@example.com", "ext@remote.test"]);
          await rejectsWith(d.addAlias("sales@example.com", ["x@y.test"]), "exists");
          await rejectsWith(d.addAlias("bob@example.com", ["x@y.test"]), "exists");
          await rejectsWith(d.addAlias("empty@example.com", []), "invalid");
          await d.addAlias("@example.com", ["bob@example.com"]);
          assert.deepEqual((await d.getAlias("SALES@example.com"))?.targets, [
            "bob@example.com",
            "ext@remote.test",
          ]);
          assert.deepEqual((await d.getAlias("@EXAMPLE.COM"))?.targets, ["bob@example.com"]);
          assert.equal(await d.getAlias("nobody@example.com"), null);
          assert.deepEqual(
            (await d.listAliases("example.com")).map((x) => x.address),
            ["@example.com", "Sales@example.com"],
          );
          await d.removeAlias("sales@example.com");
          await rejectsWith(d.removeAlias("sales@example.com"), "not-found");

          await d.grantSendAs(a.id, "Boss@Example.com");
          await d.grantSendAs(a.id, "@other.test");
          await rejectsWith(d.grantSendAs(a.id, "boss@example.com"), "exists");
          assert.deepEqual((await d.listSendAs(a.id)).sort(), ["@other.test", "Boss@example.com"]);
          await d.revokeSendAs(a.id, "BOSS@example.com");
          await rejectsWith(d.revokeSendAs(a.id, "boss@example.com"), "not-found");
          assert.deepEqual(await d.listSendAs(a.id), ["@other.test"]);
        }));
    });

    describe("mailboxes", () => {
      test("INBOX is case-insensitive; create makes parents; duplicates refused", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          assert.equal((await m.getMailbox(a.id, "iNbOx"))?.id, inbox.id);
          await rejectsWith(m.createMailbox(a.id, "inbox"), "exists");
          const child = await m.createMailbox(a.id, "inbox/Lists");
          assert.equal(child.name, "INBOX/Lists");
          const deep = await m.createMailbox(a.id, "Work/2024/Q1", { specialUse: "\\Archive" });
          assert.equal(deep.specialUse, "\\Archive");
          assert.ok(await m.getMailbox(a.id, "Work"));
          assert.ok(await m.getMailbox(a.id, "Work/2024"));
          assert.equal(await m.getMailbox(a.id, "work"), null, "names other than INBOX are case-sensitive");
          await rejectsWith(m.createMailbox(a.id, "Work"), "exists");
          await rejectsWith(m.createMailbox(a.id, "a//b"), "invalid");
          await rejectsWith(m.createMailbox(a.id, ""), "invalid");
          await rejectsWith(m.createMailbox(a.id, "bad\r\nname"), "invalid");
          assert.ok(deep.uidValidity > inbox.uidValidity);
          await m.setSubscribed(deep.id, false);
          assert.equal((await m.getMailboxById(deep.id))?.subscribed, false);
        }));

      test("rename renames children; renaming INBOX moves its messages and leaves it empty", () =>
        withStore(open, async ({ store, notifier }) => {
          const a = await account(store);
          const m = store.mail;
          const events: MailEvent[] = [];
          notifier.subscribe(a.id, { onMailEvent: (e) => events.push(e) });
          const parent = await m.createMailbox(a.id, "a");
          const kid = await m.createMailbox(a.id, "a/b");
          const other = await m.createMailbox(a.id, "ab");
          const renamed = await m.renameMailbox(parent.id, "x/y");
          assert.equal(renamed.id, parent.id);
          assert.equal(renamed.name, "x/y");
          assert.equal(renamed.uidValidity, parent.uidValidity);
          assert.equal((await m.getMailboxById(kid.id))?.name, "x/y/b");
          assert.equal(
            (await m.getMailboxById(other.id))?.name,
            "ab",
            "a sibling with a common prefix stays",
          );
          assert.ok(await m.getMailbox(a.id, "x"));
          await rejectsWith(m.renameMailbox(kid.id, "ab"), "exists");
          await rejectsWith(m.renameMailbox(renamed.id, "x/y/b/c"), "invalid");
          assert.ok(
            events.some((e) => e.kind === "mailbox-renamed" && e.mailboxId === kid.id && e.name === "x/y/b"),
          );

          const inbox = await inboxOf(store, a.id);
          await m.deliver(sampleMessage(1), [{ accountId: a.id }]);
          await m.deliver(sampleMessage(2), [{ accountId: a.id }]);
          const moved = await m.renameMailbox(inbox.id, "Old Inbox");
          assert.notEqual(moved.id, inbox.id);
          assert.equal(moved.name, "Old Inbox");
          assert.deepEqual(
            (await m.listMessages(moved.id)).map((x) => x.uid),
            [1, 2],
          );
          const after = await inboxOf(store, a.id);
          assert.equal(after.id, inbox.id);
          assert.equal(after.uidValidity, inbox.uidValidity);
          assert.equal(after.uidNext, 3, "INBOX keeps its UID counter");
          assert.deepEqual(await m.listMessages(inbox.id), []);
          const c = await m.deliver(sampleMessage(3), [{ accountId: a.id }]);
          assert.equal(c[0]!.uid, 3);
          assert.equal((await m.getMessage(moved.id, 1))?.meta.size, sampleMessage(1).length);
        }));

      test("deleteMailbox: INBOX refused, others removed with their messages", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          await rejectsWith(m.deleteMailbox(inbox.id), "invalid");
          const box = await m.createMailbox(a.id, "Tmp");
          await m.append(a.id, box.id, { body: sampleMessage(1) });
          assert.equal((await m.quotaUsage(a.id)).messages, 1);
          await m.deleteMailbox(box.id);
          assert.equal(await m.getMailboxById(box.id), null);
          assert.equal((await m.quotaUsage(a.id)).messages, 0);
          assert.equal((await m.quotaUsage(a.id)).bytes, 0);
          await rejectsWith(m.deleteMailbox(box.id), "not-found");
        }));
    });

    describe("messages", () => {
      test("deliver then read: meta, cached structure, exact body bytes", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          const body = sampleMessage(1);
          const date = new Date("2024-01-02T03:04:05.000Z");
          const [copy] = await m.deliver(body, [{ accountId: a.id, flags: ["\\Seen", "$Label"] }], {
            internalDate: date,
          });
          assert.deepEqual(copy, {
            accountId: a.id,
            mailboxId: inbox.id,
            uid: 1,
            messageId: copy!.messageId,
          });
          const got = await m.getMessage(inbox.id, 1);
          assert.ok(got);
          assert.equal(got.meta.uid, 1);
          assert.equal(got.meta.size, body.length);
          assert.deepEqual(got.meta.flags, ["\\Seen", "$Label"]);
          assert.equal(got.meta.internalDate.getTime(), date.getTime());
          assert.match(got.meta.blobId, /^[0-9a-f]{64}$/);
          assert.equal(got.structure.envelope.subject, "test 1");
          assert.equal(got.structure.envelope.messageId, "<msg-1@example.org>");
          assert.equal(got.structure.root.headerStart, 0);
          assert.equal(body.subarray(got.structure.root.bodyStart).toString(), "Body of message 1.\r\n");
          assert.deepEqual(await m.readBody(got.meta.blobId), body);
          assert.deepEqual((await m.getMessageById(copy!.messageId))?.meta, got.meta);
          assert.equal(await m.getMessage(inbox.id, 2), null);
          await rejectsWith(m.readBody("0".repeat(64)), "not-found");
          const box = await m.getMailboxById(inbox.id);
          assert.equal(box?.uidNext, 2);
          assert.equal(box?.highestModseq, got.meta.modseq);
          assert.deepEqual(await m.mailboxCounts(inbox.id), {
            messages: 1,
            unseen: 0,
            recent: 1, // no session has claimed it (claimRecent)
            size: body.length,
          });
        }));

      test("deliver to several accounts shares one body; unknown targets fail", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store, "a@example.com");
          const b = await account(store, "b@example.com");
          const m = store.mail;
          const copies = await m.deliver(sampleMessage(1), [{ accountId: a.id }, { accountId: b.id }]);
          assert.equal(copies.length, 2);
          const ma = await m.getMessageById(copies[0]!.messageId);
          const mb = await m.getMessageById(copies[1]!.messageId);
          assert.equal(ma?.meta.blobId, mb?.meta.blobId);
          assert.notEqual(copies[0]!.messageId, copies[1]!.messageId);
          await rejectsWith(m.deliver(sampleMessage(2), [{ accountId: 999 }]), "not-found");
          const bInbox = await inboxOf(store, b.id);
          await rejectsWith(
            m.deliver(sampleMessage(2), [{ accountId: a.id, mailboxId: bInbox.id }]),
            "not-found",
          );
          await rejectsWith(m.deliver(sampleMessage(2), []), "invalid");
          await rejectsWith(
            m.deliver(sampleMessage(2), [{ accountId: a.id, flags: ["\\Bogus"] }]),
            "invalid",
          );
          assert.equal((await m.quotaUsage(a.id)).messages, 1);
        }));

      test("listMessages in UID order with ranges", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          for (let i = 1; i <= 5; i++) await m.append(a.id, inbox.id, { body: sampleMessage(i) });
          assert.deepEqual(
            (await m.listMessages(inbox.id)).map((x) => x.uid),
            [1, 2, 3, 4, 5],
          );
          assert.deepEqual(
            (await m.listMessages(inbox.id, { minUid: 2, maxUid: 4 })).map((x) => x.uid),
            [2, 3, 4],
          );
          assert.deepEqual(
            (await m.listMessages(inbox.id, { minUid: 4 })).map((x) => x.uid),
            [4, 5],
          );
        }));

      test("UIDs are never reused after expunge, even across reopen", () =>
        withStore(open, async (h) => {
          const a = await account(h.store);
          let m = h.store.mail;
          const inbox = await inboxOf(h.store, a.id);
          for (let i = 1; i <= 3; i++) await m.append(a.id, inbox.id, { body: sampleMessage(i) });
          assert.deepEqual(await m.expunge(inbox.id, [3, 2, 99]), [2, 3]);
          m = (await h.reopen()).mail;
          const box = await m.getMailboxById(inbox.id);
          assert.equal(box?.uidNext, 4);
          const c = await m.append(a.id, inbox.id, { body: sampleMessage(4) });
          assert.equal(c.uid, 4);
          assert.deepEqual(
            (await m.listMessages(inbox.id)).map((x) => x.uid),
            [1, 4],
          );
        }));

      test("modseq grows with every change; changesSince reports added, flags, expunged", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          const start = inbox.highestModseq;
          for (let i = 1; i <= 3; i++) await m.append(a.id, inbox.id, { body: sampleMessage(i) });
          const afterAdd = (await m.getMailboxById(inbox.id))!.highestModseq;
          assert.equal(afterAdd, start + 3);
          const f = await m.setFlags(inbox.id, [2], { mode: "add", flags: ["\\Seen"] });
          assert.equal(f.updated.length, 1);
          assert.equal(f.updated[0]!.modseq, afterAdd + 1);
          assert.deepEqual(f.updated[0]!.flags, ["\\Seen"]);
          await m.expunge(inbox.id, [3]);
          const top = (await m.getMailboxById(inbox.id))!.highestModseq;
          assert.equal(top, afterAdd + 2);
          const all = await m.changesSince(inbox.id, start);
          assert.deepEqual(
            all.map((c) => [c.kind, c.uid]),
            [
              ["added", 1],
              ["added", 2],
              ["expunged", 3],
            ],
          );
          const recent = await m.changesSince(inbox.id, afterAdd);
          assert.deepEqual(
            recent.map((c) => [c.kind, c.uid, c.modseq]),
            [
              ["flags", 2, afterAdd + 1],
              ["expunged", 3, afterAdd + 2],
            ],
          );
          assert.deepEqual(await m.changesSince(inbox.id, top), []);
          const noop = await m.setFlags(inbox.id, [2], { mode: "add", flags: ["\\seen"] });
          assert.deepEqual(noop.updated, []);
          assert.equal((await m.getMailboxById(inbox.id))!.highestModseq, top, "no change, no new modseq");
        }));

      test("setFlags modes and UNCHANGEDSINCE (RFC 7162)", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          await m.append(a.id, inbox.id, { body: sampleMessage(1), flags: ["\\Seen", "Work"] });
          await m.append(a.id, inbox.id, { body: sampleMessage(2) });
          const [m1, m2] = await m.listMessages(inbox.id);
          const r = await m.setFlags(inbox.id, [1, 2], {
            mode: "add",
            flags: ["\\Flagged", "work", "Home"],
            unchangedSince: m1!.modseq,
          });
          assert.deepEqual(r.failedUnchangedSince, [2], "message 2 changed after the given modseq");
          assert.deepEqual(
            r.updated.map((u) => [u.uid, u.flags]),
            [[1, ["\\Seen", "\\Flagged", "Work", "Home"]]],
          );
          await m.setFlags(inbox.id, [1], { mode: "remove", flags: ["\\SEEN", "WORK"] });
          assert.deepEqual((await m.getMessage(inbox.id, 1))?.meta.flags, ["\\Flagged", "Home"]);
          await m.setFlags(inbox.id, [1, 2], { mode: "replace", flags: ["\\Deleted", "\\Recent"] });
          assert.deepEqual(
            (await m.listMessages(inbox.id)).map((x) => x.flags),
            [["\\Deleted"], ["\\Deleted"]],
          );
          const r2 = await m.setFlags(inbox.id, [2], { mode: "add", flags: ["\\Seen"], unchangedSince: 0 });
          assert.deepEqual(r2.failedUnchangedSince, [2]);
          assert.ok(m2!.modseq > 0);
          await rejectsWith(m.setFlags(inbox.id, [1], { mode: "add", flags: ["bad keyword"] }), "invalid");
          const counts = await m.mailboxCounts(inbox.id);
          assert.equal(counts.unseen, 2);
        }));

      test("copy and move return COPYUID mappings; move records expunges in the source", () =>
        withStore(open, async ({ store, notifier }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          const dest = await m.createMailbox(a.id, "Dest");
          for (let i = 1; i <= 4; i++)
            await m.append(a.id, inbox.id, { body: sampleMessage(i), flags: ["\\Seen"] });
          const events: MailEvent[] = [];
          notifier.subscribe(a.id, { onMailEvent: (e) => events.push(e) });
          const cp = await m.copy(inbox.id, [4, 2, 77], dest.id);
          assert.equal(cp.uidValidity, dest.uidValidity);
          assert.deepEqual(cp.mapping, [
            { from: 2, to: 1 },
            { from: 4, to: 2 },
          ]);
          const copied = await m.getMessage(dest.id, 1);
          const orig = await m.getMessage(inbox.id, 2);
          assert.deepEqual(copied?.meta.flags, ["\\Seen"]);
          assert.equal(copied?.meta.blobId, orig?.meta.blobId);
          assert.equal(copied?.meta.threadId, orig?.meta.threadId);
          assert.notEqual(copied?.meta.id, orig?.meta.id);
          assert.equal((await m.quotaUsage(a.id)).messages, 6);

          const before = (await m.getMailboxById(inbox.id))!.highestModseq;
          const mv = await m.move(inbox.id, [1, 3], dest.id);
          assert.deepEqual(mv.mapping, [
            { from: 1, to: 3 },
            { from: 3, to: 4 },
          ]);
          assert.deepEqual(
            (await m.listMessages(inbox.id)).map((x) => x.uid),
            [2, 4],
          );
          assert.deepEqual(
            (await m.listMessages(dest.id)).map((x) => x.uid),
            [1, 2, 3, 4],
          );
          assert.deepEqual(
            (await m.changesSince(inbox.id, before)).map((c) => [c.kind, c.uid]),
            [
              ["expunged", 1],
              ["expunged", 3],
            ],
          );
          assert.equal((await m.quotaUsage(a.id)).messages, 6, "move does not change usage");
          assert.ok(events.some((e) => e.kind === "expunged" && e.mailboxId === inbox.id));
          assert.ok(
            events.some(
              (e) => e.kind === "added" && e.mailboxId === dest.id && e.uids.join() === "3,4" && e.modseq > 0,
            ),
          );
          // Why the messages appeared (src/store/notifier.ts AddedCause): listeners that learn from
          // users' actions tell a user's COPY/MOVE from a delivery or an APPEND.
          assert.deepEqual(
            events.filter((e) => e.kind === "added").map((e) => [e.cause, e.fromMailboxId, e.uids.join()]),
            [
              ["copy", inbox.id, "1,2"],
              ["move", inbox.id, "3,4"],
            ],
          );
          // Into the same mailbox: expunged and back under a new UID, one modseq counter for both
          // (RFC 6851 3.3, as Dovecot does).
          const at = (await m.getMailboxById(inbox.id))!;
          const self = await m.move(inbox.id, [2], inbox.id);
          assert.deepEqual(self.mapping, [{ from: 2, to: at.uidNext }]);
          assert.deepEqual(
            (await m.listMessages(inbox.id)).map((x) => x.uid),
            [4, at.uidNext],
          );
          const after = (await m.getMailboxById(inbox.id))!;
          assert.equal(after.uidNext, at.uidNext + 1);
          assert.deepEqual(
            (await m.changesSince(inbox.id, at.highestModseq)).map((c) => [c.kind, c.uid, c.modseq]),
            [
              ["expunged", 2, at.highestModseq + 1],
              ["added", at.uidNext, at.highestModseq + 2],
            ],
          );
          assert.equal(after.highestModseq, at.highestModseq + 2);
          await rejectsWith(m.copy(inbox.id, [2], 9999), "not-found");
        }));

      test("quota: bytes and messages enforced, multi-target delivery is all-or-nothing", () =>
        withStore(open, async ({ store }) => {
          const m = store.mail;
          const body = sampleMessage("q");
          const small = await account(store, "small@example.com", { quotaBytes: body.length * 2 });
          const few = await account(store, "few@example.com", { quotaMessages: 1 });
          const free = await account(store, "free@example.com");
          await m.deliver(body, [{ accountId: small.id }]);
          await m.deliver(body, [{ accountId: small.id }]);
          await rejectsWith(m.deliver(body, [{ accountId: small.id }]), "quota", QuotaError);
          await m.deliver(body, [{ accountId: few.id }]);
          await assert.rejects(
            m.deliver(sampleMessage("x"), [{ accountId: free.id }, { accountId: few.id }]),
            (e: unknown) => e instanceof QuotaError && e.accountId === few.id,
          );
          assert.equal((await m.quotaUsage(free.id)).messages, 0, "nothing stored for the failed call");
          const inbox = await inboxOf(store, free.id);
          assert.equal(inbox.uidNext, 1);
          const fewInbox = await inboxOf(store, few.id);
          await rejectsWith(m.append(few.id, fewInbox.id, { body }), "quota", QuotaError);
          await rejectsWith(m.copy(fewInbox.id, [1], fewInbox.id), "quota", QuotaError);
          assert.deepEqual(await m.quotaUsage(small.id), {
            bytes: body.length * 2,
            messages: 2,
            quotaBytes: body.length * 2,
            quotaMessages: 0,
          });
          await store.directory.updateAccount(few.id, { quotaMessages: 0 });
          await m.append(few.id, fewInbox.id, { body });
          assert.equal((await m.quotaUsage(few.id)).messages, 2);
        }));

      test("a failing request in a concurrent burst fails alone", () =>
        withStore(open, async ({ store }) => {
          const m = store.mail;
          const full = await account(store, "full@example.com", { quotaMessages: 1 });
          const ok = await account(store, "ok@example.com");
          await m.deliver(sampleMessage(0), [{ accountId: full.id }]);
          const results = await Promise.allSettled(
            Array.from({ length: 10 }, (_, i) =>
              m.deliver(sampleMessage(i + 1), [{ accountId: i === 4 ? full.id : ok.id }]),
            ),
          );
          assert.equal(results.filter((r) => r.status === "rejected").length, 1);
          assert.equal(results[4]!.status, "rejected");
          assert.equal((await m.quotaUsage(ok.id)).messages, 9);
          assert.equal((await m.quotaUsage(full.id)).messages, 1);
        }));

      test("50 concurrent deliveries all succeed with distinct increasing UIDs", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const copies = await Promise.all(
            Array.from({ length: 50 }, (_, i) => m.deliver(sampleMessage(i), [{ accountId: a.id }])),
          );
          const uids = copies.map((c) => c[0]!.uid);
          assert.deepEqual(
            [...uids].sort((x, y) => x - y),
            Array.from({ length: 50 }, (_, i) => i + 1),
          );
          // Committed in submission order, so the UIDs also follow the calls.
          assert.deepEqual(
            uids,
            Array.from({ length: 50 }, (_, i) => i + 1),
          );
          const list = await m.listMessages((await inboxOf(store, a.id)).id);
          assert.equal(list.length, 50);
          for (const [i, msg] of list.entries()) {
            const body = await m.readBody(msg.blobId);
            assert.deepEqual(body, sampleMessage(i));
          }
        }));

      test("threads follow References and In-Reply-To within an account", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const b = await account(store, "other@example.com");
          const m = store.mail;
          const [root] = await m.deliver(sampleMessage("root"), [{ accountId: a.id }]);
          const [reply] = await m.deliver(sampleMessage("r1", "In-Reply-To: <msg-root@example.org>\r\n"), [
            { accountId: a.id },
            { accountId: b.id },
          ]);
          const [deep] = await m.deliver(
            sampleMessage("r2", "References: <msg-root@example.org> <msg-r1@example.org>\r\n"),
            [{ accountId: a.id }],
          );
          const [alone] = await m.deliver(sampleMessage("alone"), [{ accountId: a.id }]);
          const t = async (id: number) => (await m.getMessageById(id))!.meta.threadId;
          assert.equal(
            await t(root!.messageId),
            root!.messageId,
            "a new thread is named after its first message",
          );
          assert.equal(await t(reply!.messageId), root!.messageId);
          assert.equal(await t(deep!.messageId), root!.messageId);
          assert.equal(await t(alone!.messageId), alone!.messageId);
          const inB = await m.listMessages((await inboxOf(store, b.id)).id);
          assert.equal(inB[0]!.threadId, inB[0]!.id, "other accounts' messages do not join the thread");
        }));

      test("searchHeader: decoded, case-insensitive, present vs absent, follows new and removed messages", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          const other = await m.createMailbox(a.id, "Other");
          const msg = (head: string) => Buffer.from(`${head.replace(/\n/g, "\r\n")}\r\n\r\nbody\r\n`);
          // UID 1: encoded words; 2: plain, two To fields and an empty Cc; 3: no Cc at all.
          await m.deliver(
            msg("From: =?UTF-8?Q?=C3=89mile?= <emile@example.org>\nSubject: =?UTF-8?B?Q2Fmw6kgQ1LDiE1F?="),
            [{ accountId: a.id }],
          );
          await m.deliver(
            msg("From: Alice <ALICE@example.org>\nTo: x@example.org\nTo: y@example.org\nCc:\nSubject: Hi"),
            [{ accountId: a.id }],
          );
          await m.deliver(sampleMessage(3), [{ accountId: a.id }]);
          const q = (field: "FROM" | "TO" | "CC" | "BCC" | "SUBJECT", text: string, box = inbox.id) =>
            m.searchHeader(box, field, text);
          assert.deepEqual(await q("SUBJECT", "café crème"), [1], "RFC 2047 B, non-ASCII lower-cased");
          assert.deepEqual(await q("SUBJECT", "CAFÉ CRÈME"), [1]);
          assert.deepEqual(await q("FROM", "émile"), [1]);
          assert.deepEqual(await q("FROM", "=?utf-8"), [], "the decoded text is searched, not the raw one");
          assert.deepEqual(await q("FROM", "Alice@EXAMPLE"), [2, 3]);
          assert.deepEqual(await q("TO", "y@example"), [2], "every occurrence of a field counts");
          assert.deepEqual(await q("CC", ""), [2], "an empty text: the field is present, even empty");
          assert.deepEqual(await q("BCC", ""), []);
          assert.deepEqual(await q("SUBJECT", ""), [1, 2, 3]);
          assert.deepEqual(await q("SUBJECT", "nothing like it"), []);
          // Filed after the first search: found by the next.
          await m.deliver(msg("From: late@example.org\nSubject: =?ISO-8859-1?Q?caf=E9?= later"), [
            { accountId: a.id },
          ]);
          assert.deepEqual(await q("SUBJECT", "Café"), [1, 4]);
          assert.deepEqual(await m.expunge(inbox.id, [1]), [1]);
          assert.deepEqual(await q("SUBJECT", "café"), [4], "expunged messages are not returned");
          // One body in two mailboxes: found in each, and in the one that keeps it.
          const shared = msg("From: both@example.org\nSubject: shared one");
          await m.deliver(shared, [{ accountId: a.id }, { accountId: a.id, mailboxId: other.id }]);
          assert.deepEqual(await q("SUBJECT", "shared"), [5]);
          assert.deepEqual(await q("SUBJECT", "shared", other.id), [1]);
          await m.expunge(inbox.id, [5]);
          assert.deepEqual(await q("SUBJECT", "shared"), []);
          assert.deepEqual(await q("FROM", "both@", other.id), [1]);
          // The last copy gone, the body goes; a new body (which may take its place) is searched anew.
          await m.expunge(other.id, [1]);
          await m.deliver(msg("From: new@example.org\nSubject: fresh"), [
            { accountId: a.id, mailboxId: other.id },
          ]);
          assert.deepEqual(await q("SUBJECT", "shared", other.id), []);
          assert.deepEqual(await q("SUBJECT", "fresh", other.id), [2]);
          // SORT's inputs come from the same index, as getMessage has them.
          const envs = await m.listEnvelopes(inbox.id);
          assert.deepEqual(
            envs.map((e) => e.uid),
            [2, 3, 4],
          );
          for (const e of envs) {
            const p = await m.getMessage(inbox.id, e.uid);
            assert.deepEqual(e.envelope, p?.structure.envelope);
            assert.deepEqual(e.references, p?.structure.references);
          }
          assert.deepEqual(
            (await m.listEnvelopes(inbox.id, { minUid: 3, maxUid: 3 })).map((e) => e.envelope.subject),
            ["test 3"],
          );
          await rejectsWith(m.searchHeader(9999, "FROM", "x"), "not-found");
          await rejectsWith(m.listEnvelopes(9999), "not-found");
        }));

      test("the notifier hears added, flags, expunged and mailbox events after commit", () =>
        withStore(open, async ({ store, notifier }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          const events: MailEvent[] = [];
          notifier.subscribe(a.id, { onMailEvent: (e) => events.push(e) });
          const [c] = await m.deliver(sampleMessage(1), [{ accountId: a.id }]);
          await m.setFlags(inbox.id, [c!.uid], { mode: "add", flags: ["\\Seen"] });
          await m.expunge(inbox.id, [c!.uid]);
          const box = await m.createMailbox(a.id, "New");
          await m.renameMailbox(box.id, "Newer");
          await m.deleteMailbox(box.id);
          const top = (await m.getMailboxById(inbox.id))!.highestModseq;
          assert.deepEqual(events, [
            {
              kind: "added",
              accountId: a.id,
              mailboxId: inbox.id,
              uids: [1],
              modseq: top - 2,
              cause: "deliver",
            },
            { kind: "flags", accountId: a.id, mailboxId: inbox.id, uids: [1], modseq: top - 1 },
            { kind: "expunged", accountId: a.id, mailboxId: inbox.id, uids: [1], modseq: top },
            { kind: "mailbox-created", accountId: a.id, mailboxId: box.id, name: "New" },
            { kind: "mailbox-renamed", accountId: a.id, mailboxId: box.id, name: "Newer" },
            { kind: "mailbox-deleted", accountId: a.id, mailboxId: box.id, name: "Newer" },
          ]);
          // A flag update says which keywords it newly set (lower-case), so a listener acts on
          // the setting of $Junk, not on every later change of a message that has it.
          events.length = 0;
          const [d] = await m.deliver(sampleMessage(2), [{ accountId: a.id, flags: ["$NotJunk"] }]);
          await m.setFlags(inbox.id, [d!.uid], { mode: "add", flags: ["$Junk", "$notjunk", "\\Seen"] });
          await m.setFlags(inbox.id, [d!.uid], { mode: "add", flags: ["\\Flagged"] });
          assert.deepEqual(
            events.map((e) => (e.kind === "flags" ? (e.keywordsAdded ?? null) : e.kind)),
            ["added", ["$junk"], null],
          );
        }));

      test("claimRecent: each new message goes to one claimer; peek only looks; counts show the unclaimed", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          assert.deepEqual(await m.claimRecent(inbox.id), { from: 1, to: 0 }, "empty mailbox: nothing");
          for (let i = 1; i <= 3; i++) await m.append(a.id, inbox.id, { body: sampleMessage(i) });
          assert.equal((await m.mailboxCounts(inbox.id)).recent, 3);
          assert.deepEqual(await m.claimRecent(inbox.id, { peek: true }), { from: 1, to: 3 });
          assert.deepEqual(await m.claimRecent(inbox.id), { from: 1, to: 3 });
          assert.deepEqual(await m.claimRecent(inbox.id), { from: 4, to: 3 }, "already claimed");
          assert.equal((await m.mailboxCounts(inbox.id)).recent, 0);
          await m.deliver(sampleMessage(4), [{ accountId: a.id }]);
          assert.equal((await m.mailboxCounts(inbox.id)).recent, 1);
          assert.deepEqual(await m.claimRecent(inbox.id), { from: 4, to: 4 });
          // Copied in: recent in the destination (RFC 3501 6.4.7).
          const dest = await m.createMailbox(a.id, "Dest");
          await m.copy(inbox.id, [1, 2], dest.id);
          assert.equal((await m.mailboxCounts(dest.id)).recent, 2);
        }));

      test("everything survives close and reopen", () =>
        withStore(open, async (h) => {
          const a = await account(h.store);
          const inbox = await inboxOf(h.store, a.id);
          const big = Buffer.concat([sampleMessage("big"), Buffer.alloc(200_000, "x")]);
          await h.store.mail.deliver(sampleMessage(1), [{ accountId: a.id, flags: ["\\Seen"] }]);
          await h.store.mail.append(a.id, inbox.id, { body: big });
          await h.store.directory.addAlias("al@example.com", ["bob@example.com"]);
          const q = await h.store.queue.enqueue({
            body: sampleMessage("out"),
            mailFrom: "bob@example.com",
            recipients: [{ address: "x@remote.test" }],
          });
          const s2 = await h.reopen();
          const list = await s2.mail.listMessages(inbox.id);
          assert.deepEqual(
            list.map((x) => [x.uid, x.flags]),
            [
              [1, ["\\Seen"]],
              [2, []],
            ],
          );
          assert.deepEqual(await s2.mail.readBody(list[1]!.blobId), big);
          assert.equal((await s2.mail.getMessage(inbox.id, 2))?.structure.envelope.subject, "test big");
          assert.deepEqual((await s2.directory.getAlias("al@example.com"))?.targets, ["bob@example.com"]);
          assert.deepEqual(
            await s2.mail.readBody((await s2.queue.getQueued(q.id))!.blobId),
            sampleMessage("out"),
          );
          assert.equal((await s2.directory.getAccountByAddress("bob@example.com"))?.id, a.id);
        }));

      test("removing an account removes its mailboxes and messages", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const b = await account(store, "keep@example.com");
          const m = store.mail;
          const body = sampleMessage(1);
          const [ca, cb] = await m.deliver(body, [{ accountId: a.id }, { accountId: b.id }]);
          await store.directory.removeAccount(a.id);
          assert.deepEqual(await m.listMailboxes(a.id), []);
          assert.equal(await m.getMessageById(ca!.messageId), null);
          const kept = await m.getMessageById(cb!.messageId);
          assert.deepEqual(
            await m.readBody(kept!.meta.blobId),
            body,
            "the shared body stays for the other copy",
          );
        }));
    });

    describe("account change log (JMAP /changes)", () => {
      const kinds = (r: { changes: { id: number; kind: string }[] }) => r.changes.map((c) => [c.kind, c.id]);

      test("emails: created, updated by flags and moves, destroyed; created-then-destroyed omitted", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          const archive = await m.createMailbox(a.id, "Kept");
          const s0 = (await m.changeState(a.id)).email;
          const [x] = await m.deliver(sampleMessage(1), [{ accountId: a.id }]);
          const [y] = await m.deliver(sampleMessage(2), [{ accountId: a.id }]);
          const s1 = (await m.changeState(a.id)).email;
          assert.ok(s1 > s0);
          assert.deepEqual(kinds(await m.objectChangesSince(a.id, "email", s0, 100)), [
            ["created", x!.messageId],
            ["created", y!.messageId],
          ]);
          await m.setFlags(inbox.id, [x!.uid], { mode: "add", flags: ["\\Seen"] });
          const [z] = await m.deliver(sampleMessage(3), [{ accountId: a.id }]);
          await m.move(inbox.id, [y!.uid], archive.id);
          await m.expunge(inbox.id, [z!.uid]);
          const r = await m.objectChangesSince(a.id, "email", s1, 100);
          assert.deepEqual(kinds(r), [
            ["updated", x!.messageId],
            ["updated", y!.messageId],
          ]);
          assert.equal(r.hasMore, false);
          assert.equal(r.seq, (await m.changeState(a.id)).email);
          await m.expunge(inbox.id, [x!.uid]);
          assert.deepEqual(kinds(await m.objectChangesSince(a.id, "email", r.seq, 100)), [
            ["destroyed", x!.messageId],
          ]);
          const later = await m.objectChangesSince(a.id, "email", (await m.changeState(a.id)).email, 100);
          assert.deepEqual(later.changes, []);
        }));

      test("paging with max: hasMore and an intermediate seq, then the rest", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const s0 = (await m.changeState(a.id)).email;
          const ids: number[] = [];
          for (let i = 0; i < 5; i++)
            ids.push((await m.deliver(sampleMessage(i), [{ accountId: a.id }]))[0]!.messageId);
          const p1 = await m.objectChangesSince(a.id, "email", s0, 2);
          assert.equal(p1.hasMore, true);
          assert.deepEqual(
            p1.changes.map((c) => c.id),
            ids.slice(0, 2),
          );
          const p2 = await m.objectChangesSince(a.id, "email", p1.seq, 2);
          assert.deepEqual(
            p2.changes.map((c) => c.id),
            ids.slice(2, 4),
          );
          const p3 = await m.objectChangesSince(a.id, "email", p2.seq, 2);
          assert.deepEqual(
            p3.changes.map((c) => c.id),
            ids.slice(4),
          );
          assert.equal(p3.hasMore, false);
          await rejectsWith(m.objectChangesSince(a.id, "email", p3.seq + 1000, 2), "invalid");
        }));

      test("mailboxes: create, rename, counts, delete; other accounts apart", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const b = await account(store, "other@example.com");
          const m = store.mail;
          const s0 = (await m.changeState(a.id)).mailbox;
          const box = await m.createMailbox(a.id, "Work");
          const sb = (await m.changeState(b.id)).mailbox;
          await m.renameMailbox(box.id, "Job");
          await m.deliver(sampleMessage(1), [{ accountId: b.id }]);
          assert.deepEqual(kinds(await m.objectChangesSince(a.id, "mailbox", s0, 100)), [
            ["created", box.id],
          ]);
          const s1 = (await m.changeState(a.id)).mailbox;
          await m.append(a.id, box.id, { body: sampleMessage(2) });
          assert.deepEqual(kinds(await m.objectChangesSince(a.id, "mailbox", s1, 100)), [
            ["updated", box.id],
          ]);
          const s2 = (await m.changeState(a.id)).mailbox;
          await m.deleteMailbox(box.id);
          assert.deepEqual(kinds(await m.objectChangesSince(a.id, "mailbox", s2, 100)), [
            ["destroyed", box.id],
          ]);
          const bInbox = await inboxOf(store, b.id);
          assert.deepEqual(kinds(await m.objectChangesSince(b.id, "mailbox", sb, 100)), [
            ["updated", bInbox.id],
          ]);
        }));

      test("threads: created with their first message, updated, destroyed with their last", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          const s0 = (await m.changeState(a.id)).thread;
          const [root] = await m.deliver(sampleMessage("root"), [{ accountId: a.id }]);
          const t = root!.messageId;
          assert.deepEqual(kinds(await m.objectChangesSince(a.id, "thread", s0, 100)), [["created", t]]);
          const s1 = (await m.changeState(a.id)).thread;
          const [reply] = await m.deliver(sampleMessage("r", "In-Reply-To: <msg-root@example.org>\r\n"), [
            { accountId: a.id },
          ]);
          assert.deepEqual(kinds(await m.objectChangesSince(a.id, "thread", s1, 100)), [["updated", t]]);
          assert.deepEqual(
            (await m.threadMessages(a.id, [t])).map((x) => x.id),
            [root!.messageId, reply!.messageId],
          );
          const s2 = (await m.changeState(a.id)).thread;
          await m.expunge(inbox.id, [reply!.uid]);
          assert.deepEqual(kinds(await m.objectChangesSince(a.id, "thread", s2, 100)), [["updated", t]]);
          const s3 = (await m.changeState(a.id)).thread;
          await m.expunge(inbox.id, [root!.uid]);
          assert.deepEqual(kinds(await m.objectChangesSince(a.id, "thread", s3, 100)), [["destroyed", t]]);
          assert.deepEqual(await m.threadMessages(a.id, [t]), []);
        }));

      test("listAccountMessages covers every mailbox, newest first", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const box = await m.createMailbox(a.id, "Other");
          const [x] = await m.deliver(sampleMessage(1), [{ accountId: a.id }], {
            internalDate: new Date(1000_000),
          });
          const y = await m.append(a.id, box.id, {
            body: sampleMessage(2),
            internalDate: new Date(2000_000),
          });
          assert.deepEqual(
            (await m.listAccountMessages(a.id)).map((x) => x.id),
            [y.messageId, x!.messageId],
          );
        }));
    });

    describe("mailbox listings (JMAP Email/query, Mailbox thread counts)", () => {
      test("pages by internal date both ways, ties by id; positions; collapsed threads", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const m = store.mail;
          const inbox = await inboxOf(store, a.id);
          const other = await m.createMailbox(a.id, "Other");
          const at = (n: number) => ({ internalDate: new Date(1_000_000 + n * 1000) });
          // Dates: r=1, x=3, y=3 (tie: id order), z=2 (a reply to r), w elsewhere.
          const [r] = await m.deliver(sampleMessage("r"), [{ accountId: a.id }], at(1));
          const [x] = await m.deliver(sampleMessage("x"), [{ accountId: a.id }], at(3));
          const [y] = await m.deliver(sampleMessage("y"), [{ accountId: a.id }], at(3));
          const [z] = await m.deliver(
            sampleMessage("z", "In-Reply-To: <msg-r@example.org>\r\n"),
            [{ accountId: a.id }],
            at(2),
          );
          const w = await m.append(a.id, other.id, {
            body: sampleMessage("w"),
            internalDate: at(9).internalDate,
          });
          const [R, X, Y, Z] = [r!, x!, y!, z!].map((c) => c.messageId);
          const desc = { ascending: false };
          const asc = { ascending: true };
          assert.deepEqual(await m.mailboxMessageIds(inbox.id, desc, { offset: 0, limit: 10 }), [Y, X, Z, R]);
          assert.deepEqual(await m.mailboxMessageIds(inbox.id, asc, { offset: 0, limit: 10 }), [R, Z, X, Y]);
          assert.deepEqual(await m.mailboxMessageIds(inbox.id, desc, { offset: 1, limit: 2 }), [X, Z]);
          assert.deepEqual(await m.mailboxMessageIds(inbox.id, desc, { offset: 9, limit: 2 }), []);
          assert.equal(await m.mailboxMessagePosition(inbox.id, Z!, desc), 2);
          assert.equal(await m.mailboxMessagePosition(inbox.id, Z!, asc), 1);
          assert.equal(await m.mailboxMessagePosition(inbox.id, w.messageId, desc), null);
          // Collapsed: z is the newest of r's thread, so r disappears (desc); ascending keeps r.
          const cdesc = { ascending: false, collapseThreads: true };
          const casc = { ascending: true, collapseThreads: true };
          assert.deepEqual(await m.mailboxMessageIds(inbox.id, cdesc, { offset: 0, limit: 10 }), [Y, X, Z]);
          assert.deepEqual(await m.mailboxMessageIds(inbox.id, casc, { offset: 1, limit: 10 }), [X, Y]);
          assert.equal(await m.mailboxMessagePosition(inbox.id, R!, cdesc), null);
          assert.equal(await m.mailboxMessagePosition(inbox.id, Z!, cdesc), 2);
          assert.equal(await m.mailboxMessageCount(inbox.id, desc), 4);
          assert.equal(await m.mailboxMessageCount(inbox.id, cdesc), 3);
          assert.deepEqual(await m.mailboxThreadCounts(inbox.id), { threads: 3, unseenThreads: 3 });
          await m.setFlags(inbox.id, [z!.uid, x!.uid], { mode: "add", flags: ["\\Seen"] });
          // r's thread still has the unseen r.
          assert.deepEqual(await m.mailboxThreadCounts(inbox.id), { threads: 3, unseenThreads: 2 });
          await rejectsWith(m.mailboxMessageIds(999_999, desc, { offset: 0, limit: 1 }), "not-found");
          await rejectsWith(m.mailboxMessageIds(inbox.id, desc, { offset: -1, limit: 1 }), "invalid");
        }));
    });

    describe("queue", () => {
      test("enqueue, list, get, update, remove", () =>
        withStore(open, async ({ store }) => {
          const a = await account(store);
          const q = store.queue;
          const body = sampleMessage("q");
          const e = await q.enqueue({
            body,
            mailFrom: "",
            recipients: [{ address: "x@remote.test", notify: ["FAILURE"], orcpt: "rfc822;x@remote.test" }],
            envId: "env1",
            ret: "HDRS",
            accountId: a.id,
            cid: "CID123",
          });
          assert.equal(e.state, "queued");
          assert.equal(e.cid, "CID123");
          assert.equal(e.attempts, 0);
          assert.equal(e.size, body.length);
          assert.equal(e.mailFrom, "");
          assert.equal(e.envId, "env1");
          assert.equal(e.ret, "HDRS");
          assert.equal(e.accountId, a.id);
          assert.deepEqual(e.recipients, [
            {
              address: "x@remote.test",
              notify: ["FAILURE"],
              orcpt: "rfc822;x@remote.test",
              state: "pending",
              lastError: null,
            },
          ]);
          assert.deepEqual(await store.mail.readBody(e.blobId), body);
          const e2 = await q.enqueue({
            body,
            mailFrom: "bob@example.com",
            recipients: [{ address: "y@r.test" }],
          });
          assert.equal(e2.blobId, e.blobId);
          assert.equal(e2.cid, null);
          const next = new Date(Date.now() + 60_000);
          const u = await q.updateQueued(e.id, {
            state: "deferred",
            attempts: 1,
            lastError: "451 try later",
            nextAttemptAt: next,
            recipients: [{ ...e.recipients[0]!, state: "failed", lastError: "550 no" }],
          });
          assert.equal(u.state, "deferred");
          assert.equal(u.nextAttemptAt.getTime(), next.getTime());
          const got = await q.getQueued(e.id);
          assert.deepEqual(got, u);
          assert.deepEqual(
            (await q.listQueue({ state: "deferred" })).map((x) => x.id),
            [e.id],
          );
          assert.equal((await q.listQueue()).length, 2);
          assert.deepEqual(await q.queueStats(), { count: 2, deferred: 1, oldest: e.createdAt });
          await q.removeQueued(e.id);
          await rejectsWith(q.removeQueued(e.id), "not-found");
          await rejectsWith(q.updateQueued(e.id, { attempts: 2 }), "not-found");
          assert.equal(await q.getQueued(e.id), null);
          assert.deepEqual(await store.mail.readBody(e2.blobId), body, "still referenced by the other entry");
          await q.removeQueued(e2.id);
          assert.deepEqual(await q.queueStats(), { count: 0, deferred: 0, oldest: null });
          await rejectsWith(store.mail.readBody(e.blobId), "not-found");
          await rejectsWith(q.enqueue({ body, mailFrom: "", recipients: [] }), "invalid");
        }));

      test("claimQueued leases due entries once, and again after the lease runs out", () =>
        withStore(open, async ({ store }) => {
          const q = store.queue;
          const body = sampleMessage("lease");
          const mk = () =>
            q.enqueue({ body, mailFrom: "a@example.com", recipients: [{ address: "x@r.test" }] });
          const e1 = await mk();
          const e2 = await mk();
          const e3 = await mk();
          const later = new Date(Date.now() + 3_600_000);
          await q.updateQueued(e3.id, { state: "deferred", nextAttemptAt: later });
          const now = new Date(Date.now() + 1000);
          const lease = new Date(now.getTime() + 60_000);
          const first = await q.claimQueued({ now, leaseUntil: lease, limit: 1 });
          assert.deepEqual(
            first.map((x) => [x.id, x.state, x.nextAttemptAt.getTime()]),
            [[e1.id, "sending", lease.getTime()]],
          );
          const second = await q.claimQueued({ now, leaseUntil: lease, limit: 10 });
          assert.deepEqual(
            second.map((x) => x.id),
            [e2.id],
            "leased entries and entries not yet due are not claimed",
          );
          assert.deepEqual(await q.claimQueued({ now, leaseUntil: lease, limit: 10 }), []);
          // After the lease expires (a dead worker), both come back; e3 is still not due.
          const after = new Date(lease.getTime() + 1);
          const again = await q.claimQueued({
            now: after,
            leaseUntil: new Date(after.getTime() + 1000),
            limit: 10,
          });
          assert.deepEqual(
            again.map((x) => x.id),
            [e1.id, e2.id],
          );
          await rejectsWith(q.claimQueued({ now, leaseUntil: now, limit: 1 }), "invalid");
        }));
    });
  });
}
