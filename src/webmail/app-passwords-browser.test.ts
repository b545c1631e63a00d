// Settings → App passwords in a real headless Chromium against a real Yubin (127.0.0.1 only):
// make one with a name and scope checkboxes, read the secret the page shows once (and its Copy
// button's clipboard), log in with it over IMAP (imapflow), see its last use in the list, revoke
// it (the confirmation accepted) and see the next IMAP login fail; the profile button downloads
// an Apple .mobileconfig holding a new one. Skipped, with the reason,
// only when /usr/bin/chromium is not installed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import type { Browser } from "playwright-core";
import { browserSkip, launchBrowser } from "../testing/browser.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { DEFAULT_DIST_DIR } from "./handler.js";

const SHOTS = join(process.env.YUBIN_TEST_ARTIFACTS ?? "test-artifacts", "webmail");

describe("webmail app passwords in Chromium", { skip: browserSkip }, () => {
  let ts: TestServer;
  let browser: Browser;

  before(async () => {
    if (!existsSync(join(DEFAULT_DIST_DIR, "index.html"))) {
      const r = spawnSync(process.execPath, ["node_modules/vite/bin/vite.js", "build", "web"], {
        stdio: "inherit",
      });
      assert.equal(r.status, 0, "vite build web failed");
    }
    await mkdir(SHOTS, { recursive: true });
    ts = await startTestServer({ config: { outbound: { enabled: false } } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await ts?.stop();
  });

  async function imapLogin(pass: string): Promise<boolean> {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: ts.ports.imaps!,
      secure: true,
      tls: { ca: ts.certPem, servername: "mail.example.test" },
      auth: { user: ts.users[0]!.address, pass },
      logger: false,
    });
    c.on("error", () => {});
    try {
      await c.connect();
      await c.logout();
      return true;
    } catch (e) {
      if ((e as { authenticationFailed?: boolean }).authenticationFailed) return false;
      throw e;
    }
  }

  test("create with a name and scopes, the secret shown once logs in over IMAP, last use listed, revoke", async () => {
    const base = `https://localhost:${ts.ports.https!}`;
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 800 },
      locale: "en-US",
    });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const p = await context.newPage();
    p.setDefaultTimeout(8000);
    const errors: string[] = [];
    p.on("pageerror", (e) => errors.push(String(e)));
    p.on("dialog", (d) => {
      assert.equal(
        d.message(),
        "Revoke the app password for My phone? The device using it is disconnected at once.",
      );
      void d.accept();
    });
    const alice = ts.users[0]!;
    try {
      await p.goto(`${base}/`);
      await p.getByLabel("Email address").fill(alice.address);
      await p.getByLabel("Password").fill(testPassword);
      await p.getByRole("button", { name: "Log in" }).click();
      await p.locator('.sidebar button[data-role="inbox"]').waitFor();

      await p.getByRole("button", { name: "Settings" }).click();
      const section = p.getByRole("dialog", { name: "Settings" }).locator("section.app-passwords");
      await section.locator("p.none", { hasText: "No app passwords yet." }).waitFor();
      // No name: the form says so and nothing is made.
      await section.getByRole("button", { name: "Create app password" }).click();
      await section.locator(".error", { hasText: "Give it a name of 1 to 64 characters." }).waitFor();
      await section.locator('input[name="app-password-name"]').fill("My phone");
      assert.equal(await section.locator('input[name="scope-imap"]').isChecked(), true);
      assert.equal(await section.locator('input[name="scope-smtp"]').isChecked(), true);
      await section.locator('input[name="scope-smtp"]').uncheck();
      await section.locator('input[name="scope-pop3"]').check();
      await section.getByRole("button", { name: "Create app password" }).click();

      const secret = (await section.locator("code.secret").textContent()) ?? "";
      assert.match(secret, /^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$/);
      await section.getByRole("button", { name: "Copy" }).click();
      await section.getByRole("button", { name: "Copied" }).waitFor();
      assert.equal(await p.evaluate("navigator.clipboard.readText()"), secret);
      await section.screenshot({ path: join(SHOTS, "app-password-created.png") });
      const [made] = await ts.store.appPasswords.list(alice.id);
      assert.deepEqual([made?.name, made?.scopes], ["My phone", ["imap", "pop3"]]);

      await section.getByRole("button", { name: "Done" }).click();
      await section.locator("code.secret").waitFor({ state: "detached" });
      const item = section.locator(".app-password-list li", { hasText: "My phone" });
      await item.locator(".scopes", { hasText: "IMAP (reading mail), POP3 (downloading mail)" }).waitFor();
      await item.locator(".used", { hasText: "never used" }).waitFor();

      assert.equal(await imapLogin(secret), true, "the secret the page showed logs in over IMAP");
      // Settings opened again reads the list afresh: the last use and its address.
      await p.getByRole("button", { name: "Close" }).click();
      await p.getByRole("button", { name: "Settings" }).click();
      await item.locator(".used", { hasText: /^last used .* from 127\.0\.0\.1$/ }).waitFor();
      await section.screenshot({ path: join(SHOTS, "app-passwords.png") });

      await item.getByRole("button", { name: "Revoke the app password for My phone" }).click();
      await section.locator("p.none").waitFor();
      assert.deepEqual(await ts.store.appPasswords.list(alice.id), []);
      assert.equal(await imapLogin(secret), false, "revoked");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("the profile button makes an app password and downloads an Apple profile holding it", async () => {
    const base = `https://localhost:${ts.ports.https!}`;
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: "en-US",
      acceptDownloads: true,
    });
    const p = await context.newPage();
    p.setDefaultTimeout(8000);
    const errors: string[] = [];
    p.on("pageerror", (e) => errors.push(String(e)));
    const alice = ts.users[0]!;
    try {
      await p.goto(`${base}/`);
      await p.getByLabel("Email address").fill(alice.address);
      await p.getByLabel("Password").fill(testPassword);
      await p.getByRole("button", { name: "Log in" }).click();
      await p.locator('.sidebar button[data-role="inbox"]').waitFor();
      await p.getByRole("button", { name: "Settings" }).click();
      const section = p.getByRole("dialog", { name: "Settings" }).locator("section.app-passwords");
      await section.locator('input[name="app-password-name"]').fill("Ann's iPad");
      // Without SMTP a profile could not send: the form says so before asking the server.
      await section.locator('input[name="scope-smtp"]').uncheck();
      const profileButton = section.getByRole("button", {
        name: "Create and download a profile for iPhone, iPad or Mac",
      });
      await profileButton.click();
      await section.locator(".error", { hasText: "tick SMTP and IMAP or POP3" }).waitFor();
      await section.locator('input[name="scope-smtp"]').check();
      const [file] = await Promise.all([p.waitForEvent("download"), profileButton.click()]);
      assert.equal(file.suggestedFilename(), "Ann_s iPad.mobileconfig");
      const secret = (await section.locator("code.secret").textContent()) ?? "";
      const stream = await file.createReadStream();
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      const profile = Buffer.concat(chunks).toString("utf8");
      assert.ok(profile.includes(`<key>IncomingPassword</key>\n      <string>${secret}</string>`), profile);
      assert.ok(profile.includes(`<string>${alice.address}</string>`));
      assert.equal(await imapLogin(secret), true, "the profile's password logs in");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
