// A domain administrator's happy path in a real headless Chromium (Debian package "chromium"), on
// 127.0.0.1 only: the global admin makes dana an administrator of one.test with the users page's
// role form; dana logs in, finds only her sections in the navigation and only one.test's users,
// creates a user there, disables one, adds an alias, and opens one.test's DNS page from the
// Domains page. Screenshots go to $YUBIN_TEST_ARTIFACTS/domain-admin (kept) or a temp directory
// (removed). Skipped, with the reason, only when /usr/bin/chromium is not installed. The refusals
// are tested route by route in domain-admins.test.ts.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { browserSkip, launchBrowser } from "../testing/browser.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

describe("a domain administrator in Chromium", { skip: browserSkip }, () => {
  let srv: TestServer;
  let dns: DnsServer;
  let browser: Browser;
  let shots: string;
  const keepShots = Boolean(process.env.YUBIN_TEST_ARTIFACTS);
  const cspErrors: string[] = [];

  before(async () => {
    shots = keepShots
      ? join(process.env.YUBIN_TEST_ARTIFACTS!, "domain-admin")
      : await mkdtemp(join(tmpdir(), "yubin-shots-"));
    await mkdir(shots, { recursive: true });
    dns = await startDnsServer([]);
    srv = await startTestServer({
      domains: ["one.test", "two.test"],
      users: [
        { address: "root@two.test", password: testPassword, isAdmin: true },
        { address: "dana@two.test", password: testPassword },
        { address: "ann@one.test", password: testPassword },
        { address: "bob@two.test", password: testPassword },
      ],
      config: { dns: { servers: dns.servers, timeoutMs: 10_000, tries: 2 }, outbound: { enabled: false } },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    await dns?.stop();
    if (!keepShots && shots) await rm(shots, { recursive: true, force: true });
  });

  const base = () => `https://localhost:${srv.ports.https}`;
  async function loggedIn(user: string): Promise<Page> {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    await page.goto(`${base()}/admin/users`);
    await page.getByLabel("Email address").fill(user);
    await page.getByLabel("Password").fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base()}/admin/users`);
    return page;
  }
  const idOf = async (address: string) => (await srv.store.directory.getAccountByAddress(address))!.id;

  test("the global admin makes dana an administrator of one.test", async () => {
    const page = await loggedIn("root@two.test");
    const row = page.locator(`#user-${await idOf("dana@two.test")}`);
    await row.getByLabel("Role of dana@two.test").selectOption("domains");
    await row.getByLabel("Domains dana@two.test administers").fill("one.test");
    await row.getByRole("button", { name: "Set role" }).click();
    await page.getByText("Administrator role set for dana@two.test").waitFor();
    await page.getByText("dana@two.test (admin of one.test)").waitFor();
    assert.deepEqual(await srv.store.directory.listAdminDomains(await idOf("dana@two.test")), ["one.test"]);
    await page.context().close();
  });

  test("dana manages one.test: users, an alias, its DNS page", async () => {
    const page = await loggedIn("dana@two.test");
    await page.screenshot({ path: join(shots, "users.png"), fullPage: true });
    const nav = page.locator("nav").last();
    for (const hidden of ["Queue", "Spam", "TLS certificate"])
      assert.equal(await nav.getByRole("link", { name: hidden, exact: true }).count(), 0, hidden);
    assert.equal(await page.locator("#user-" + (await idOf("bob@two.test"))).count(), 0);
    assert.equal(await page.getByLabel("administrator").count(), 0);

    await page.getByLabel("Address").fill("new@one.test");
    await page.locator('fieldset input[name="password"]').fill("new user's first password");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByText("User created: new@one.test").waitFor();
    const made = await srv.ctx.auth.authenticate({
      username: "new@one.test",
      password: "new user's first password",
      ip: "127.0.0.2",
      protocol: "imap",
    });
    assert.equal(made.ok, true);

    const ann = page.locator(`#user-${await idOf("ann@one.test")}`);
    await ann.getByRole("button", { name: "Disable" }).click();
    await page.getByText("Disabled: ann@one.test").waitFor();
    assert.equal((await srv.store.directory.getAccountByAddress("ann@one.test"))?.disabled, true);

    await nav.getByRole("link", { name: "Aliases", exact: true }).click();
    await page.getByLabel(/^Address/).fill("team@one.test");
    await page.getByLabel(/^Targets/).fill("new@one.test");
    await page.getByRole("button", { name: "Add alias" }).click();
    await page.getByText("Alias added: team@one.test").waitFor();
    assert.deepEqual((await srv.store.directory.getAlias("team@one.test"))?.targets, ["new@one.test"]);

    await nav.getByRole("link", { name: "Domains", exact: true }).click();
    await page.getByRole("link", { name: "DNS records" }).click();
    await page.getByRole("heading", { name: "DNS records for one.test" }).waitFor();
    await page.screenshot({ path: join(shots, "dns.png"), fullPage: true });

    // Typed into the address bar, a global page is refused by the server.
    const queue = await page.goto(`${base()}/admin/queue`);
    assert.equal(queue?.status(), 403);
    assert.deepEqual(cspErrors, [], "no CSP violations on any page");
  });
});
