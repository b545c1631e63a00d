// VacationResponse/get and /set (RFC 8621 8) over a real server: the capability in the
// Session, the singleton's exact JSON, the singleton SetErrors, and the auto-reply sent when a
// JMAP submission delivers locally to an account that is away.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { inbox } from "../../testing/mailbox.js";
import { type JmapTest, startJmapTest, USING } from "../test-support.js";

const CAP = "urn:ietf:params:jmap:vacationresponse";
const WITH = [...USING, CAP];
let t: JmapTest;
before(async () => {
  t = await startJmapTest();
});
after(() => t.close());

const call = async (name: string, args: object) =>
  (await t.api([[name, { accountId: t.accountId, ...args }, "0"]], WITH))[0]!;

test("the Session advertises vacationresponse; methods need it in using", async () => {
  const r = await fetch(`${t.base}/.well-known/jmap`, { headers: { Authorization: t.basic } });
  const s = (await r.json()) as Record<string, Record<string, unknown>>;
  assert.deepEqual(s.capabilities![CAP], {});
  assert.deepEqual(
    (s.accounts![t.accountId] as Record<string, Record<string, unknown>>).accountCapabilities![CAP],
    {},
  );
  assert.equal(s.primaryAccounts![CAP], t.accountId);
  const without = await t.api([["VacationResponse/get", { accountId: t.accountId }, "0"]]);
  assert.deepEqual(without[0], [
    "error",
    { type: "unknownMethod", description: "unknown method VacationResponse/get" },
    "0",
  ]);
});

test("VacationResponse/get and /set: the singleton, its SetErrors, invalid values", async () => {
  const g0 = await call("VacationResponse/get", { ids: null });
  assert.deepEqual(g0[1], {
    accountId: t.accountId,
    state: g0[1].state,
    list: [
      {
        id: "singleton",
        isEnabled: false,
        fromDate: null,
        toDate: null,
        subject: null,
        textBody: null,
        htmlBody: null,
      },
    ],
    notFound: [],
  });
  const set = await call("VacationResponse/set", {
    ifInState: g0[1].state,
    create: { x: { isEnabled: true } },
    update: {
      singleton: {
        isEnabled: true,
        fromDate: "2030-01-01T00:00:00Z",
        toDate: "2030-01-15T12:00:00.000Z",
        subject: "Away",
        textBody: "Back on the 15th.",
      },
      other: { isEnabled: true },
    },
    destroy: ["singleton"],
  });
  assert.deepEqual(set, [
    "VacationResponse/set",
    {
      accountId: t.accountId,
      oldState: g0[1].state,
      newState: set[1].newState,
      created: null,
      updated: { singleton: null },
      destroyed: null,
      notCreated: { x: { type: "singleton", description: "there is only one VacationResponse" } },
      notUpdated: { other: { type: "notFound" } },
      notDestroyed: {
        singleton: { type: "singleton", description: "the VacationResponse cannot be destroyed" },
      },
    },
    "0",
  ]);
  assert.notEqual(set[1].newState, g0[1].state);
  const g1 = await call("VacationResponse/get", {
    ids: ["singleton", "nope"],
    properties: ["fromDate", "toDate"],
  });
  assert.deepEqual(g1[1].list, [
    { id: "singleton", fromDate: "2030-01-01T00:00:00Z", toDate: "2030-01-15T12:00:00Z" },
  ]);
  assert.deepEqual(g1[1].notFound, ["nope"]);
  assert.equal(g1[1].state, set[1].newState);
  const bad = await call("VacationResponse/set", {
    update: { singleton: { fromDate: "2030-01-01 00:00", isEnabled: "yes", htmlBody: 3, id: "singleton" } },
  });
  assert.deepEqual(bad[1].notUpdated, {
    singleton: { type: "invalidProperties", properties: ["fromDate", "isEnabled", "htmlBody"] },
  });
  assert.equal(bad[1].newState, set[1].newState, "nothing changed");
});

test("a JMAP submission to a local account that is away brings the auto-reply back", async () => {
  const alice = t.ts.users[0]!;
  const bob = t.ts.users[1]!;
  await t.ts.store.settings.setVacation(bob.id, {
    isEnabled: true,
    fromDate: null,
    toDate: null,
    subject: "Bob is away",
    textBody: "Back soon.",
    htmlBody: null,
  });
  const boxes = await t.first([["Mailbox/get", { accountId: t.accountId, properties: ["role"] }, "0"]]);
  const drafts = boxes.list.find((b: { role: string }) => b.role === "drafts").id;
  const primary = `I${(await t.ts.store.settings.listIdentities(alice.id))[0]!.id}`;
  const r = await t.api([
    [
      "Email/set",
      {
        accountId: t.accountId,
        create: {
          e: {
            mailboxIds: { [drafts]: true },
            from: [{ email: alice.address }],
            to: [{ email: bob.address }],
            subject: "are you there?",
            textBody: [{ partId: "1" }],
            bodyValues: { "1": { value: "hi" } },
          },
        },
      },
      "a",
    ],
    [
      "EmailSubmission/set",
      { accountId: t.accountId, create: { s: { identityId: primary, emailId: "#e" } } },
      "b",
    ],
  ]);
  assert.equal(r[1]![1].notCreated, null);
  const got = (await inbox(t.ts.store, alice.id))
    .map((b) => b.toString())
    .filter((b) => b.includes("Bob is away"));
  assert.equal(got.length, 1);
  assert.match(
    got[0]!,
    /^Return-Path: <>\r\nReceived: by mail\.example\.test \(Yubin\) id \w+\r\n\tfor <[^>]+>;\r\n\t[^\r]+\r\nFrom: <bob@example\.test>\r\nTo: <alice@example\.test>\r\nSubject: Bob is away\r\n/,
  );
  assert.ok(got[0]!.includes("\r\nAuto-Submitted: auto-replied\r\n"));
});
