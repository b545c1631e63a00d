// The admin TLS page without ACME (a test host name is never "auto"): the certificate, the names
// it covers, and how to turn automatic certificates on. With ACME: src/acme/pebble.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { WebClient } from "../http/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

describe("admin TLS page, ACME off", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({
      users: [{ address: "admin@example.test", password: testPassword, isAdmin: true }],
    });
  });
  after(() => srv.stop());

  test("shows the self-signed certificate and how ACME turns on; renew does nothing", async () => {
    assert.equal(srv.ctx.acme, undefined);
    const web = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web.login("admin@example.test", testPassword)).status, 303);
    const page = await web.get("/admin/tls");
    assert.equal(page.status, 200);
    assert.match(page.body, /self-signed: clients will warn/);
    assert.match(page.body, /<h2>Automatic certificates \(ACME\)<\/h2>\s*<p>Off\./);
    assert.match(page.body, /server\.hostname<\/code> is a public name/);
    assert.doesNotMatch(page.body, /from an ACME client/);
    const r = await web.submit("/admin/tls", "/admin/tls/renew", {});
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, "/admin/tls");
  });
});
