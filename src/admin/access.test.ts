// Who may use the admin pages: every route declared "admin" or "domain-admin" in the router
// (enumerated, not a hand-kept list) answers 403 to a logged-in non-admin, and sends an anonymous
// visitor to the login page (GET) or 401 (POST); nothing changes either way. Domain
// administrators: domain-admins.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { webAppFor } from "../app/web.js";
import { csrfFrom, WebClient } from "../http/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

describe("admin access", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({
      users: [
        { address: "admin@example.test", password: testPassword, isAdmin: true },
        { address: "carol@example.test", password: testPassword },
      ],
    });
  });
  after(() => srv.stop());

  /** Every admin route, with its :params filled with values that exist. */
  function adminRoutes() {
    const routes = webAppFor(srv.ctx)
      .router.routes()
      .filter((r) => r.access === "admin" || r.access === "domain-admin");
    return routes.map((r) => ({
      method: r.method,
      path: r.path.replace(":domain", "example.test").replace(":id", "1"),
    }));
  }

  test("the route table has admin routes for every section, and all start with /admin", () => {
    const paths = adminRoutes().map((r) => `${r.method} ${r.path}`);
    for (const want of [
      "GET /admin",
      "GET /admin/users",
      "POST /admin/users",
      "GET /admin/domains",
      "GET /admin/aliases",
      "GET /admin/queue",
      "GET /admin/domains/example.test/dns",
      "GET /admin/tls",
    ])
      assert.ok(paths.includes(want), want);
    for (const p of paths) assert.match(p, /^(GET|POST) \/admin(\/|$)/);
    // And no other route lives under /admin without being admin-only.
    const other = webAppFor(srv.ctx)
      .router.routes()
      .filter((r) => r.access !== "admin" && r.access !== "domain-admin" && r.path.startsWith("/admin"));
    assert.deepEqual(other, []);
  });

  test("a logged-in non-admin gets 403 on every admin route, GET and POST (with a valid token)", async () => {
    const web = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web.login("carol@example.test", testPassword)).status, 303);
    const token = csrfFrom((await web.get("/settings")).body);
    const routes = adminRoutes();
    assert.ok(routes.length >= 15, `found ${routes.length} admin routes`);
    for (const r of routes) {
      const res =
        r.method === "GET"
          ? await web.get(r.path)
          : await web.post(r.path, {
              _csrf: token,
              domain: "x.test",
              address: "x@example.test",
              password: "0123456789ab",
            });
      assert.equal(res.status, 403, `${r.method} ${r.path}`);
    }
    assert.equal(await srv.store.directory.getDomain("x.test"), null);
    assert.equal(await srv.store.directory.getAccountByAddress("x@example.test"), null);
  });

  test("an anonymous visitor is sent to log in (GET) or refused (POST)", async () => {
    const web = new WebClient(srv.ports.https!, srv.certPem);
    for (const r of adminRoutes()) {
      const res = r.method === "GET" ? await web.get(r.path) : await web.post(r.path, {});
      if (r.method === "GET") {
        assert.equal(res.status, 303, r.path);
        assert.equal(res.headers.location, `/login?next=${encodeURIComponent(r.path)}`);
      } else assert.equal(res.status, 401, r.path);
    }
  });

  test("an admin reaches every admin GET page", async () => {
    const web = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web.login("admin@example.test", testPassword)).status, 303);
    for (const r of adminRoutes().filter((x) => x.method === "GET")) {
      if (r.path.endsWith("/dns")) continue; // asks DNS: covered with a test DNS server in actions.test.ts
      const res = await web.get(r.path);
      // ":id" is account 1 (the admin); under /admin/imports and /admin/reports it names a job
      // none started and a report none sent: 404.
      const none = r.path.startsWith("/admin/imports/") || r.path.startsWith("/admin/reports/");
      assert.equal(res.status, none ? 404 : 200, r.path);
    }
  });
});
