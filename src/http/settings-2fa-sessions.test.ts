// Issue 15: turning two-factor login on ends the sessions opened before it with the password
// alone (another browser, the webmail's token); the browser that turned it on stays logged in.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { totpCode } from "../auth/2fa/totp.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { csrfFrom, send, WebClient } from "./test-client.js";

const USER = "carol@example.test";

describe("turning two-factor login on ends older sessions", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ users: [{ address: USER, password: testPassword }] });
  });
  after(() => srv.stop());

  const web = () => new WebClient(srv.ports.https!, srv.certPem);

  test("another browser and the webmail are logged out; this browser stays", async () => {
    const mine = web();
    const other = web();
    assert.equal((await mine.login(USER, testPassword)).status, 303);
    assert.equal((await other.login(USER, testPassword)).status, 303);
    const webmail = await send({
      port: srv.ports.https!,
      ca: srv.certPem,
      method: "POST",
      path: "/webmail/login",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: USER, password: testPassword }),
    });
    assert.equal(webmail.status, 200);
    const cookie = (webmail.setCookies.find((c) => c.startsWith("__Host-yubin_webmail=")) ?? "").split(
      ";",
    )[0]!;
    const webmailSession = () =>
      send({
        port: srv.ports.https!,
        ca: srv.certPem,
        path: "/webmail/session",
        headers: { Cookie: cookie },
      });
    assert.equal((await webmailSession()).status, 200);
    assert.equal((await other.get("/settings")).status, 200);

    const setup = await mine.get("/settings/2fa/totp");
    const secret = /class="totp-secret">([A-Z2-7 ]+)</.exec(setup.body)?.[1]?.replaceAll(" ", "");
    const sealed = /name="sealed" value="([^"]+)"/.exec(setup.body)?.[1];
    assert.ok(secret && sealed);
    const on = await mine.post("/settings/2fa/totp", {
      _csrf: csrfFrom(setup.body),
      sealed,
      code: totpCode(secret, Date.now()),
    });
    assert.equal(on.status, 200);
    assert.match(on.body, /Two-factor login is on/);

    assert.equal((await mine.get("/settings")).status, 200, "the browser that turned it on stays");
    assert.equal((await other.get("/settings")).status, 303, "another browser is sent to the login");
    assert.equal((await webmailSession()).status, 401, "the webmail logs in again");
  });
});
