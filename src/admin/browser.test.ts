// The admin pages driven in a real headless Chromium (Debian package "chromium"), on 127.0.0.1
// only: log in, create a user, reset its password, see a queued message, open the Spam page and
// edit a user's allow list, see a DNS record that a DNS server run by this test answers wrongly. Screenshots of each screen go to
// $YUBIN_TEST_ARTIFACTS/admin (kept) or a temp directory (removed). Skipped, with the reason,
// only when /usr/bin/chromium is not installed.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { browserSkip, launchBrowser } from "../testing/browser.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

const skip = browserSkip;

describe("admin pages in Chromium", { skip }, () => {
  let srv: TestServer;
  let dns: DnsServer;
  let browser: Browser;
  let page: Page;
  let shots: string;
  const keepShots = Boolean(process.env.YUBIN_TEST_ARTIFACTS);
  const cspErrors: string[] = [];

  before(async () => {
    shots = keepShots
      ? join(process.env.YUBIN_TEST_ARTIFACTS!, "admin")
      : await mkdtemp(join(tmpdir(), "yubin-shots-"));
    await mkdir(shots, { recursive: true });
    dns = await startDnsServer([
      { name: "example.test", type: "MX", exchange: "old-mx.example.net", priority: 10 },
    ]);
    srv = await startTestServer({
      users: [{ address: "admin@example.test", password: testPassword, isAdmin: true }],
      config: { dns: { servers: dns.servers, timeoutMs: 10_000, tries: 2 }, outbound: { enabled: false } },
    });
    browser = await launchBrowser();
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(5000);
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    await dns?.stop();
    if (!keepShots && shots) await rm(shots, { recursive: true, force: true });
  });

  const base = () => `https://localhost:${srv.ports.https}`;
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  test("log in, create a user, reset its password", async () => {
    await page.goto(`${base()}/admin/users`);
    assert.equal(new URL(page.url()).pathname, "/login");
    await page.getByLabel("Email address").fill("admin@example.test");
    await page.getByLabel("Password").fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base()}/admin/users`);
    await shot("users");

    await page.getByLabel("Address").fill("dan@example.test");
    await page.locator('fieldset input[name="password"]').fill("dan's first password");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByText("User created: dan@example.test").waitFor();
    const dan = await srv.store.directory.getAccountByAddress("dan@example.test");
    assert.ok(dan);

    const row = page.locator(`#user-${dan.id}`);
    await row.getByLabel("New password for dan@example.test").fill("dan's second password");
    await row.getByRole("button", { name: "Reset password" }).click();
    await page.getByText("Password changed for dan@example.test").waitFor();
    await shot("users-after-reset");
    const ok = await srv.ctx.auth.authenticate({
      username: "dan@example.test",
      password: "dan's second password",
      ip: "127.0.0.2",
      protocol: "imap",
    });
    assert.equal(ok.ok, true);
  });

  test("see a queued message", async () => {
    await srv.store.queue.enqueue({
      body: Buffer.from("Subject: queued\r\n\r\nbody\r\n"),
      mailFrom: "admin@example.test",
      recipients: [{ address: "pen-pal@remote.test" }],
    });
    await page.goto(`${base()}/admin/queue`);
    await page.getByText("pen-pal@remote.test (pending)").waitFor();
    await shot("queue");
  });

  test("the Spam page, and a user's allow list edited through its form", async () => {
    await page.goto(`${base()}/admin`);
    await page.getByRole("link", { name: "Spam", exact: true }).click();
    await page.getByRole("heading", { name: "Spam and abuse" }).waitFor();
    await shot("spam");
    const admin = (await srv.store.directory.getAccountByAddress("admin@example.test"))!;
    await page.goto(`${base()}/admin/users/${admin.id}/spam`);
    await page.getByLabel(/^Allow list/).fill("boss@partner.test\n@friends.test");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Spam settings saved for admin@example.test").waitFor();
    await shot("spam-prefs");
    assert.deepEqual((await srv.store.spam.getSpamPrefs(admin.id)).allow, [
      "boss@partner.test",
      "@friends.test",
    ]);
  });

  test("see a DNS record reported wrong", async () => {
    await page.goto(`${base()}/admin/domains/example.test/dns`);
    const mx = page.locator("tr.record-mx");
    assert.equal(await mx.locator("td.wrong").textContent(), "wrong");
    assert.match((await mx.textContent()) ?? "", /10 old-mx\.example\.net\./);
    await shot("dns");
    await page.goto(`${base()}/admin/tls`);
    await page.getByText("self-signed: clients will warn").waitFor();
    await shot("tls");
    assert.deepEqual(cspErrors, [], "no CSP violations on any page");
  });
});
