// AppPassword/get and /set (our extension urn:yubin:params:jmap:apppasswords) over a real
// server: offered to the account password only (a session opened with an app password neither
// sees the capability nor may use it), the secret returned once in the created object and never
// again, its SetErrors, ifInState, and destroy revoking at once.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { type JmapTest, type Resp, startJmapTest, USING } from "../test-support.js";

const CAP = "urn:yubin:params:jmap:apppasswords";
/** Untyped JSON; each field a test uses is asserted. */
// biome-ignore lint/suspicious/noExplicitAny: JSON responses.
type Json = any;
const WITH = [...USING, CAP];

describe("AppPassword/get and /set", () => {
  let t: JmapTest;
  before(async () => {
    t = await startJmapTest(0);
  });
  after(() => t.close());

  const basicOf = (secret: string) =>
    `Basic ${Buffer.from(`${t.user.address}:${secret}`).toString("base64")}`;
  const call = async (name: string, args: object) =>
    (await t.api([[name, { accountId: t.accountId, ...args }, "0"]], WITH))[0]!;
  const session = async (auth: string) => {
    const r = await fetch(`${t.base}/.well-known/jmap`, { headers: { Authorization: auth } });
    return { status: r.status, body: r.status === 200 ? ((await r.json()) as Json) : null };
  };
  async function apiAs(
    auth: string,
    methodCalls: unknown[],
    using: string[],
  ): Promise<{ status: number; body: Json }> {
    const r = await fetch(`${t.base}/jmap/api`, {
      method: "POST",
      headers: { Authorization: auth, "Content-Type": "application/json" },
      body: JSON.stringify({ using, methodCalls }),
    });
    return { status: r.status, body: await r.json() };
  }

  test("the Session offers the capability to the account password; get starts empty", async () => {
    const s = await session(t.basic);
    assert.deepEqual(s.body!.capabilities[CAP], {});
    assert.deepEqual(s.body!.accounts[t.accountId].accountCapabilities[CAP], {});
    assert.equal(s.body!.primaryAccounts[CAP], t.accountId);
    const g = await call("AppPassword/get", { ids: null });
    assert.deepEqual(g, [
      "AppPassword/get",
      { accountId: t.accountId, state: g[1].state, list: [], notFound: [] },
      "0",
    ]);
    const without = await t.api([["AppPassword/get", { accountId: t.accountId }, "0"]]);
    assert.deepEqual(without[0], [
      "error",
      { type: "unknownMethod", description: "unknown method AppPassword/get" },
      "0",
    ]);
  });

  test("create returns the secret once; get lists it without; the secret opens JMAP, whose session cannot manage app passwords", async () => {
    const g0 = await call("AppPassword/get", { ids: null });
    const set = await call("AppPassword/set", {
      ifInState: g0[1].state,
      create: { k1: { name: "Phone", scopes: ["jmap", "imap"] } },
    });
    const created = set[1].created.k1;
    assert.match(created.id, /^p\d+$/);
    assert.match(created.secret, /^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$/);
    assert.deepEqual(created, {
      id: created.id,
      name: "Phone",
      scopes: ["imap", "jmap"],
      createdAt: created.createdAt,
      lastUsedAt: null,
      lastUsedIp: null,
      secret: created.secret,
    });
    assert.match(created.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(set[1].oldState, g0[1].state);
    assert.notEqual(set[1].newState, g0[1].state);

    const g1 = await call("AppPassword/get", { ids: [created.id, "p999999", "x"] });
    assert.deepEqual(g1[1].notFound, ["p999999", "x"]);
    const { secret: _s, ...listed } = created;
    assert.deepEqual(g1[1].list, [listed], "no secret in a listing");

    const device = basicOf(created.secret);
    const s = await session(device);
    assert.equal(s.status, 200);
    assert.equal(s.body!.capabilities[CAP], undefined, "not offered to an app password");
    assert.equal(s.body!.primaryAccounts[CAP], undefined);
    const refused = await apiAs(
      device,
      [["AppPassword/set", { accountId: t.accountId, create: {} }, "0"]],
      WITH,
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.body.type, "urn:ietf:params:jmap:error:unknownCapability");
    const mail = await apiAs(
      device,
      [["Mailbox/get", { accountId: t.accountId, properties: ["name"] }, "0"]],
      USING,
    );
    assert.equal(mail.status, 200);
    assert.equal((mail.body.methodResponses[0] as Resp)[0], "Mailbox/get");

    const g2 = await call("AppPassword/get", { ids: [created.id], properties: ["lastUsedIp"] });
    assert.deepEqual(g2[1].list, [{ id: created.id, lastUsedIp: "127.0.0.1" }], "last use recorded");
  });

  test("bad creates, any update and unknown destroys get SetErrors; a stale ifInState is refused", async () => {
    const set = await call("AppPassword/set", {
      create: {
        a: { name: "", scopes: ["imap"] },
        b: { name: "Tablet", scopes: ["imap", "ftp"] },
        c: { name: "Tablet" },
        d: { name: "Tablet", scopes: ["imap"], secret: "mine" },
        e: { name: "x".repeat(65), scopes: ["imap"] },
      },
      update: { p1: { name: "New name" } },
      destroy: ["p999999", "nope"],
    });
    assert.deepEqual(set[1].notCreated, {
      a: { type: "invalidProperties", properties: ["name"] },
      b: { type: "invalidProperties", properties: ["scopes"] },
      c: { type: "invalidProperties", properties: ["scopes"] },
      d: { type: "invalidProperties", properties: ["secret"] },
      e: {
        type: "invalidProperties",
        description: "app password name must be 1 to 64 characters",
        properties: ["name"],
      },
    });
    assert.deepEqual(set[1].notUpdated, {
      p1: {
        type: "forbidden",
        description: "an app password cannot be changed: revoke it and make a new one",
      },
    });
    assert.deepEqual(set[1].notDestroyed, { p999999: { type: "notFound" }, nope: { type: "notFound" } });
    assert.equal(set[1].created, null);
    assert.equal(set[1].oldState, set[1].newState);
    const stale = await call("AppPassword/set", { ifInState: "stale", destroy: [] });
    assert.deepEqual(stale, ["error", { type: "stateMismatch" }, "0"]);
  });

  test("destroy revokes: the device's next request is refused", async () => {
    const made = await call("AppPassword/set", { create: { k: { name: "Lost phone", scopes: ["jmap"] } } });
    const { id, secret } = made[1].created.k;
    assert.equal((await session(basicOf(secret))).status, 200);
    const gone = await call("AppPassword/set", { destroy: [id] });
    assert.deepEqual(gone[1].destroyed, [id]);
    assert.equal((await session(basicOf(secret))).status, 401);
    const again = await call("AppPassword/set", { destroy: [id] });
    assert.deepEqual(again[1].notDestroyed, { [id]: { type: "notFound" } });
  });

  test("withAppleProfile: the created object carries a .mobileconfig holding the new secret; it needs smtp and imap or pop3", async () => {
    const made = await call("AppPassword/set", {
      create: {
        k: { name: "iPhone", scopes: ["imap", "smtp"], withAppleProfile: true },
        bad: { name: "No sending", scopes: ["imap"], withAppleProfile: true },
        notBool: { name: "x", scopes: ["imap", "smtp"], withAppleProfile: "yes" },
      },
    });
    const { secret, appleProfile } = made[1].created.k;
    assert.match(appleProfile, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist /);
    assert.ok(appleProfile.includes(`<key>IncomingPassword</key>\n      <string>${secret}</string>`));
    assert.ok(appleProfile.includes("<string>EmailTypeIMAP</string>"));
    assert.deepEqual(made[1].notCreated, {
      bad: { type: "invalidProperties", properties: ["withAppleProfile"] },
      notBool: { type: "invalidProperties", properties: ["withAppleProfile"] },
    });
    const listed = await call("AppPassword/get", { ids: [made[1].created.k.id] });
    assert.equal(listed[1].list[0].appleProfile, undefined, "the profile is not kept");
  });
});

describe("a push stream opened with an app password", () => {
  let t: JmapTest;
  before(async () => {
    t = await startJmapTest(0, { config: { jmap: { pushRecheckSec: 1 } } });
  });
  after(() => t.close());

  test("ends at the next check after the app password is revoked", async () => {
    const { appPassword, secret } = await t.ts.ctx.appPasswords.create(t.user.id, {
      name: "Push client",
      scopes: ["jmap"],
    });
    const basic = `Basic ${Buffer.from(`${t.user.address}:${secret}`).toString("base64")}`;
    const ended = await new Promise<boolean>((resolve, reject) => {
      const req = request(`${t.base}/jmap/eventsource?types=*&closeafter=no&ping=0`, {
        headers: { Authorization: basic },
      });
      const timer = setTimeout(() => {
        req.destroy();
        resolve(false);
      }, 10_000);
      req.on("response", (res) => {
        assert.equal(res.statusCode, 200);
        res.once("data", () => {
          // The stream is open: revoke.
          t.ts.store.appPasswords.revoke(t.user.id, appPassword.id).catch(reject);
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve(true);
        });
        res.resume();
      });
      req.on("error", reject);
      req.end();
    });
    assert.ok(ended, "the server closed the stream");
  });
});
