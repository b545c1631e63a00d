// Admin actions over HTTP against a running server, each checked where it matters: a created
// user can log in over IMAP, a reset password replaces the old one, a disabled account cannot log
// in, the queue page shows and changes real queue entries, the DNS page reports what a DNS server
// run by the test answers. Every action is logged with the admin who did it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { csrfFrom, WebClient } from "../http/test-client.js";
import { createLogger } from "../log/logger.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

describe("admin actions", () => {
  let srv: TestServer;
  let dns: DnsServer;
  const logLines: Record<string, unknown>[] = [];
  let web: WebClient;

  before(async () => {
    dns = await startDnsServer([]);
    srv = await startTestServer({
      users: [
        { address: "admin@example.test", password: testPassword, isAdmin: true },
        { address: "carol@example.test", password: testPassword },
      ],
      config: { dns: { servers: dns.servers, timeoutMs: 10_000, tries: 2 }, outbound: { enabled: false } },
      log: createLogger({ format: "json", level: "info", write: (l) => logLines.push(JSON.parse(l)) }),
    });
    web = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web.login("admin@example.test", testPassword)).status, 303);
  });
  after(async () => {
    await srv.stop();
    await dns.stop();
  });

  const imapLogin = async (user: string, pass: string) => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user, pass },
      logger: false,
    });
    await c.connect();
    await c.logout();
  };
  const audits = (action: string) => logLines.filter((l) => l.msg === "admin action" && l.action === action);

  test("create a user: it can log in over IMAP, and the action is logged with the admin's name", async () => {
    const res = await web.submit("/admin/users", "/admin/users", {
      address: "New.User@example.test",
      password: "a long enough password",
      quotaMiB: "5",
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, "/admin/users?done=user.create&target=new.user%40example.test");
    const a = await srv.store.directory.getAccountByAddress("new.user@example.test");
    assert.equal(a?.quotaBytes, 5 * 1024 * 1024);
    await imapLogin("new.user@example.test", "a long enough password");
    const page = await web.get(res.headers.location);
    assert.match(page.body, /User created: new\.user@example\.test/);
    const [entry] = audits("user.create");
    assert.equal(entry?.admin, "admin@example.test");
    assert.equal(entry?.target, "new.user@example.test");
    assert.equal(entry?.ok, true);
    assert.doesNotMatch(JSON.stringify(logLines), /a long enough password/);
  });

  test("bad input re-renders the form with 400 and the reason, and is logged as failed", async () => {
    const res = await web.submit("/admin/users", "/admin/users", { address: "x@unknown.test", password: "" });
    assert.equal(res.status, 400);
    assert.match(res.body, /unknown\.test is not one of our domains/);
    assert.equal(audits("user.create").at(-1)?.ok, false);
    const short = await web.submit("/admin/users", "/admin/users", {
      address: "y@example.test",
      password: "short",
    });
    assert.equal(short.status, 400);
    assert.equal(await srv.store.directory.getAccountByAddress("y@example.test"), null);
  });

  test("reset a password: the old one stops working, the user's web sessions end", async () => {
    const carol = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await carol.login("carol@example.test", testPassword)).status, 303);
    assert.equal((await carol.get("/settings")).status, 200);
    const id = (await srv.store.directory.getAccountByAddress("carol@example.test"))!.id;
    const res = await web.submit("/admin/users", `/admin/users/${id}/password`, {
      password: "a brand new secret",
    });
    assert.equal(res.status, 303);
    await assert.rejects(imapLogin("carol@example.test", testPassword));
    await imapLogin("carol@example.test", "a brand new secret");
    assert.equal((await carol.get("/settings")).status, 303, "session ended");
    // Empty password: one is generated and shown once, on the response page.
    const gen = await web.submit("/admin/users", `/admin/users/${id}/password`, { password: "" });
    assert.equal(gen.status, 200);
    const shown = /New password for carol@example\.test: ([A-Za-z0-9_-]{22})/.exec(gen.body)?.[1];
    assert.ok(shown);
    await imapLogin("carol@example.test", shown);
  });

  test("quota and disable/enable", async () => {
    const a = await srv.store.directory.createAccount({ address: "erin@example.test", passwordHash: "x" });
    assert.equal(
      (await web.submit("/admin/users", `/admin/users/${a.id}/quota`, { quotaMiB: "2", quotaMessages: "7" }))
        .status,
      303,
    );
    const q = await srv.store.directory.getAccount(a.id);
    assert.deepEqual([q?.quotaBytes, q?.quotaMessages], [2 * 1024 * 1024, 7]);
    assert.equal((await web.submit("/admin/users", `/admin/users/${a.id}/disable`, {})).status, 303);
    assert.equal((await srv.store.directory.getAccount(a.id))?.disabled, true);
    assert.equal((await web.submit("/admin/users", `/admin/users/${a.id}/enable`, {})).status, 303);
    assert.equal((await srv.store.directory.getAccount(a.id))?.disabled, false);
    // An admin cannot lock themselves out.
    const me = (await srv.store.directory.getAccountByAddress("admin@example.test"))!;
    assert.equal((await web.submit("/admin/users", `/admin/users/${me.id}/disable`, {})).status, 400);
  });

  test("a frozen account shows as such; Unfreeze lifts the freeze and releases its held mail", async () => {
    const a = await srv.store.directory.createAccount({ address: "fay@example.test", passwordHash: "x" });
    const q = await srv.store.queue.enqueue({
      body: Buffer.from("Subject: f\r\n\r\nf\r\n"),
      mailFrom: "fay@example.test",
      recipients: [{ address: "x@far.test" }],
      accountId: a.id,
    });
    const now = new Date();
    await srv.store.sending.freezeSending(a.id, {
      now,
      reason: "9 messages",
      holdSince: new Date(now.getTime() - 1000),
    });
    assert.equal((await srv.store.queue.getQueued(q.id))?.state, "held");
    const page = await web.get("/admin/users");
    assert.match(page.body, new RegExp(`id="user-${a.id}">[\\s\\S]*?sending frozen</span> \\(9 messages\\)`));
    assert.equal((await web.submit("/admin/users", `/admin/users/${a.id}/unfreeze`, {})).status, 303);
    assert.equal((await srv.store.sending.getSendingPolicy(a.id)).frozenAt, null);
    assert.equal((await srv.store.queue.getQueued(q.id))?.state, "queued");
    assert.equal(audits("user.unfreeze").length, 1);
    await srv.store.queue.removeQueued(q.id);
  });

  test("domains and aliases", async () => {
    assert.equal(
      (await web.submit("/admin/domains", "/admin/domains", { domain: "Added.test" })).status,
      303,
    );
    assert.ok(await srv.store.directory.getDomain("added.test"));
    const bad = await web.submit("/admin/domains", "/admin/domains", { domain: "not a domain" });
    assert.equal(bad.status, 400);
    const alias = await web.submit("/admin/aliases", "/admin/aliases", {
      address: "sales@example.test",
      targets: "carol@example.test, someone@remote.test",
    });
    assert.equal(alias.status, 303);
    assert.deepEqual((await srv.store.directory.getAlias("sales@example.test"))?.targets, [
      "carol@example.test",
      "someone@remote.test",
    ]);
    assert.match((await web.get("/admin/aliases")).body, /sales@example\.test/);
    assert.equal(
      (await web.submit("/admin/aliases", "/admin/aliases/delete", { address: "sales@example.test" })).status,
      303,
    );
    assert.equal(await srv.store.directory.getAlias("sales@example.test"), null);
    assert.equal((await web.submit("/admin/domains", "/admin/domains/added.test/delete", {})).status, 303);
    assert.equal(await srv.store.directory.getDomain("added.test"), null);
  });

  test("queue: a queued message is listed, retried (due now) and deleted", async () => {
    const q = await srv.store.queue.enqueue({
      body: Buffer.from("Subject: hi\r\n\r\nhello\r\n"),
      mailFrom: "carol@example.test",
      recipients: [{ address: "friend@remote.test" }],
    });
    const later = new Date(Date.now() + 3_600_000);
    await srv.store.queue.updateQueued(q.id, {
      state: "deferred",
      nextAttemptAt: later,
      lastError: "451 try later",
    });
    const page = await web.get("/admin/queue");
    assert.match(page.body, new RegExp(`<tr id="queue-${q.id}">`));
    assert.match(page.body, /friend@remote\.test \(pending\)/);
    assert.match(page.body, /451 try later/);
    const before = Date.now();
    assert.equal((await web.post(`/admin/queue/${q.id}/retry`, { _csrf: csrfFrom(page.body) })).status, 303);
    const retried = await srv.store.queue.getQueued(q.id);
    assert.ok(
      retried &&
        retried.nextAttemptAt.getTime() <= Date.now() &&
        retried.nextAttemptAt.getTime() >= before - 1000,
    );
    assert.equal((await web.post(`/admin/queue/${q.id}/delete`, { _csrf: csrfFrom(page.body) })).status, 303);
    assert.equal(await srv.store.queue.getQueued(q.id), null);
    assert.equal(audits("queue.delete").at(-1)?.target, String(q.id));
  });

  test("DNS page: a wrong MX is reported wrong, a correct SPF ok, absent records missing", async () => {
    dns.set([
      { name: "example.test", type: "MX", exchange: "mx.elsewhere.test", priority: 10 },
      { name: "example.test", type: "TXT", value: "v=spf1 mx ~all" },
    ]);
    const page = (await web.get("/admin/domains/example.test/dns")).body;
    const row = (purpose: string) =>
      new RegExp(`<tr class="record-${purpose}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? "";
    assert.match(row("mx"), /<td class="wrong">wrong<\/td>/);
    assert.match(row("mx"), /<code>10 mx\.elsewhere\.test\.<\/code>/);
    assert.match(row("spf"), /<td class="ok">present and correct<\/td>/);
    assert.match(row("dmarc"), /<td class="missing">missing<\/td>/);
    assert.match(page, /_imaps\._tcp\.example\.test/);
    // DANE: our MX host's 3 1 1 record, not published in this DNS.
    assert.match(row("dane"), /<code>_25\._tcp\.mail\.example\.test<\/code>/);
    assert.match(row("dane"), /<code>3 1 1 [0-9a-f]{64}<\/code>/);
    assert.match(row("dane"), /<td class="missing">missing<\/td><td>no TLSA published: /);
    assert.match(page, /_25\._tcp\.mail\.example\.test\. IN TLSA 3 1 1 [0-9a-f]{64}\n/);
    // Fix the MX in DNS: the page says so at once (nothing cached).
    dns.set([{ name: "example.test", type: "MX", exchange: "mail.example.test", priority: 10 }]);
    const fixed = (await web.get("/admin/domains/example.test/dns")).body;
    assert.match(/<tr class="record-mx">[\s\S]*?<\/tr>/.exec(fixed)?.[0] ?? "", /<td class="ok">/);
  });

  test("TLS page: the self-signed certificate is shown as such, with the names it covers", async () => {
    const page = (await web.get("/admin/tls")).body;
    assert.match(page, /self-signed: clients will warn/);
    assert.match(page, /<tr><td>mail\.example\.test<\/td><td class="ok">yes<\/td><\/tr>/);
    assert.match(page, /<tr><td>autoconfig\.example\.test<\/td><td class="wrong">no<\/td><\/tr>/);
  });
});
