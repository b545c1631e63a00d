// Identity/get, /changes, /set (RFC 8621 6) over a real server: exact JSON, forbiddenFrom for
// an address the account may not send as, the primary identity's mayDelete, and a submission
// through an identity created in the same request.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type JmapTest, startJmapTest } from "../test-support.js";

let t: JmapTest;
let primary: string;
before(async () => {
  t = await startJmapTest();
  primary = `I${(await t.ts.store.settings.listIdentities(t.user.id))[0]!.id}`;
});
after(() => t.close());

test("Identity/get: the account's own identity, mayDelete false; unknown ids notFound", async () => {
  const r = await t.first([["Identity/get", { accountId: t.accountId, ids: [primary, "I999", "x"] }, "0"]]);
  assert.deepEqual(r, {
    accountId: t.accountId,
    state: r.state,
    list: [
      {
        id: primary,
        name: "",
        email: "alice@example.test",
        replyTo: null,
        bcc: null,
        textSignature: "",
        htmlSignature: "",
        mayDelete: false,
      },
    ],
    notFound: ["I999", "x"],
  });
  assert.match(r.state, /^[0-9]+$/);
});

test("Identity/set: create (forbiddenFrom unless allowed), update, destroy; Identity/changes", async () => {
  const s0 = (await t.first([["Identity/get", { accountId: t.accountId, ids: [] }, "0"]])).state;
  await t.ts.store.directory.grantSendAs(t.user.id, "sales@example.test");
  const set = await t.first([
    [
      "Identity/set",
      {
        accountId: t.accountId,
        ifInState: s0,
        create: {
          news: { email: "alice+news@example.test", name: "Alice (news)", textSignature: "-- \nAlice" },
          sales: {
            email: "sales@example.test",
            name: "Sales",
            replyTo: [{ name: null, email: "help@example.test" }],
          },
          ceo: { email: "ceo@example.test", name: "CEO" },
          bad: { email: "x@example.test", mayDelete: false, colour: "red" },
        },
      },
      "0",
    ],
  ]);
  const news = set.created.news.id as string;
  const sales = set.created.sales.id as string;
  assert.deepEqual(set.created, {
    news: { id: news, replyTo: null, bcc: null, htmlSignature: "", mayDelete: true },
    sales: { id: sales, bcc: null, textSignature: "", htmlSignature: "", mayDelete: true },
  });
  assert.deepEqual(set.notCreated, {
    ceo: { type: "forbiddenFrom", description: "not allowed to send as ceo@example.test" },
    bad: { type: "invalidProperties", properties: ["mayDelete", "colour"] },
  });
  assert.equal(set.oldState, s0);
  const s1 = set.newState as string;

  const upd = await t.first([
    [
      "Identity/set",
      {
        accountId: t.accountId,
        update: {
          [primary]: { name: "Alice A.", htmlSignature: "<b>Alice</b>" },
          [news]: { email: "other@example.test" },
          I999: { name: "x" },
        },
        destroy: [primary, sales, "I998"],
      },
      "0",
    ],
  ]);
  assert.deepEqual(
    {
      updated: upd.updated,
      notUpdated: upd.notUpdated,
      destroyed: upd.destroyed,
      notDestroyed: upd.notDestroyed,
    },
    {
      updated: { [primary]: null },
      notUpdated: {
        [news]: { type: "invalidProperties", properties: ["email"] },
        I999: { type: "notFound" },
      },
      destroyed: [sales],
      notDestroyed: {
        [primary]: { type: "forbidden", description: "the account's own identity cannot be deleted" },
        I998: { type: "notFound" },
      },
    },
  );
  const got = await t.first([["Identity/get", { accountId: t.accountId, ids: null }, "0"]]);
  assert.deepEqual(
    got.list.map((i: { id: string; name: string; htmlSignature: string }) => [i.id, i.name, i.htmlSignature]),
    [
      [primary, "Alice A.", "<b>Alice</b>"],
      [news, "Alice (news)", ""],
    ],
  );
  const ch = await t.first([["Identity/changes", { accountId: t.accountId, sinceState: s0 }, "0"]]);
  assert.deepEqual(ch, {
    accountId: t.accountId,
    oldState: s0,
    newState: got.state,
    hasMoreChanges: false,
    created: [news],
    updated: [primary],
    destroyed: [],
  });
  const ch1 = await t.first([["Identity/changes", { accountId: t.accountId, sinceState: s1 }, "0"]]);
  assert.deepEqual([ch1.created, ch1.updated, ch1.destroyed], [[], [primary], [sales]]);
  const stale = await t.api([["Identity/set", { accountId: t.accountId, ifInState: s0, update: {} }, "0"]]);
  assert.deepEqual(stale[0], ["error", { type: "stateMismatch" }, "0"]);
});

test("EmailSubmission/set through an Identity created in the same request", async () => {
  const bob = t.ts.users[1]!;
  const boxes = await t.first([["Mailbox/get", { accountId: t.accountId, properties: ["role"] }, "0"]]);
  const drafts = boxes.list.find((b: { role: string }) => b.role === "drafts").id;
  const r = await t.api([
    [
      "Identity/set",
      { accountId: t.accountId, create: { i: { email: "alice+x@example.test", name: "X" } } },
      "a",
    ],
    [
      "Email/set",
      {
        accountId: t.accountId,
        create: {
          e: {
            mailboxIds: { [drafts]: true },
            from: [{ name: "X", email: "alice+x@example.test" }],
            to: [{ email: bob.address }],
            subject: "via identity",
            textBody: [{ partId: "1" }],
            bodyValues: { "1": { value: "hi" } },
          },
        },
      },
      "b",
    ],
    [
      "EmailSubmission/set",
      { accountId: t.accountId, create: { s: { identityId: "#i", emailId: "#e" } } },
      "c",
    ],
  ]);
  const sub = r[2]![1];
  assert.equal(sub.notCreated, null);
  assert.deepEqual(sub.created.s.envelope.mailFrom, { email: "alice+x@example.test", parameters: null });
});
