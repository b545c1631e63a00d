// The webmail's "Sign in with <provider>" in a real headless Chromium: the login screen shows the
// button, the provider (oidc-provider on 127.0.0.1, its own login and consent pages, filled in
// like a user would) sends the browser back to the callback, and the webmail opens logged in,
// which also proves the SameSite=Strict cookie set by the callback is sent on the next page (the
// callback's same-site hop). Skipped, with the reason, only when Chromium is not installed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkip, launchBrowser } from "../testing/browser.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { DEFAULT_DIST_DIR } from "../webmail/handler.js";
import {
  startTestProvider,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  type TestProvider,
} from "./testing/provider.js";

const ALICE = "alice@example.test";

describe("webmail OpenID Connect login in Chromium", { skip: browserSkip }, () => {
  let idp: TestProvider;
  let srv: TestServer;
  let browser: Browser;
  let base: string;

  before(async () => {
    if (!existsSync(join(DEFAULT_DIST_DIR, "index.html"))) {
      const r = spawnSync(process.execPath, ["node_modules/vite/bin/vite.js", "build", "web"], {
        stdio: "inherit",
      });
      assert.equal(r.status, 0, "vite build web failed");
    }
    idp = await startTestProvider({
      redirectUris: () => [`${base}/login/oidc/callback`],
      hostname: "localhost",
    });
    srv = await startTestServer({
      users: [{ address: ALICE, password: "alice password 1" }],
      config: {
        outbound: { enabled: false },
        oauth: {
          issuer: idp.issuer,
          audience: idp.audience,
          clientId: TEST_CLIENT_ID,
          clientSecret: TEST_CLIENT_SECRET,
          providerName: "Test ID",
        },
      },
    });
    base = `https://localhost:${srv.ports.https!}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    await idp?.close();
  });

  test("Sign in with the provider, log in and consent there, land in the mailbox", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "en-US" });
    const p = await context.newPage();
    p.setDefaultTimeout(10_000);
    const errors: string[] = [];
    p.on("pageerror", (e) => errors.push(String(e)));
    await p.goto(`${base}/`);
    await p.getByRole("link", { name: "Sign in with Test ID" }).click();
    // The provider's own pages (oidc-provider's development login and consent forms).
    await p.waitForURL(`${idp.issuer}/interaction/**`);
    await p.fill('input[name="login"]', ALICE);
    await p.fill('input[name="password"]', "anything");
    await p.click('button[type="submit"]');
    await p.waitForURL(`${idp.issuer}/interaction/**`);
    await p.click('button[type="submit"]'); // consent
    // Back at Yubin: the callback's page moves on to the webmail, which is logged in.
    await p.waitForURL(`${base}/`);
    await p.getByText(ALICE).first().waitFor();
    const session = await p.evaluate("fetch('/webmail/session').then((r) => r.json())");
    assert.equal((session as { username: string }).username, ALICE);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
