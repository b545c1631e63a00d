// The mail screen's state (state/mail-screen.ts) against a fake account: start in the Inbox,
// open and mark read, flags, moves and deletions shown at once and undone when the server
// refuses them, push refreshing the list, folder deletion refused while it holds mail.
import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";
import { email, FakeJmap, mailbox } from "./fake-jmap";
import { MailScreen, PUSH_SETTLE_MS } from "./mail-screen";
import type { Notice } from "./notices";

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** Inbox with M0 (newest) .. M3, M1 and M2 one conversation; Archive, Trash. */
function account(): FakeJmap {
  const j = new FakeJmap();
  j.mailboxes = [
    mailbox("arc", "Archive", "archive"),
    mailbox("tr", "Trash", "trash"),
    mailbox("in", "Inbox", "inbox"),
  ];
  for (let i = 0; i < 4; i++) {
    const at = new Date(Date.UTC(2026, 0, 10) - i * 3_600_000).toISOString();
    j.emails.set(`M${i}`, email({ id: `M${i}`, receivedAt: at, mailboxIds: { in: true } }));
  }
  j.emails.set("M1", { ...j.emails.get("M1")!, threadId: "T12" });
  j.emails.set("M2", { ...j.emails.get("M2")!, threadId: "T12", keywords: { $seen: true } });
  return j;
}

/** A started screen with the Inbox's first rows loaded. */
async function started(j = account()): Promise<MailScreen> {
  const s = new MailScreen(j);
  await s.start();
  s.list?.ensure(0, 20);
  await settle();
  return s;
}

const rows = (s: MailScreen) => [0, 1, 2, 3].map((i) => s.list?.idAt(i));
const notices = (s: MailScreen): Notice[] => s.notices.state.list.map((x) => x.notice);

describe("MailScreen", () => {
  test("start: folders and identities loaded, the Inbox listed (conversations collapsed)", async () => {
    const j = account();
    const s = await started(j);
    assert.equal(s.state.ready, true);
    assert.deepEqual(s.selection.state.view, { kind: "mailbox", id: "in" });
    assert.deepEqual(
      s.state.identities.map((i) => i.id),
      ["I1"],
    );
    assert.deepEqual(rows(s), ["M0", "M1", "M3", undefined]);
    assert.equal(s.mailboxes.unreadInInbox(), 3);
  });

  test("start: an account that cannot be loaded is a fatal error, not a blank screen", async () => {
    const j = account();
    j.failNext.set("Mailbox/get", "serverFail");
    const s = new MailScreen(j);
    await s.start();
    assert.equal(s.state.fatal, "serverFail");
    assert.equal(s.state.ready, false);
  });

  test("open: the conversation is loaded oldest first and the opened message marked read", async () => {
    const j = account();
    const s = await started(j);
    const release = j.hold();
    s.open("M1", 1);
    await settle();
    assert.equal(s.selection.opened(), undefined, "loading");
    assert.equal(s.selection.state.thread?.length, undefined);
    release();
    await settle();
    assert.deepEqual(
      s.selection.state.thread?.map((e) => e.id),
      ["M2", "M1"],
    );
    assert.equal(s.list?.emails.get("M1")?.keywords.$seen, true);
    assert.equal(j.emails.get("M1")?.keywords.$seen, true);
    const set = j.calls.find((c) => c[0] === "Email/set")!;
    assert.deepEqual(set[1].update, { M1: { "keywords/$seen": true } });
  });

  test("mark unread: shown at once, closes the message; a refusal puts $seen back and says why", async () => {
    const j = account();
    const s = await started(j);
    s.open("M0", 0);
    await settle();
    j.refuseUpdate.add("M0");
    const release = j.hold();
    const done = s.setRead(false);
    assert.equal(s.list?.emails.get("M0")?.keywords.$seen, false, "optimistic");
    assert.equal(s.selection.state.openId, null);
    release();
    await done;
    assert.equal(s.list?.emails.get("M0")?.keywords.$seen, true, "rolled back");
    assert.deepEqual(notices(s), [{ kind: "error", reason: "forbidden" }]);
  });

  test("flag: shown at once in the list and the reader; a method error puts it back", async () => {
    const j = account();
    const s = await started(j);
    s.open("M3", 2);
    await settle();
    await s.toggleFlag();
    assert.equal(j.emails.get("M3")?.keywords.$flagged, true);
    assert.equal(s.selection.opened()?.keywords.$flagged, true);
    j.failNext.set("Email/set", "serverFail");
    const done = s.toggleFlag();
    assert.equal(s.list?.emails.get("M3")?.keywords.$flagged, false, "optimistic");
    await done;
    assert.equal(s.list?.emails.get("M3")?.keywords.$flagged, true);
    assert.equal(s.selection.opened()?.keywords.$flagged, true);
    assert.equal(j.emails.get("M3")?.keywords.$flagged, true);
  });

  test("move: the conversation leaves the list at once and goes to Archive, with a notice", async () => {
    const j = account();
    const s = await started(j);
    s.open("M1", 1);
    await settle();
    const release = j.hold();
    const done = s.archive();
    assert.deepEqual(rows(s), ["M0", "M3", undefined, undefined], "before the server answers");
    assert.equal(s.selection.state.openId, null);
    release();
    await done;
    await settle();
    assert.deepEqual(j.emails.get("M1")?.mailboxIds, { arc: true });
    assert.deepEqual(j.emails.get("M2")?.mailboxIds, { arc: true }, "the whole conversation in this folder");
    assert.deepEqual(rows(s), ["M0", "M3", undefined, undefined], "refetched");
    const [moved] = notices(s);
    assert.equal(moved?.kind === "moved" && moved.to.name, "Archive");
    assert.equal(notices(s).length, 1);
  });

  test("move refused: the rows come back in place, the message reopens, the error is said", async () => {
    const j = account();
    const s = await started(j);
    s.open("M3", 2);
    await settle();
    j.refuseUpdate.add("M3");
    const done = s.move("arc");
    assert.deepEqual(rows(s), ["M0", "M1", undefined, undefined]);
    await done;
    assert.deepEqual(rows(s), ["M0", "M1", "M3", undefined]);
    assert.equal(s.selection.state.openId, "M3");
    assert.equal(s.selection.state.cursor, 2);
    assert.deepEqual(j.emails.get("M3")?.mailboxIds, { in: true });
    assert.deepEqual(notices(s), [{ kind: "error", reason: "forbidden" }]);
  });

  test("delete: to Trash; in Trash, destroyed only when confirmed, back on a refusal", async () => {
    const j = account();
    const s = await started(j);
    s.selection.setCursor(0);
    await s.remove(() => assert.fail("no confirm to move to Trash"));
    assert.deepEqual(j.emails.get("M0")?.mailboxIds, { tr: true });
    s.showMailbox("tr");
    s.list?.ensure(0, 20);
    await settle();
    assert.deepEqual(rows(s), ["M0", undefined, undefined, undefined]);
    await s.remove(() => false);
    assert.ok(j.emails.has("M0"), "not confirmed");
    j.failNext.set("Email/set", "serverFail");
    const refused = s.remove(() => true);
    assert.equal(s.list?.total, 0, "optimistic");
    await refused;
    assert.deepEqual(rows(s), ["M0", undefined, undefined, undefined]);
    await s.remove(() => true);
    assert.equal(j.emails.has("M0"), false);
    assert.equal(s.list?.total, 0);
  });

  test("moving search results keeps them listed and refreshes (a search spans folders)", async () => {
    const j = account();
    const s = await started(j);
    s.search("subject m3");
    s.list?.ensure(0, 20);
    await settle();
    assert.deepEqual(rows(s), ["M3", undefined, undefined, undefined]);
    await s.moveIds(["M3"], "arc");
    await settle();
    assert.deepEqual(rows(s), ["M3", undefined, undefined, undefined]);
    assert.deepEqual(j.emails.get("M3")?.mailboxIds, { arc: true });
    s.endSearch();
    assert.deepEqual(s.selection.state.view, { kind: "mailbox", id: "in" });
  });

  test("push: a burst of state changes refreshes the list and the folders once it settles", async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const j = account();
      const s = await started(j);
      const before = j.calls.length;
      j.emails.set("N", email({ id: "N", receivedAt: "2026-02-01T00:00:00Z", mailboxIds: { in: true } }));
      s.onPush({ changed: { A1: { Email: "s2" } } });
      s.onPush({ changed: { A1: { Email: "s2", Mailbox: "s3" } } });
      await settle();
      assert.equal(j.calls.length, before, "nothing asked before the burst settles");
      mock.timers.tick(PUSH_SETTLE_MS);
      await settle();
      assert.equal(j.calls.slice(before).filter((c) => c[0] === "Email/query").length, 1, "one refresh");
      assert.deepEqual(rows(s), ["N", "M0", "M1", "M3"]);
      assert.equal(s.mailboxes.unreadInInbox(), 4);
      assert.deepEqual(notices(s), []);
    } finally {
      mock.timers.reset();
    }
  });

  test("push: new mail delivered (EmailDelivery) is announced by its sender", async () => {
    const j = account();
    const s = await started(j);
    j.emails.set("N", email({ id: "N", receivedAt: "2026-02-01T00:00:00Z", mailboxIds: { in: true } }));
    s.onPush({ changed: { A1: { Email: "s2", EmailDelivery: "s2" } } });
    await settle();
    s.stop();
    assert.deepEqual(notices(s), [{ kind: "newMail", from: [{ name: "Ann", email: "ann@example.com" }] }]);
  });

  test("deleting a folder that holds mail says so; deleting the one shown goes back to the Inbox", async () => {
    const j = account();
    j.mailboxes.push(mailbox("x", "Old", null), mailbox("y", "Full", null));
    j.notEmpty.add("y");
    const s = await started(j);
    await s.deleteFolder(s.mailboxes.byId("y")!);
    assert.deepEqual(notices(s), [{ kind: "folderNotEmpty" }]);
    assert.ok(s.mailboxes.byId("y"));
    s.showMailbox("x");
    await s.deleteFolder(s.mailboxes.byId("x")!);
    assert.equal(s.mailboxes.byId("x"), undefined);
    assert.deepEqual(s.selection.state.view, { kind: "mailbox", id: "in" });
  });
});
