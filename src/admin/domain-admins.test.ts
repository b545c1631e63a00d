// Domain administrators (issue 15) over HTTPS with a real session: dana administers one.test
// (her own account lives in two.test's neighbour, three.test) and manages its users and aliases
// and sees its DNS page; everything else answers 403 from the server itself, tried route by route
// with her session and a valid form token — another domain's users, another domain's user by
// id, creating a user elsewhere, making anyone an admin, the queue, spam and TLS pages, domains —
// and nothing changes. Each global-only route in the table is tried too (enumerated).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { webAppFor } from "../app/web.js";
import { csrfFrom, WebClient } from "../http/test-client.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

describe("domain administrators", () => {
  let srv: TestServer;
  let dns: DnsServer;
  let dana: WebClient;
  let token: string;
  const id: Record<string, number> = {};

  before(async () => {
    dns = await startDnsServer([]);
    srv = await startTestServer({
      domains: ["one.test", "two.test", "three.test"],
      users: [
        { address: "root@two.test", password: testPassword, isAdmin: true },
        { address: "dana@three.test", password: testPassword },
        { address: "ann@one.test", password: testPassword },
        { address: "bob@two.test", password: testPassword },
        { address: "boss@one.test", password: testPassword, isAdmin: true },
      ],
      config: { dns: { servers: dns.servers, timeoutMs: 10_000, tries: 2 }, outbound: { enabled: false } },
    });
    for (const u of srv.users) id[u.address.split("@")[0]!] = u.id;
    await srv.store.directory.setAdminDomains(id.dana!, ["one.test"]);
    dana = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await dana.login("dana@three.test", testPassword)).status, 303);
    token = csrfFrom((await dana.get("/admin/users")).body);
  });
  after(async () => {
    await srv?.stop();
    await dns?.stop();
  });

  const post = (path: string, form: Record<string, string> = {}) =>
    dana.post(path, { _csrf: token, ...form });
  const imapLogin = async (user: string, pass: string) => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user, pass },
      logger: false,
    });
    c.on("error", () => {});
    try {
      await c.connect();
      await c.logout();
      return true;
    } catch {
      return false;
    }
  };

  test("the users page lists only one.test, the global admin there without forms", async () => {
    const page = await dana.get("/admin/users");
    assert.equal(page.status, 200);
    assert.match(page.body, /ann@one\.test/);
    assert.match(
      page.body,
      /boss@one\.test \(admin\)<\/td><td colspan="3">managed by the server's administrators/,
    );
    assert.doesNotMatch(page.body, /<td>(bob@two\.test|root@two\.test|dana@three\.test)/);
    assert.doesNotMatch(page.body, /name="isAdmin"|\/role"/);
    // The navigation names only what is open to her.
    assert.doesNotMatch(page.body, /href="\/admin\/queue"|href="\/admin\/spam"|href="\/admin\/tls"/);
    const domains = await dana.get("/admin/domains");
    assert.equal(domains.status, 200);
    assert.match(domains.body, /one\.test/);
    assert.doesNotMatch(domains.body, /<td>(two|three)\.test|Add a domain|Remove/);
    assert.match((await dana.get("/settings")).body, /<a href="\/admin">Admin<\/a>/);
    const overview = await dana.get("/admin");
    assert.match(overview.body, /You administer one\.test\./);
  });

  test("she creates a user in one.test, resets a password, sets a quota, disables and enables", async () => {
    const made = await post("/admin/users", { address: "new@one.test", password: "a long enough password" });
    assert.equal(made.status, 303);
    const created = await srv.store.directory.getAccountByAddress("new@one.test");
    assert.ok(created);
    assert.equal(created.isAdmin, false);
    assert.equal(await imapLogin("new@one.test", "a long enough password"), true);
    assert.equal(
      (await post(`/admin/users/${id.ann}/password`, { password: "ann's new password" })).status,
      303,
    );
    assert.equal(await imapLogin("ann@one.test", "ann's new password"), true);
    assert.equal(
      (await post(`/admin/users/${id.ann}/quota`, { quotaMiB: "7", quotaMessages: "70" })).status,
      303,
    );
    assert.equal((await srv.store.directory.getAccount(id.ann!))?.quotaMessages, 70);
    assert.equal((await post(`/admin/users/${id.ann}/disable`)).status, 303);
    assert.equal((await srv.store.directory.getAccount(id.ann!))?.disabled, true);
    assert.equal((await post(`/admin/users/${id.ann}/enable`)).status, 303);
    assert.equal((await post(`/admin/users/${id.ann}/2fa-reset`)).status, 303);
    assert.equal((await dana.get(`/admin/users/${id.ann}/spam`)).status, 200);
  });

  test("app passwords: she lists and revokes those of her domain's users, not others'", async () => {
    const anns = await srv.ctx.appPasswords.create(id.ann!, { name: "Ann's phone", scopes: ["imap"] });
    const bobs = await srv.ctx.appPasswords.create(id.bob!, { name: "Bob's phone", scopes: ["imap"] });
    assert.equal(await imapLogin("ann@one.test", anns.secret), true);
    const page = await dana.get(`/admin/users/${id.ann}/app-passwords`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<td>Ann&#39;s phone<\/td><td>imap<\/td>/);
    assert.match(page.body, /from 127\.0\.0\.1/);
    const revoke = (who: number, appPassword: number) =>
      post(`/admin/users/${who}/app-passwords/revoke`, { appPassword: String(appPassword) });
    // Bob's, through his page or smuggled through Ann's: refused, and it still works.
    assert.equal((await dana.get(`/admin/users/${id.bob}/app-passwords`)).status, 403);
    assert.equal((await revoke(id.bob!, bobs.appPassword.id)).status, 403);
    assert.equal((await revoke(id.ann!, bobs.appPassword.id)).status, 400);
    assert.equal(await imapLogin("bob@two.test", bobs.secret), true);
    // A device logged in with it is disconnected by the revoke, not at its next command.
    const device = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: "ann@one.test", pass: anns.secret },
      logger: false,
    });
    device.on("error", () => {});
    await device.connect();
    const closed = new Promise<void>((resolve) => device.once("close", () => resolve()));
    const done = await revoke(id.ann!, anns.appPassword.id);
    assert.equal(done.status, 303);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), 10_000);
    });
    assert.notEqual(await Promise.race([closed, timeout]), "timeout", "the device was not disconnected");
    clearTimeout(timer);
    assert.equal(await imapLogin("ann@one.test", anns.secret), false);
    assert.deepEqual(await srv.store.appPasswords.list(id.ann!), []);
  });

  test("aliases: hers only, and only in her domain", async () => {
    await srv.store.directory.addAlias("other@two.test", ["bob@two.test"]);
    assert.equal(
      (await post("/admin/aliases", { address: "team@one.test", targets: "ann@one.test" })).status,
      303,
    );
    const page = await dana.get("/admin/aliases");
    assert.match(page.body, /team@one\.test/);
    assert.doesNotMatch(page.body, /other@two\.test/);
    assert.equal(
      (await post("/admin/aliases", { address: "x@two.test", targets: "ann@one.test" })).status,
      403,
    );
    assert.equal(
      (await post("/admin/aliases", { address: "@two.test", targets: "ann@one.test" })).status,
      403,
    );
    assert.equal((await post("/admin/aliases/delete", { address: "other@two.test" })).status, 403);
    assert.ok(await srv.store.directory.getAlias("other@two.test"));
    assert.equal(await srv.store.directory.getAlias("x@two.test"), null);
    assert.equal((await post("/admin/aliases/delete", { address: "team@one.test" })).status, 303);
  });

  test("her domain's DNS page, not another's", async () => {
    assert.equal((await dana.get("/admin/domains/one.test/dns")).status, 200);
    assert.equal((await dana.get("/admin/domains/two.test/dns")).status, 403);
    assert.equal((await dana.get("/admin/domains/nowhere.test/dns")).status, 403);
  });

  test("everything else is refused with 403 by the server, and nothing changes", async () => {
    const refused: [string, string, Record<string, string>?][] = [
      // another domain's user, by id, whatever the action
      ["POST", `/admin/users/${id.bob}/password`, { password: "taken over password" }],
      ["POST", `/admin/users/${id.bob}/quota`, { quotaMiB: "1" }],
      ["POST", `/admin/users/${id.bob}/disable`],
      ["POST", `/admin/users/${id.bob}/2fa-reset`],
      ["GET", `/admin/users/${id.bob}/spam`],
      // a global admin inside her domain: resetting his password would hand her his rights
      ["POST", `/admin/users/${id.boss}/password`, { password: "taken over password" }],
      ["POST", `/admin/users/${id.boss}/disable`],
      // a user in another domain; an administrator in hers
      ["POST", "/admin/users", { address: "evil@two.test", password: "a long enough password" }],
      [
        "POST",
        "/admin/users",
        { address: "evil@one.test", password: "a long enough password", isAdmin: "1" },
      ],
      // making admins, global or of a domain, herself included
      ["POST", `/admin/users/${id.ann}/role`, { role: "global" }],
      ["POST", `/admin/users/${id.dana}/role`, { role: "domains", domains: "one.test, two.test" }],
      ["POST", `/admin/users/${id.dana}/role`, { role: "global" }],
      // server-wide pages
      ["GET", "/admin/queue"],
      ["GET", "/admin/spam"],
      ["GET", "/admin/tls"],
      ["POST", "/admin/domains", { domain: "new.test" }],
      ["POST", "/admin/domains/two.test/delete"],
    ];
    for (const [method, path, form] of refused) {
      const res = method === "GET" ? await dana.get(path) : await post(path, form);
      assert.equal(res.status, 403, `${method} ${path}`);
    }
    const d = srv.store.directory;
    assert.equal(await imapLogin("bob@two.test", testPassword), true);
    assert.equal(await imapLogin("boss@one.test", testPassword), true);
    assert.equal((await d.getAccount(id.bob!))?.quotaBytes, srv.ctx.config.quota.defaultBytes);
    assert.equal(await d.getAccountByAddress("evil@two.test"), null);
    assert.equal(await d.getAccountByAddress("evil@one.test"), null);
    assert.equal((await d.getAccount(id.dana!))?.isAdmin, false);
    assert.deepEqual(await d.listAdminDomains(id.dana!), ["one.test"]);
    assert.equal((await d.getAccount(id.ann!))?.isAdmin, false);
    assert.equal(await d.getDomain("new.test"), null);
  });

  test("every global-only route in the table answers her 403", async () => {
    const routes = webAppFor(srv.ctx)
      .router.routes()
      .filter((r) => r.access === "admin");
    assert.ok(routes.length >= 8, `found ${routes.length}`);
    for (const r of routes) {
      const path = r.path.replace(":domain", "one.test").replace(":id", String(id.ann));
      const res = r.method === "GET" ? await dana.get(path) : await post(path, { id: "x", role: "global" });
      assert.equal(res.status, 403, `${r.method} ${path}`);
    }
    assert.equal((await srv.store.directory.getAccount(id.ann!))?.isAdmin, false);
  });

  test("the global admin sets roles on the users page; the role goes with the domain", async () => {
    const root = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await root.login("root@two.test", testPassword)).status, 303);
    const page = await root.get("/admin/users");
    assert.match(page.body, /dana@three\.test \(admin of one\.test\)/);
    const res = await root.submit("/admin/users", `/admin/users/${id.bob}/role`, {
      role: "domains",
      domains: "two.test three.test",
    });
    assert.equal(res.status, 303);
    const d = srv.store.directory;
    assert.deepEqual(await d.listAdminDomains(id.bob!), ["three.test", "two.test"]);
    const bad = await root.submit("/admin/users", `/admin/users/${id.bob}/role`, {
      role: "domains",
      domains: "nowhere.test",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /no domain nowhere\.test/);
    // Bob now administers two.test: dana (one.test only) may not touch him any more.
    await d.setAdminDomains(id.bob!, ["one.test", "two.test"]);
    assert.equal((await post(`/admin/users/${id.bob}/disable`)).status, 403);
    assert.equal(
      (await root.submit("/admin/users", `/admin/users/${id.bob}/role`, { role: "none" })).status,
      303,
    );
    assert.deepEqual(await d.listAdminDomains(id.bob!), []);
    assert.equal((await d.getAccount(id.bob!))?.isAdmin, false);
  });

  test("the throttle page: her domain's accounts only, and only those she may clear", async () => {
    for (const username of ["ann@one.test", "bob@two.test", "ghost@one.test"])
      await srv.ctx.auth.authenticate({
        username,
        password: "wrong guess",
        ip: "127.0.0.31",
        protocol: "imap",
      });
    const page = await dana.get("/admin/throttle");
    assert.equal(page.status, 200);
    assert.match(page.body, /ann@one\.test/);
    assert.match(page.body, /ghost@one\.test \(no such account\)/);
    assert.doesNotMatch(page.body, /bob@two\.test|\(all addresses\)<\/td><td><\/td>/);
    assert.doesNotMatch(page.body, /name="id" value="ip:/);
    const all = await srv.ctx.auth.throttle.list(100);
    const ids = (pred: (e: (typeof all)[number]) => boolean) => all.filter(pred).map((e) => e.id);
    const bobs = ids((e) => e.kind !== "ip" && e.account === `id:${id.bob}`);
    const ips = ids((e) => e.kind === "ip");
    assert.ok(bobs.length > 0 && ips.length > 0);
    for (const other of [...bobs, ...ips])
      assert.equal((await post("/admin/throttle/clear", { id: other })).status, 403, other);
    const anns = ids((e) => e.kind !== "ip" && e.account === `id:${id.ann}`);
    assert.ok(anns.length > 0);
    for (const mine of anns)
      assert.equal((await post("/admin/throttle/clear", { id: mine })).status, 303, mine);
    const left = (await srv.ctx.auth.throttle.list(100)).map((e) => e.id);
    for (const other of [...bobs, ...ips]) assert.ok(left.includes(other), other);
    for (const mine of anns) assert.ok(!left.includes(mine), mine);
  });

  test("a plain user with no domains is still refused everywhere", async () => {
    const ann = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await ann.login("ann@one.test", "ann's new password")).status, 303);
    assert.equal((await ann.get("/admin/users")).status, 403);
    assert.doesNotMatch((await ann.get("/settings")).body, /href="\/admin"/);
    assert.equal((await ann.get("/admin")).status, 403);
  });
});
