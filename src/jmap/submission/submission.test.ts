// EmailSubmission/set, get, changes, query (RFC 8621 7) over the kept submissions: exact
// objects, cannotUnsend, destroy with onSuccessDestroyEmail, states and their changes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type JmapTest, startJmapTest } from "../test-support.js";

let t: JmapTest;
let drafts: string;
let primaryId: string;
before(async () => {
  t = await startJmapTest();
  primaryId = `I${(await t.ts.store.settings.listIdentities(t.user.id))[0]!.id}`;
  const boxes = await t.first([["Mailbox/get", { accountId: t.accountId, properties: ["role"] }, "0"]]);
  drafts = boxes.list.find((b: { role: string }) => b.role === "drafts").id;
});
after(() => t.close());

const draft = (to: string, subject: string) => ({
  mailboxIds: { [drafts]: true },
  from: [{ email: t.user.address }],
  to: [{ email: to }],
  subject,
  textBody: [{ partId: "1" }],
  bodyValues: { "1": { value: "hi" } },
});

test("create, get, changes, query, cannotUnsend, destroy", async () => {
  const bob = t.ts.users[1]!;
  const g0 = await t.first([["EmailSubmission/get", { accountId: t.accountId, ids: null }, "0"]]);
  assert.deepEqual(g0.list, []);
  const s0 = g0.state as string;
  const r = await t.api([
    [
      "Email/set",
      { accountId: t.accountId, create: { e1: draft(bob.address, "one"), e2: draft(bob.address, "two") } },
      "a",
    ],
    [
      "EmailSubmission/set",
      {
        accountId: t.accountId,
        ifInState: s0,
        create: {
          s1: { identityId: primaryId, emailId: "#e1" },
          s2: { identityId: primaryId, emailId: "#e2" },
        },
      },
      "b",
    ],
  ]);
  const e1 = r[0]![1].created.e1;
  const set = r[1]![1];
  assert.equal(set.oldState, s0);
  assert.notEqual(set.newState, s0);
  const s1 = set.created.s1;
  assert.match(s1.sendAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(s1, {
    id: s1.id,
    threadId: e1.threadId,
    envelope: {
      mailFrom: { email: t.user.address, parameters: null },
      rcptTo: [{ email: bob.address, parameters: null }],
    },
    sendAt: s1.sendAt,
    undoStatus: "final",
    deliveryStatus: {
      [bob.address]: { smtpReply: "250 2.0.0 delivered", delivered: "yes", displayed: "unknown" },
    },
    dsnBlobIds: [],
    mdnBlobIds: [],
  });
  const s2 = set.created.s2.id as string;
  const got = await t.first([
    [
      "EmailSubmission/get",
      { accountId: t.accountId, ids: [s1.id, "Snope"], properties: ["emailId", "undoStatus"] },
      "0",
    ],
  ]);
  assert.deepEqual(got, {
    accountId: t.accountId,
    state: set.newState,
    list: [{ id: s1.id, emailId: e1.id, undoStatus: "final" }],
    notFound: ["Snope"],
  });
  const [ch] = await t.api([["EmailSubmission/changes", { accountId: t.accountId, sinceState: s0 }, "0"]]);
  assert.deepEqual(ch![1], {
    accountId: t.accountId,
    oldState: s0,
    newState: set.newState,
    hasMoreChanges: false,
    created: [s1.id, s2],
    updated: [],
    destroyed: [],
  });
  const [q] = await t.api([
    [
      "EmailSubmission/query",
      {
        accountId: t.accountId,
        filter: { emailIds: [e1.id] },
        sort: [{ property: "sentAt", isAscending: false }],
      },
      "0",
    ],
  ]);
  assert.deepEqual(q![1], {
    accountId: t.accountId,
    queryState: set.newState,
    canCalculateChanges: false,
    position: 0,
    ids: [s1.id],
  });
  // Final at once: cannot be canceled. Destroying forgets it and may destroy the Email.
  const d = await t.api([
    [
      "EmailSubmission/set",
      {
        accountId: t.accountId,
        update: { [s2]: { undoStatus: "canceled" } },
        destroy: [s1.id, "Snope"],
        onSuccessDestroyEmail: [s1.id],
      },
      "0",
    ],
  ]);
  assert.equal(d[0]![1].notUpdated[s2].type, "cannotUnsend");
  assert.deepEqual(d[0]![1].destroyed, [s1.id]);
  assert.equal(d[0]![1].notDestroyed.Snope.type, "notFound");
  assert.deepEqual([d[1]![0], d[1]![1].destroyed], ["Email/set", [e1.id]]);
  const [ch2] = await t.api([
    ["EmailSubmission/changes", { accountId: t.accountId, sinceState: set.newState }, "0"],
  ]);
  assert.deepEqual([ch2![1].created, ch2![1].destroyed], [[], [s1.id]]);
  // Created and destroyed since s0: in neither list.
  const [ch3] = await t.api([["EmailSubmission/changes", { accountId: t.accountId, sinceState: s0 }, "0"]]);
  assert.deepEqual([ch3![1].created, ch3![1].destroyed], [[s2], []]);
  const [old] = await t.api([
    ["EmailSubmission/changes", { accountId: t.accountId, sinceState: "old-1" }, "0"],
  ]);
  assert.equal(old![1].type, "cannotCalculateChanges");
  const [mismatch] = await t.api([
    ["EmailSubmission/set", { accountId: t.accountId, ifInState: s0, destroy: [s2] }, "0"],
  ]);
  assert.deepEqual(mismatch, ["error", { type: "stateMismatch" }, "0"]);
});
