// The message list's window onto Email/query (state/message-list.ts) against a fake account:
// pages fetched once each with result references, rows hidden and put back, answers to a request
// older than a refresh dropped.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { email, FakeJmap } from "./fake-jmap";
import { ListModel, PAGE } from "./message-list";

const settle = () => new Promise((r) => setImmediate(r));

/** n messages in the Inbox, M0 newest. */
function account(n: number): FakeJmap {
  const j = new FakeJmap();
  for (let i = 0; i < n; i++) {
    const at = new Date(Date.UTC(2026, 0, 1) - i * 60_000).toISOString();
    j.emails.set(`M${i}`, email({ id: `M${i}`, receivedAt: at, mailboxIds: { inbox: true } }));
  }
  return j;
}

const inbox = (j: FakeJmap) =>
  new ListModel(j, { filter: { inMailbox: "inbox" }, search: false, collapseThreads: true });

describe("ListModel", () => {
  test("loading a mailbox: one request (query, get, threads), rows newest first, the total", async () => {
    const j = account(3);
    const list = inbox(j);
    let changes = 0;
    list.subscribe(() => changes++);
    list.ensure(0, 10);
    await settle();
    assert.deepEqual(j.methods(), ["Email/query", "Email/get", "Thread/get"]);
    const q = j.calls[0]![1];
    assert.deepEqual(q.filter, { inMailbox: "inbox" });
    assert.equal(q.collapseThreads, true);
    assert.equal(q.limit, PAGE);
    assert.equal(list.total, 3);
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => list.idAt(i)),
      ["M0", "M1", "M2", undefined],
    );
    assert.equal(list.emailAt(1)?.subject, "Subject M1");
    assert.equal(list.threadSizes.get("TM0"), 1);
    assert.equal(list.error, null);
    assert.ok(changes > 0, "the view is told");
  });

  test("only the pages in view are fetched, each once", async () => {
    const j = account(3 * PAGE + 5);
    const list = inbox(j);
    list.ensure(0, PAGE - 1);
    list.ensure(0, PAGE - 1);
    await settle();
    assert.equal(j.methods().filter((m) => m === "Email/query").length, 1);
    list.ensure(PAGE + 3, 2 * PAGE + 3);
    await settle();
    const positions = j.calls.filter((c) => c[0] === "Email/query").map((c) => c[1].position);
    assert.deepEqual(positions, [0, PAGE, 2 * PAGE]);
    assert.equal(list.idAt(2 * PAGE + 3), `M${2 * PAGE + 3}`);
    assert.equal(list.total, 3 * PAGE + 5);
  });

  test("hide() removes rows at once, restore() puts them back where they were", async () => {
    const list = inbox(account(5));
    list.ensure(0, 10);
    await settle();
    const hidden = list.hide(["M1", "M3"]);
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => list.idAt(i)),
      ["M0", "M2", "M4", undefined],
    );
    assert.equal(list.total, 3);
    list.restore(hidden);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => list.idAt(i)),
      ["M0", "M1", "M2", "M3", "M4"],
    );
    assert.equal(list.total, 5);
    assert.equal(list.emailAt(3)?.id, "M3", "the summaries were kept");
  });

  test("an answer asked before a hide() does not bring the hidden rows back", async () => {
    const j = account(3);
    const list = inbox(j);
    list.ensure(0, 10);
    await settle();
    const release = j.hold();
    list.refresh(); // in flight: the server still lists M1
    list.hide(["M1"]);
    release();
    await settle();
    assert.deepEqual(
      [0, 1, 2].map((i) => list.idAt(i)),
      ["M0", "M2", undefined],
    );
  });

  test("a failed request is shown as the list's error, not as rows", async () => {
    const j = account(2);
    j.failNext.set("Email/query", "serverFail");
    const list = inbox(j);
    list.ensure(0, 10);
    await settle();
    assert.equal(list.error, "serverFail");
    assert.equal(list.total, 0);
  });
});
