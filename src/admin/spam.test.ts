// The admin's Spam page and what hangs off it, over HTTPS against a running server: the effective
// settings and configured DNS lists are shown, a verdict's attacker-written text is escaped, held
// outbound mail is released (state queued, due now) or deleted, a frozen sender's held mail is not
// released behind the freeze, a user's allow/block lists are edited through the form, and every
// POST without the session's CSRF token is refused.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { csrfFrom, WebClient } from "../http/test-client.js";
import { createLogger } from "../log/logger.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

describe("admin spam pages", () => {
  let srv: TestServer;
  let web: WebClient;
  const logLines: Record<string, unknown>[] = [];
  const audits = (action: string) => logLines.filter((l) => l.msg === "admin action" && l.action === action);
  const body = Buffer.from("Subject: h\r\n\r\nheld\r\n");

  before(async () => {
    srv = await startTestServer({
      users: [
        { address: "admin@example.test", password: testPassword, isAdmin: true },
        { address: "carol@example.test", password: testPassword },
      ],
      config: {
        outbound: { enabled: false },
        dnsbl: { ipZones: ["bl.example.test=127.0.0.[2..11]*reject"], domainZones: ["dbl.example.test*3"] },
        rspamd: { password: "s3cret-controller-pass" },
      },
      log: createLogger({ format: "json", level: "info", write: (l) => logLines.push(JSON.parse(l)) }),
    });
    web = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web.login("admin@example.test", testPassword)).status, 303);
  });
  after(() => srv.stop());

  test("settings, model and DNS lists are shown; the nav links the page", async () => {
    const page = await web.get("/admin/spam");
    assert.equal(page.status, 200);
    assert.match(page.body, /<a href="\/admin\/spam">Spam<\/a>/);
    assert.match(page.body, /<h3 id="settings-dnsbl">\[dnsbl\]<\/h3>/);
    assert.match(
      page.body,
      /<td><code>ipZones<\/code><\/td><td><code>bl\.example\.test=127\.0\.0\.\[2\.\.11\]\*reject<\/code> <em>\(changed\)<\/em>/,
    );
    assert.match(page.body, /<td><code>rejectScore<\/code><\/td><td><code>5<\/code><\/td>/);
    assert.match(page.body, /<h3 id="settings-spam">\[spam\]<\/h3>/);
    // A credential is shown as set, never printed.
    assert.match(page.body, /<td><code>password<\/code><\/td><td><code>\(set\)<\/code>/);
    assert.doesNotMatch(page.body, /s3cret-controller-pass/);
    // Both lists, declared before any query, with their counters at zero.
    assert.match(
      page.body,
      /<tr class="zone"><td>ip<\/td><td><code>bl\.example\.test=127\.0\.0\.\[2\.\.11\]\*reject<\/code><\/td><td>reject<\/td>\s*<td>0<\/td><td>0<\/td><td>0<\/td>/,
    );
    assert.match(
      page.body,
      /<tr class="zone"><td>domain<\/td><td><code>dbl\.example\.test\*3<\/code><\/td><td>3<\/td>/,
    );
    assert.match(page.body, /<p id="model">Global model: trained with 0 spam and 0 ham message\(s\)\./);
    assert.match(page.body, /Kept at most: 1000000 tokens in the global model, 150000 tokens in each user's/);
    assert.match(page.body, /Last expiry: none yet\./);
    // A number is shown even when its key says "token" (only strings can be credentials).
    assert.match(page.body, /<td><code>maxTokensGlobal<\/code><\/td><td><code>1000000<\/code>/);
    assert.match(page.body, /<p id="verdicts">No message scored yet\.<\/p>/);
  });

  test("a recorded verdict is listed, its attacker-written text escaped", async () => {
    await srv.store.spam.recordVerdict(
      {
        at: new Date("2026-12-06T10:00:00Z"),
        messageId: "m1<b>",
        door: "inbound",
        mailFrom: '<script>alert("x")</script>@evil.test',
        recipient: "carol@example.test",
        recipients: 3,
        score: 7.25,
        action: "junk",
        reasons: "BAYES_99=3.5 HTML_ONLY=1 <img src=x onerror=alert(1)>",
      },
      100,
    );
    const page = (await web.get("/admin/spam")).body;
    assert.doesNotMatch(page, /<script>|<img /);
    const row = /<tr class="verdict action-junk">[\s\S]*?<\/tr>/.exec(page)?.[0] ?? "";
    assert.match(row, /<td>2026-12-06T10:00:00\.000Z<\/td><td>inbound<\/td>/);
    assert.match(row, /<td>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;@evil\.test<\/td>/);
    assert.match(row, /<td>carol@example\.test \(\+2\)<\/td><td>7\.3<\/td>\s*<td>junk<\/td>/);
    assert.match(row, /BAYES_99=3\.5 HTML_ONLY=1 &lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(row, /<code>m1&lt;b&gt;<\/code>/);
  });

  test("held outbound mail: listed under 'held only', released (queued, due now) or deleted", async () => {
    const carol = srv.users.find((u) => u.address === "carol@example.test")!;
    const a = await srv.store.queue.enqueue({
      body,
      mailFrom: "carol@example.test",
      recipients: [{ address: "x@far.test" }],
      accountId: carol.id,
    });
    const b = await srv.store.queue.enqueue({
      body,
      mailFrom: "carol@example.test",
      recipients: [{ address: "y@far.test" }],
    });
    const later = new Date(Date.now() + 3_600_000);
    await srv.store.queue.updateQueued(a.id, { state: "held", nextAttemptAt: later });
    await srv.store.queue.updateQueued(b.id, { state: "held", nextAttemptAt: later });
    const other = await srv.store.queue.enqueue({
      body,
      mailFrom: "",
      recipients: [{ address: "z@far.test" }],
    });

    assert.match(
      (await web.get("/admin/spam")).body,
      /<a href="\/admin\/queue\?state=held">2 held outbound message\(s\)<\/a>/,
    );
    const page = await web.get("/admin/queue?state=held");
    assert.match(page.body, /2 held message\(s\) in the queue/);
    assert.match(
      page.body,
      new RegExp(`<tr id="queue-${a.id}">[\\s\\S]*?action="/admin/queue/${a.id}/release"`),
    );
    assert.doesNotMatch(page.body, new RegExp(`<tr id="queue-${other.id}">`));

    const before = Date.now();
    const res = await web.post(`/admin/queue/${a.id}/release`, { _csrf: csrfFrom(page.body) });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `/admin/queue?state=held&done=queue.release&target=${a.id}`);
    const released = await srv.store.queue.getQueued(a.id);
    assert.equal(released?.state, "queued");
    assert.ok(
      released &&
        released.nextAttemptAt.getTime() >= before - 1000 &&
        released.nextAttemptAt.getTime() <= Date.now(),
    );
    assert.match(
      (await web.get(res.headers.location)).body,
      new RegExp(`Released for delivery now: message ${a.id}`),
    );
    assert.equal(audits("queue.release").at(-1)?.target, String(a.id));
    // Releasing what is not held is refused with the reason.
    const again = await web.post(`/admin/queue/${a.id}/release`, { _csrf: csrfFrom(page.body) });
    assert.equal(again.status, 400);
    assert.match(again.body, /is not held \(it is queued\)/);

    assert.equal((await web.post(`/admin/queue/${b.id}/delete`, { _csrf: csrfFrom(page.body) })).status, 303);
    assert.equal(await srv.store.queue.getQueued(b.id), null);
    assert.equal((await web.post(`/admin/queue/999999/release`, { _csrf: csrfFrom(page.body) })).status, 404);
    for (const id of [a.id, other.id]) await srv.store.queue.removeQueued(id);
  });

  test("a frozen sender's held mail is not released one message at a time", async () => {
    const acc = await srv.store.directory.createAccount({
      address: "frozen@example.test",
      passwordHash: "x",
    });
    const q = await srv.store.queue.enqueue({
      body,
      mailFrom: "frozen@example.test",
      recipients: [{ address: "x@far.test" }],
      accountId: acc.id,
    });
    const now = new Date();
    await srv.store.sending.freezeSending(acc.id, {
      now,
      reason: "burst",
      holdSince: new Date(now.getTime() - 1000),
    });
    assert.equal((await srv.store.queue.getQueued(q.id))?.state, "held");
    const spamPage = (await web.get("/admin/spam")).body;
    assert.match(spamPage, /1 account\(s\) with outgoing mail frozen/);
    assert.match(spamPage, /<li class="frozen">frozen@example\.test: since [^ ]+ \(burst\)<\/li>/);
    const res = await web.submit("/admin/queue?state=held", `/admin/queue/${q.id}/release`, {});
    assert.equal(res.status, 400);
    assert.match(res.body, /its account&#39;s sending is frozen: unfreeze the account instead/);
    assert.equal((await srv.store.queue.getQueued(q.id))?.state, "held");
    assert.equal(audits("queue.release").at(-1)?.ok, false);
    await srv.store.queue.removeQueued(q.id);
  });

  test("a user's allow and block lists and overrides, edited through the form", async () => {
    const carol = srv.users.find((u) => u.address === "carol@example.test")!;
    assert.match((await web.get("/admin/users")).body, new RegExp(`href="/admin/users/${carol.id}/spam"`));
    const path = `/admin/users/${carol.id}/spam`;
    const res = await web.submit(path, path, {
      allow: "Friend@Partner.test\n@trusted.test",
      block: "@spammy.test, pest@ads.test",
      junkScore: "8",
      fileIntoJunk: "no",
    });
    assert.equal(res.status, 303);
    assert.deepEqual(await srv.store.spam.getSpamPrefs(carol.id), {
      allow: ["friend@partner.test", "@trusted.test"],
      block: ["@spammy.test", "pest@ads.test"],
      junkScore: 8,
      fileIntoJunk: false,
    });
    const page = (await web.get(res.headers.location!)).body;
    assert.match(page, /Spam settings saved for carol@example\.test/);
    assert.match(
      page,
      /<textarea name="allow" rows="8" cols="60">friend@partner\.test\n@trusted\.test<\/textarea>/,
    );
    assert.match(page, /<option value="no" selected>/);
    assert.equal(audits("spam.prefs").at(-1)?.target, "carol@example.test");

    // A malformed entry: 400 with the store's reason, what was typed kept, nothing changed.
    const bad = await web.submit(path, path, {
      allow: "friend@partner.test\nnot an address",
      block: "",
      junkScore: "",
      fileIntoJunk: "default",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /&quot;not an address&quot; is not an address or @domain/);
    assert.match(
      bad.body,
      /<textarea name="allow" rows="8" cols="60">friend@partner\.test\nnot an address<\/textarea>/,
    );
    assert.deepEqual((await srv.store.spam.getSpamPrefs(carol.id)).allow, [
      "friend@partner.test",
      "@trusted.test",
    ]);

    // Back to defaults.
    assert.equal(
      (await web.submit(path, path, { allow: "", block: "", junkScore: "", fileIntoJunk: "default" })).status,
      303,
    );
    assert.deepEqual(await srv.store.spam.getSpamPrefs(carol.id), {
      allow: [],
      block: [],
      junkScore: null,
      fileIntoJunk: null,
    });
    assert.equal((await web.get("/admin/users/999999/spam")).status, 404);
  });

  test("CSRF: a POST without the session's token changes nothing", async () => {
    const carol = srv.users.find((u) => u.address === "carol@example.test")!;
    const q = await srv.store.queue.enqueue({ body, mailFrom: "", recipients: [{ address: "x@far.test" }] });
    await srv.store.queue.updateQueued(q.id, { state: "held" });
    const noToken = await web.post(`/admin/queue/${q.id}/release`, {});
    assert.equal(noToken.status, 403);
    const wrong = await web.post(`/admin/users/${carol.id}/spam`, { _csrf: "forged", allow: "@evil.test" });
    assert.equal(wrong.status, 403);
    assert.equal((await srv.store.queue.getQueued(q.id))?.state, "held");
    assert.deepEqual((await srv.store.spam.getSpamPrefs(carol.id)).allow, []);
    // A non-admin cannot see the page.
    const user = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await user.login("carol@example.test", testPassword)).status, 303);
    assert.equal((await user.get("/admin/spam")).status, 403);
    await srv.store.queue.removeQueued(q.id);
  });
});
