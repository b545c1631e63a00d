// The folders (state/mailbox-list.ts) against a fake account: order, roles, unread counts,
// changes, refusals, and a late answer that must not replace a newer one.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MethodError } from "../api/jmap";
import { email, FakeJmap, mailbox } from "./fake-jmap";
import { MailboxList } from "./mailbox-list";

function account(): FakeJmap {
  const j = new FakeJmap();
  j.mailboxes = [
    mailbox("b", "Bills", null, 0),
    mailbox("t", "Trash", "trash"),
    mailbox("a", "Archive", "archive", 0),
    mailbox("i", "Inbox", "inbox"),
    mailbox("c", "Cats", null, 0),
  ];
  j.emails.set("M1", email({ id: "M1", receivedAt: "2026-01-01T00:00:00Z", mailboxIds: { i: true } }));
  j.emails.set(
    "M2",
    email({
      id: "M2",
      receivedAt: "2026-01-02T00:00:00Z",
      mailboxIds: { i: true },
      keywords: { $seen: true },
    }),
  );
  return j;
}

describe("MailboxList", () => {
  test("loads the folders: roles first (Inbox, Archive, Trash), then by name; unread in the Inbox", async () => {
    const boxes = new MailboxList(account());
    await boxes.load();
    assert.deepEqual(
      boxes.state.mailboxes.map((b) => b.name),
      ["Inbox", "Archive", "Trash", "Bills", "Cats"],
    );
    assert.equal(boxes.byRole("trash")?.id, "t");
    assert.equal(boxes.home()?.id, "i");
    assert.equal(boxes.unreadInInbox(), 1);
  });

  test("create and rename reload the folders", async () => {
    const j = account();
    const boxes = new MailboxList(j);
    await boxes.load();
    await boxes.create("Dogs");
    assert.ok(boxes.state.mailboxes.some((b) => b.name === "Dogs"));
    await boxes.rename("c", "Kittens");
    assert.equal(boxes.byId("c")?.name, "Kittens");
  });

  test("a folder that holds mail is not deleted: MethodError mailboxHasEmail, the list unchanged", async () => {
    const j = account();
    j.notEmpty.add("b");
    const boxes = new MailboxList(j);
    await boxes.load();
    await assert.rejects(boxes.destroy("b"), (e) => e instanceof MethodError && e.type === "mailboxHasEmail");
    assert.ok(boxes.byId("b"));
    await boxes.destroy("c");
    assert.equal(boxes.byId("c"), undefined);
  });

  test("an answer older than the one shown is dropped", async () => {
    const j = account();
    const boxes = new MailboxList(j);
    const release = j.holdNext();
    const first = boxes.load(); // answered while Cats still exists, heard late
    j.mailboxes = j.mailboxes.filter((b) => b.id !== "c");
    await boxes.load();
    assert.equal(boxes.byId("c"), undefined);
    release();
    await first;
    assert.equal(boxes.byId("c"), undefined, "the older answer did not replace the newer");
  });

  test("reload() after a failure keeps what was shown", async () => {
    const j = account();
    const boxes = new MailboxList(j);
    await boxes.load();
    j.failNext.set("Mailbox/get", "serverFail");
    await boxes.reload();
    assert.equal(boxes.state.mailboxes.length, 5);
  });
});
