// What the screen shows (state/selection.ts): the cursor within the list, the open conversation,
// the emails an action applies to, and a conversation that arrives after another was opened.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { email, FakeJmap } from "./fake-jmap";
import { ListModel } from "./message-list";
import { Selection } from "./selection";

const settle = () => new Promise((r) => setImmediate(r));

function account(): FakeJmap {
  const j = new FakeJmap();
  // One conversation over two folders: A1 (Inbox), A2 (Sent), A3 (Inbox); and B alone.
  const t = (id: string, at: string, box: string) =>
    j.emails.set(id, email({ id, receivedAt: at, threadId: "TA", mailboxIds: { [box]: true } }));
  t("A1", "2026-01-01T00:00:00Z", "in");
  t("A2", "2026-01-02T00:00:00Z", "sent");
  t("A3", "2026-01-03T00:00:00Z", "in");
  j.emails.set("B", email({ id: "B", receivedAt: "2026-01-04T00:00:00Z", mailboxIds: { in: true } }));
  return j;
}

describe("Selection", () => {
  test("the cursor stays within the list", () => {
    const s = new Selection(new FakeJmap());
    s.show({ kind: "mailbox", id: "in" });
    s.prev();
    assert.equal(s.state.cursor, 0);
    s.next(2);
    s.next(2);
    assert.equal(s.state.cursor, 1);
    s.next(null);
    assert.equal(s.state.cursor, 0, "an unknown total: the first row");
  });

  test("targets: the open conversation's emails in this folder, else the row under the cursor", async () => {
    const j = account();
    const s = new Selection(j);
    const list = new ListModel(j, { filter: { inMailbox: "in" }, search: false, collapseThreads: true });
    list.ensure(0, 10);
    await settle();
    s.show({ kind: "mailbox", id: "in" });
    s.setCursor(1);
    assert.deepEqual(s.targets(list), ["A3"], "the conversation's newest in the Inbox");
    s.open("A3");
    assert.deepEqual(s.targets(list), ["A3"], "not loaded yet: the opened one");
    await s.loadThread();
    assert.deepEqual(
      s.state.thread?.map((e) => e.id),
      ["A1", "A2", "A3"],
    );
    assert.deepEqual(s.targets(list), ["A1", "A3"], "not the copy in Sent");
    s.show({ kind: "search", text: "x", back: "in" });
    s.open("A3");
    await s.loadThread();
    assert.deepEqual(s.targets(list), ["A3"], "a search: the opened one only");
  });

  test("a conversation that arrives after another was opened is dropped", async () => {
    const j = account();
    const s = new Selection(j);
    s.show({ kind: "mailbox", id: "in" });
    s.open("A3");
    const release = j.holdNext();
    const late = s.loadThread();
    s.open("B");
    const b = await s.loadThread();
    assert.deepEqual(
      b?.map((e) => e.id),
      ["B"],
    );
    release();
    assert.equal(await late, null);
    assert.deepEqual(
      s.state.thread?.map((e) => e.id),
      ["B"],
    );
    assert.equal(s.opened()?.id, "B");
  });
});
