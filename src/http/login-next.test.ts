// The page a login goes to (`next`) is only ever a same-origin path: a newline in it once made
// writeHead throw outside any handler (the process exited), and a tab made an open redirect
// (browsers strip tabs, so "/\t/evil.example" is "//evil.example").
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { safeNext } from "./login.js";
import { csrfFrom, WebClient } from "./test-client.js";

describe("safeNext", () => {
  test("keeps same-origin paths", () => {
    assert.equal(safeNext(null), "/settings");
    assert.equal(safeNext(""), "/settings");
    assert.equal(safeNext("/admin/users?x=1"), "/admin/users?x=1");
    assert.equal(safeNext("/admin/users/a%40b.test"), "/admin/users/a%40b.test");
  });

  test("sends anything else to /", () => {
    const refused = [
      "https://evil.example/",
      "evil.example",
      "//evil.example",
      "/\\evil.example",
      "/\t/evil.example",
      "/\n/x",
      "/\r\nSet-Cookie: x=y",
      "/ /x",
      "/\u00a0/x",
      "/\u2028/x",
      "/\u202e/x",
      "/é",
      "/%2F/evil.example",
      "/%5Cevil.example",
      "/%09/evil.example",
      "/%0A/x",
      "/%252F/evil.example",
      "/%E0%A4%A",
      `/${"a".repeat(3000)}`,
    ];
    for (const next of refused) assert.equal(safeNext(next), "/", JSON.stringify(next));
  });
});

describe("login with a hostile next", () => {
  let srv: TestServer;
  const user = "dora@example.test";
  before(async () => {
    srv = await startTestServer({ users: [{ address: user, password: testPassword }] });
  });
  after(() => srv.stop());
  const web = () => new WebClient(srv.ports.https!, srv.certPem);

  /** GET the login page with `query`, then log in with the form's own hidden fields. */
  async function loginVia(query: string, next?: string) {
    const c = web();
    const form = await c.get(`/login?${query}`);
    assert.equal(form.status, 200);
    const hidden = /name="next" value="([^"]*)"/.exec(form.body)?.[1];
    assert.ok(hidden !== undefined, "the form carries next");
    return c.post("/login", {
      _csrf: csrfFrom(form.body),
      next: next ?? hidden,
      username: user,
      password: testPassword,
    });
  }

  test("a newline in next: 303 to / and the server keeps serving", async () => {
    const res = await loginVia("next=%2F%0A%2Fx");
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, "/");
    // The same value posted directly (a logged-in user's crafted form).
    const posted = await loginVia("", "/\n/x");
    assert.equal(posted.status, 303);
    assert.equal(posted.headers.location, "/");
    assert.equal((await web().get("/login")).status, 200);
  });

  test("a tab in next is no open redirect", async () => {
    const res = await loginVia("next=/%09/evil.example");
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, "/");
  });

  test("an ordinary next is followed", async () => {
    const res = await loginVia("next=%2Fsettings%3Ftab%3D1");
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, "/settings?tab=1");
  });
});
