// SpamSettings/get and /set (our extension urn:yubin:params:jmap:spam) over a real server: the
// capability in the Session only while [spam] enabled, the singleton's exact JSON, its SetErrors,
// invalid values named, entries normalised by the store, and ifInState.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type JmapTest, startJmapTest, USING } from "../test-support.js";

const CAP = "urn:yubin:params:jmap:spam";
const WITH = [...USING, CAP];

const session = async (t: JmapTest) => {
  const r = await fetch(`${t.base}/.well-known/jmap`, { headers: { Authorization: t.basic } });
  return (await r.json()) as Record<string, Record<string, unknown>>;
};

describe("SpamSettings with the spam filter on (the default; the test harness turns it off)", () => {
  let t: JmapTest;
  before(async () => {
    t = await startJmapTest(0, { config: { spam: { enabled: true } } });
  });
  after(() => t.close());
  const call = async (name: string, args: object) =>
    (await t.api([[name, { accountId: t.accountId, ...args }, "0"]], WITH))[0]!;

  test("the Session advertises the capability; the methods need it in using", async () => {
    const s = await session(t);
    assert.deepEqual(s.capabilities![CAP], {});
    const account = s.accounts![t.accountId] as Record<string, Record<string, unknown>>;
    assert.deepEqual(account.accountCapabilities![CAP], {});
    assert.equal(s.primaryAccounts![CAP], t.accountId);
    const without = await t.api([["SpamSettings/get", { accountId: t.accountId }, "0"]]);
    assert.deepEqual(without[0], [
      "error",
      { type: "unknownMethod", description: "unknown method SpamSettings/get" },
      "0",
    ]);
  });

  test("get and set: the singleton, normalised entries, its SetErrors, the state", async () => {
    const g0 = await call("SpamSettings/get", { ids: null });
    assert.deepEqual(g0, [
      "SpamSettings/get",
      {
        accountId: t.accountId,
        state: g0[1].state,
        list: [{ id: "singleton", allow: [], block: [], junkScore: null, fileIntoJunk: null }],
        notFound: [],
      },
      "0",
    ]);
    const set = await call("SpamSettings/set", {
      ifInState: g0[1].state,
      create: { x: { allow: [] } },
      update: {
        singleton: {
          allow: ["Friend@Example.ORG", "@partner.example", "friend@example.org"],
          block: ["@offers.example"],
          junkScore: 7,
          fileIntoJunk: false,
        },
        other: { allow: [] },
      },
      destroy: ["singleton"],
    });
    assert.deepEqual(set, [
      "SpamSettings/set",
      {
        accountId: t.accountId,
        oldState: g0[1].state,
        newState: set[1].newState,
        created: null,
        updated: { singleton: null },
        destroyed: null,
        notCreated: { x: { type: "singleton", description: "there is only one SpamSettings" } },
        notUpdated: { other: { type: "notFound" } },
        notDestroyed: {
          singleton: { type: "singleton", description: "the SpamSettings cannot be destroyed" },
        },
      },
      "0",
    ]);
    assert.notEqual(set[1].newState, g0[1].state);
    const g1 = await call("SpamSettings/get", {
      ids: ["singleton", "nope"],
      properties: ["allow", "junkScore"],
    });
    assert.deepEqual(g1[1].list, [
      { id: "singleton", allow: ["friend@example.org", "@partner.example"], junkScore: 7 },
    ]);
    assert.deepEqual(g1[1].notFound, ["nope"]);
    assert.equal(g1[1].state, set[1].newState);
    assert.deepEqual(await t.ts.store.spam.getSpamPrefs(t.user.id), {
      allow: ["friend@example.org", "@partner.example"],
      block: ["@offers.example"],
      junkScore: 7,
      fileIntoJunk: false,
    });

    const stale = await call("SpamSettings/set", {
      ifInState: g0[1].state,
      update: { singleton: { block: [] } },
    });
    assert.deepEqual(stale, ["error", { type: "stateMismatch" }, "0"]);
  });

  test("invalid values are refused, the property named, nothing changed", async () => {
    const before = await call("SpamSettings/get", {});
    const bad = await call("SpamSettings/set", {
      update: { singleton: { allow: "a@b.example", junkScore: "high", fileIntoJunk: 1, colour: "red" } },
    });
    assert.deepEqual(bad[1].notUpdated, {
      singleton: { type: "invalidProperties", properties: ["allow", "junkScore", "fileIntoJunk", "colour"] },
    });
    const range = await call("SpamSettings/set", { update: { singleton: { junkScore: 0 } } });
    assert.deepEqual(range[1].notUpdated.singleton.properties, ["junkScore"]);
    // The entry's form is the store's to judge (one definition): the list it is in is named.
    const entry = await call("SpamSettings/set", {
      update: { singleton: { allow: ["ok@example.org"], block: ["not an address"] } },
    });
    assert.equal(entry[1].notUpdated.singleton.type, "invalidProperties");
    assert.deepEqual(entry[1].notUpdated.singleton.properties, ["block"]);
    assert.match(entry[1].notUpdated.singleton.description, /not an address/);
    const tooMany = await call("SpamSettings/set", {
      update: { singleton: { block: Array.from({ length: 1001 }, (_, i) => `u${i}@example.org`) } },
    });
    assert.deepEqual(tooMany[1].notUpdated.singleton.properties, ["block"]);
    const after = await call("SpamSettings/get", {});
    assert.deepEqual(after[1], before[1], "nothing changed, the state neither");
  });
});

describe("SpamSettings with the spam filter off ([spam] enabled = false)", () => {
  let t: JmapTest;
  before(async () => {
    t = await startJmapTest();
  });
  after(() => t.close());

  test("the capability is not offered, and a request using it is refused (unknownCapability)", async () => {
    const s = await session(t);
    assert.equal(s.capabilities![CAP], undefined);
    assert.equal(s.primaryAccounts![CAP], undefined);
    const r = await fetch(`${t.base}/jmap/api`, {
      method: "POST",
      headers: { Authorization: t.basic, "Content-Type": "application/json" },
      body: JSON.stringify({
        using: WITH,
        methodCalls: [["SpamSettings/get", { accountId: t.accountId }, "0"]],
      }),
    });
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as { type: string }).type, "urn:ietf:params:jmap:error:unknownCapability");
  });
});
