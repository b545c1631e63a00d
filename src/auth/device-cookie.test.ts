// The settings/admin login form (/login) sets the throttle's device cookie, and a browser showing
// it is a known client (src/auth/device.ts): when its address's pair is refused — here a pair known
// by its IP that a guesser sharing the address pushed past throttleKnownMaxFailures — the browser
// still logs in, while a browser without the cookie is told to wait (429) and IMAP is refused.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SESSION_COOKIE } from "../http/session.js";
import { WebClient } from "../http/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { DEVICE_COOKIE } from "./device.js";

const CAROL = "carol@example.test";

describe("device cookie of the web login form", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({
      users: [{ address: CAROL, password: testPassword }],
      config: { auth: { throttleKnownMaxFailures: 3, throttleBaseDelayMs: 0 } },
    });
  });
  after(() => srv.stop());

  test("set at a successful login; a known browser logs in where its address's pair is refused", async () => {
    const browser = new WebClient(srv.ports.https!, srv.certPem);
    const wrong = await browser.login(CAROL, "not the password");
    assert.equal(wrong.status, 401);
    assert.equal(browser.cookies.has(DEVICE_COOKIE), false, "no device cookie for a failed login");
    const ok = await browser.login(CAROL, testPassword);
    assert.equal(ok.status, 303);
    const set = ok.setCookies.find((c) => c.startsWith(`${DEVICE_COOKIE}=`)) ?? "";
    assert.match(
      set,
      /^__Host-yubin_device=[A-Za-z0-9_-]{32}; Path=\/; Max-Age=2592000; HttpOnly; Secure; SameSite=Strict$/,
    );

    // A guesser behind the same address (127.0.0.1, now a known pair of carol's) spends the
    // known pair's budget: 1 failure above plus 2 over IMAP.
    for (let i = 0; i < 2; i++) {
      const r = await srv.ctx.auth.authenticate({
        username: CAROL,
        password: `guess ${i}`,
        ip: "127.0.0.1",
        protocol: "imap",
      });
      assert.deepEqual(r, { ok: false, reason: "invalid" });
    }
    const imap = await srv.ctx.auth.authenticate({
      username: CAROL,
      password: testPassword,
      ip: "127.0.0.1",
      protocol: "imap",
    });
    assert.equal(imap.ok === false && imap.reason, "throttled");

    const stranger = new WebClient(srv.ports.https!, srv.certPem);
    const refused = await stranger.login(CAROL, testPassword);
    assert.equal(refused.status, 429);
    assert.match(String(refused.headers["retry-after"]), /^\d+$/);

    // carol's browser, known by its cookie, logs in all the same (a fresh session each time).
    await browser.post("/logout", {});
    browser.cookies.delete(SESSION_COOKIE);
    const again = await browser.login(CAROL, testPassword);
    assert.equal(again.status, 303);
    assert.ok(browser.cookies.has(SESSION_COOKIE));
  });
});
