// Passkeys (issue 15) in a real headless Chromium with its DevTools virtual authenticator
// (WebAuthn.addVirtualAuthenticator: CTAP2, internal transport, resident keys, user verification),
// against a real Yubin on 127.0.0.1: log in with the password, add a passkey on Settings →
// Two-factor login (recovery codes shown), log out, log in again: the password step now asks for
// the second step, and "Use a passkey" finishes it. The page is https://localhost (the RP ID is
// the host the page was loaded from). Then the webmail's own login: password, "Use a passkey",
// inbox. Removing the passkey turns it off again. Skipped, with the reason, only when Chromium is missing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { browserSkip, launchBrowser } from "../testing/browser.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { DEFAULT_DIST_DIR } from "../webmail/handler.js";

const ALICE = "alice@example.test";

describe("passkeys in Chromium", { skip: browserSkip }, () => {
  let srv: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  before(async () => {
    srv = await startTestServer({ users: [{ address: ALICE, password: testPassword }] });
    base = `https://localhost:${srv.ports.https!}`;
    browser = await launchBrowser();
    context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "en-US" });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (e) => problems.push(String(e)));
    page.on("console", (m) => {
      // The browser asks for /favicon.ico on its own; the pages have none.
      if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico"))
        problems.push(`${m.text()} @ ${m.location().url}`);
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  });

  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  async function passwordStep(): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel("Email address").fill(ALICE);
    await page.getByLabel("Password").fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();
  }

  test("add a passkey in settings, log out, log in with it", async () => {
    await passwordStep();
    await page.waitForURL(`${base}/settings`);
    await page.goto(`${base}/settings/2fa`);
    await page.getByLabel("Name").fill("Virtual key");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByRole("heading", { name: "Passkey added: two-factor login is on" }).waitFor();
    assert.equal(await page.locator(".recovery-codes li").count(), 10);
    const creds = await srv.ctx.store.secondFactors.credentials(srv.users[0]!.id);
    assert.equal(creds.length, 1);
    assert.equal(creds[0]!.name, "Virtual key");
    assert.deepEqual(creds[0]!.transports, ["internal"]);

    await page.getByRole("link", { name: "Back to two-factor login" }).click();
    await page.locator("table.passkeys", { hasText: "Virtual key" }).waitFor();
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login$/);

    await passwordStep();
    await page.waitForURL(`${base}/login/2fa`);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await page.waitForURL(`${base}/settings`);
    await page.getByRole("heading", { name: "Mail client settings" }).waitFor();
    const used = await srv.ctx.store.secondFactors.credential(creds[0]!.id);
    assert.ok(used?.lastUsedAt, "the passkey's last use is recorded");
    assert.ok((used?.counter ?? 0) > creds[0]!.counter, "the signature counter moved on");
    assert.deepEqual(problems, []);
  });

  test("the webmail asks for the second step after the password, and the passkey finishes it", async () => {
    if (!existsSync(join(DEFAULT_DIST_DIR, "index.html"))) {
      const r = spawnSync(process.execPath, ["node_modules/vite/bin/vite.js", "build", "web"], {
        stdio: "inherit",
      });
      assert.equal(r.status, 0, "vite build web failed");
    }
    await page.goto(`${base}/`);
    await page.getByLabel("Email address").fill(ALICE);
    await page.getByLabel("Password").fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("Two-factor login: one more step").waitFor();
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await page.locator('.sidebar button[data-role="inbox"]').waitFor();
    // Only the webmail's first check of /webmail/session (401 before login) and the password
    // step's 401 second-factor are expected errors.
    const unexpected = problems.filter(
      (p) => !/status of 401/.test(p) || !/\/webmail\/(session|login)$/.test(p),
    );
    assert.deepEqual(unexpected, []);
  });

  test("removing the last passkey turns two-factor login off: the password alone logs in again", async () => {
    // Still logged in on the account pages from the first test.
    await page.goto(`${base}/settings/2fa`);
    const row = page.locator("table.passkeys tr", { hasText: "Virtual key" });
    await row.getByRole("button", { name: "Remove" }).click();
    await page.getByText("No passkeys yet.").waitFor();
    assert.deepEqual(await srv.ctx.store.secondFactors.credentials(srv.users[0]!.id), []);
    assert.equal(await srv.ctx.secondFactors.enabled(srv.users[0]!.id), false);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login$/);
    await passwordStep();
    await page.waitForURL(`${base}/settings`);
  });
});
