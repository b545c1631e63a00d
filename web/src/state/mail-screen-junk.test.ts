// Spam and Not spam on the mail screen (state/mail-screen.ts): one Email/set that moves and sets
// the keyword, the rows leave at once, and a refusal brings them back and says why.
import assert from "node:assert/strict";
import { test } from "node:test";
import { email, FakeJmap, mailbox } from "./fake-jmap";
import { MailScreen } from "./mail-screen";
import type { Notice } from "./notices";

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** Inbox with M0 (newest) .. M2; Junk holds J0, marked $junk by an earlier report. */
function account(): FakeJmap {
  const j = new FakeJmap();
  j.mailboxes = [mailbox("in", "Inbox", "inbox"), mailbox("jk", "Junk", "junk")];
  for (let i = 0; i < 3; i++) {
    const at = new Date(Date.UTC(2026, 0, 10) - i * 3_600_000).toISOString();
    j.emails.set(`M${i}`, email({ id: `M${i}`, receivedAt: at, mailboxIds: { in: true } }));
  }
  j.emails.set(
    "J0",
    email({
      id: "J0",
      receivedAt: "2026-01-01T00:00:00Z",
      mailboxIds: { jk: true },
      keywords: { $junk: true },
    }),
  );
  return j;
}

async function started(j: FakeJmap): Promise<MailScreen> {
  const s = new MailScreen(j);
  await s.start();
  s.list?.ensure(0, 20);
  await settle();
  return s;
}

const rows = (s: MailScreen) => [0, 1, 2].map((i) => s.list?.idAt(i));
const notices = (s: MailScreen): Notice[] => s.notices.state.list.map((x) => x.notice);
const emailSets = (j: FakeJmap) => j.calls.filter((c) => c[0] === "Email/set");

test("Spam: the open message leaves the list at once, goes to Junk with $junk, in one Email/set", async () => {
  const j = account();
  const s = await started(j);
  s.open("M1", 1);
  await settle();
  const before = emailSets(j).length; // opening marked it read
  assert.equal(s.inJunk(), false);
  const release = j.hold();
  const done = s.toggleSpam();
  assert.deepEqual(rows(s), ["M0", "M2", undefined], "before the server answers");
  assert.equal(s.selection.state.openId, null);
  release();
  await done;
  await settle();
  const sets = emailSets(j).slice(before);
  assert.equal(sets.length, 1);
  assert.deepEqual(sets[0]![1].update, {
    M1: { mailboxIds: { jk: true }, "keywords/$junk": true, "keywords/$notjunk": null },
  });
  assert.deepEqual(j.emails.get("M1")?.mailboxIds, { jk: true });
  assert.deepEqual(j.emails.get("M1")?.keywords, { $seen: true, $junk: true });
  const [moved] = notices(s);
  assert.equal(moved?.kind === "moved" && moved.to.role, "junk");
});

test("Not spam in Junk: back to the Inbox with $notjunk, $junk cleared", async () => {
  const j = account();
  const s = await started(j);
  s.showMailbox("jk");
  s.list?.ensure(0, 20);
  await settle();
  assert.deepEqual(rows(s), ["J0", undefined, undefined]);
  assert.equal(s.inJunk(), true);
  s.selection.setCursor(0);
  await s.toggleSpam();
  await settle();
  assert.deepEqual(j.emails.get("J0")?.mailboxIds, { in: true });
  assert.deepEqual(j.emails.get("J0")?.keywords, { $notjunk: true });
  assert.deepEqual(rows(s), [undefined, undefined, undefined]);
});

test("Spam refused: the row comes back in place, the message reopens, the error is said", async () => {
  const j = account();
  const s = await started(j);
  s.open("M2", 2);
  await settle();
  j.refuseUpdate.add("M2");
  const done = s.markSpam(true);
  assert.deepEqual(rows(s), ["M0", "M1", undefined], "optimistic");
  await done;
  assert.deepEqual(rows(s), ["M0", "M1", "M2"]);
  assert.equal(s.selection.state.openId, "M2");
  assert.deepEqual(j.emails.get("M2")?.mailboxIds, { in: true });
  assert.equal(j.emails.get("M2")?.keywords.$junk, undefined);
  assert.deepEqual(notices(s), [{ kind: "error", reason: "forbidden" }]);
});

test("Spam without a Junk folder does nothing (no half-done move)", async () => {
  const j = account();
  j.mailboxes = j.mailboxes.filter((b) => b.role !== "junk");
  const s = await started(j);
  s.selection.setCursor(0);
  const before = j.calls.length;
  await s.markSpam(true);
  assert.equal(j.calls.length, before);
  assert.deepEqual(rows(s), ["M0", "M1", "M2"]);
});

test("a drop on Junk says Spam; from Junk onto the Inbox, Not spam; elsewhere a plain move", async () => {
  const j = account();
  j.mailboxes.push(mailbox("arc", "Archive", "archive"));
  const s = await started(j);
  await s.moveIds(["M0"], "jk");
  assert.deepEqual(emailSets(j).at(-1)![1].update, {
    M0: { mailboxIds: { jk: true }, "keywords/$junk": true, "keywords/$notjunk": null },
  });
  await s.moveIds(["M1"], "arc");
  assert.deepEqual(emailSets(j).at(-1)![1].update, { M1: { mailboxIds: { arc: true } } });
  s.showMailbox("jk");
  await s.moveIds(["J0"], "in");
  assert.deepEqual(j.emails.get("J0")?.keywords, { $notjunk: true });
});
