// The web security rules on a running server: HTTPS only for pages, cookie attributes, CSP and
// other headers, CSRF on every state-changing request, login throttling shared with IMAP.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { SESSION_COOKIE } from "./session.js";
import { csrfFrom, send, WebClient } from "./test-client.js";

describe("http security", () => {
  let srv: TestServer;
  const admin = "admin@example.test";
  before(async () => {
    srv = await startTestServer({
      users: [{ address: admin, password: testPassword, isAdmin: true }],
      config: { http: { maxBodyBytes: 2048 } },
    });
  });
  after(() => srv.stop());
  const web = () => new WebClient(srv.ports.https!, srv.certPem);

  test("pages carry a strict CSP and the other security headers", async () => {
    const res = await web().get("/login");
    assert.equal(res.status, 200);
    assert.equal(
      res.headers["content-security-policy"],
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.equal(res.headers["x-frame-options"], "DENY");
    assert.equal(res.headers["referrer-policy"], "same-origin");
    assert.doesNotMatch(res.body, /<script/i);
  });

  test("login sets a __Host- session cookie that is HttpOnly, Secure and SameSite=Strict", async () => {
    const c = web();
    const res = await c.login(admin, testPassword);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, "/settings");
    const cookie = res.setCookies.find((s) => s.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(cookie, "session cookie set");
    assert.match(
      cookie,
      /^__Host-yubin_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; Secure; SameSite=Strict$/,
    );
    assert.equal((await c.get("/admin")).status, 200);
    // Logout (with its CSRF token) ends the session on the server, not only in the browser.
    const token = c.cookies.get(SESSION_COOKIE)!;
    const out = await c.submit("/settings", "/logout", {});
    assert.equal(out.status, 303);
    const replay = await send({
      port: srv.ports.https!,
      ca: srv.certPem,
      host: "localhost",
      path: "/admin",
      headers: { Cookie: `${SESSION_COOKIE}=${token}` },
    });
    assert.equal(replay.status, 303);
    assert.equal(replay.headers.location, "/login?next=%2Fadmin");
  });

  test("plain HTTP serves no page: it redirects to the HTTPS port and never sets a session", async () => {
    const res = await send({ port: srv.ports.http!, host: "mail.example.test", path: "/admin/users?x=1" });
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, `https://mail.example.test:${srv.ports.https}/admin/users?x=1`);
    const post = await send({
      port: srv.ports.http!,
      host: "mail.example.test",
      path: "/login",
      method: "POST",
      body: "",
    });
    assert.equal(post.status, 308);
  });

  test("a POST without the CSRF token is refused with 403 and changes nothing", async () => {
    const c = web();
    assert.equal((await c.login(admin, testPassword)).status, 303);
    const noToken = await c.post("/admin/domains", { domain: "evil.test" });
    assert.equal(noToken.status, 403);
    const wrongToken = await c.post("/admin/domains", { domain: "evil.test", _csrf: "x".repeat(43) });
    assert.equal(wrongToken.status, 403);
    // A valid token from another origin: refused by the Origin check.
    const page = await c.get("/admin/domains");
    const crossSite = await c.post(
      "/admin/domains",
      { domain: "evil.test", _csrf: csrfFrom(page.body) },
      { origin: "https://evil.example" },
    );
    assert.equal(crossSite.status, 403);
    assert.equal(await srv.store.directory.getDomain("evil.test"), null);
    // The same request with the token and our origin works.
    const ok = await c.post("/admin/domains", { domain: "good.test", _csrf: csrfFrom(page.body) });
    assert.equal(ok.status, 303);
    assert.ok(await srv.store.directory.getDomain("good.test"));
  });

  test("the login form needs its double-submit token", async () => {
    const c = web();
    await c.get("/login");
    const res = await c.post("/login", { username: admin, password: testPassword });
    assert.equal(res.status, 403);
    assert.equal(c.cookies.has(SESSION_COOKIE), false);
  });

  test("a body over http.maxBodyBytes gets 413", async () => {
    const c = web();
    const form = await c.get("/login");
    const res = await c.post("/login", {
      _csrf: csrfFrom(form.body),
      username: "x".repeat(4000),
      password: "y",
    });
    assert.equal(res.status, 413);
  });
});

// Its own server: the throttle it triggers counts per IP, so it must not affect other tests.
describe("http login throttling", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({
      users: [{ address: "carol@example.test", password: testPassword }],
      config: { auth: { throttleFreeFailures: 10, throttleMaxFailures: 3, throttleBaseDelayMs: 0 } },
    });
  });
  after(() => srv.stop());
  const web = () => new WebClient(srv.ports.https!, srv.certPem);
  const imapClient = (user: string) =>
    new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user, pass: testPassword },
      logger: false,
    });

  test("web login failures are throttled, in the same counters as IMAP", async () => {
    const c = web();
    const user = "carol@example.test";
    // carol never logged in from 127.0.0.1: a stranger's pair, refused after throttleMaxFailures.
    for (let i = 0; i < 3; i++) assert.equal((await c.login(user, "wrong password")).status, 401);
    const refused = await c.login(user, testPassword);
    assert.equal(refused.status, 429);
    assert.match(String(refused.headers["retry-after"]), /^\d+$/);
    assert.equal(c.cookies.has(SESSION_COOKIE), false);
    // IMAP from the same IP is refused too, even with the right password.
    const imap = imapClient(user);
    await assert.rejects(imap.connect());
    imap.close();
    // Only that (IP, account) pair: the account still logs in from elsewhere (throttle.ts).
    const elsewhere = await srv.ctx.auth.authenticate({
      username: user,
      password: testPassword,
      ip: "127.0.0.2",
      protocol: "imap",
    });
    assert.equal(elsewhere.ok, true);
  });
});
