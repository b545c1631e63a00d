// The received reports in the admin pages, in a real headless Chromium: swaks delivers a Google
// DMARC report (zip), a Microsoft one (gzip), a Yahoo one (plain XML) and a Google TLS-RPT report
// (gzipped JSON) over port 25 to postmaster@; the Reports page lists them with failures in red,
// each report's page shows who sent as us from where and what failed; a domain administrator sees
// only its own domains' reports. Screenshots go to $YUBIN_TEST_ARTIFACTS/admin-reports (kept) or
// a temp directory (removed).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import {
  googleZipMessage,
  microsoftGzipMessage,
  tlsRptMessage,
  yahooPlainMessage,
} from "../reports/inbound/test-fixtures.js";
import { browserSkip, launchBrowser } from "../testing/browser.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";

const skip = browserSkip || commandSkip("swaks");
const run = promisify(execFile);
const D = "example.test";
const OTHER = "other.test";

describe("received reports in the admin pages (Chromium)", { skip }, () => {
  let srv: TestServer;
  let browser: Browser;
  let shots: string;
  const keepShots = Boolean(process.env.YUBIN_TEST_ARTIFACTS);
  const cspErrors: string[] = [];

  async function swaks(to: string, message: Buffer): Promise<void> {
    const args = ["--server", `127.0.0.1:${srv.ports.smtp}`, "--helo", "mx.reporter.test"];
    args.push("--from", "reports@reporter.test", "--to", to, "--data", "-");
    const child = run("swaks", args, { timeout: 30_000 });
    child.child.stdin?.end(message.toString("latin1").replace(/\r\n/g, "\n"));
    const { stdout } = await child;
    assert.match(stdout, /<- {2}250 [^\n]*\n -> QUIT/);
  }

  before(async () => {
    shots = keepShots
      ? join(process.env.YUBIN_TEST_ARTIFACTS!, "admin-reports")
      : await mkdtemp(join(tmpdir(), "yubin-shots-"));
    await mkdir(shots, { recursive: true });
    srv = await startTestServer({
      domains: [D, OTHER],
      users: [
        { address: `admin@${D}`, password: testPassword, isAdmin: true },
        { address: `boss@${OTHER}`, password: testPassword },
      ],
    });
    const boss = srv.users.find((u) => u.address === `boss@${OTHER}`)!;
    await srv.store.directory.setAdminDomains(boss.id, [OTHER]);
    await swaks(`postmaster@${D}`, googleZipMessage(D, `postmaster@${D}`));
    await swaks(`postmaster@${D}`, microsoftGzipMessage(D, `postmaster@${D}`));
    await swaks(`postmaster@${D}`, yahooPlainMessage(D, `postmaster@${D}`));
    await swaks(`postmaster@${D}`, tlsRptMessage(D, `postmaster@${D}`));
    const other = yahooPlainMessage(OTHER, `postmaster@${OTHER}`)
      .toString()
      .replaceAll("1765065600.553177", "other-1");
    await swaks(`postmaster@${OTHER}`, Buffer.from(other));
    // Read in the background after the 250: wait (bounded) until all five are stored.
    const deadline = Date.now() + 30_000;
    while ((await srv.store.reports.list({ domains: null, limit: 10 })).length < 5) {
      assert.ok(Date.now() < deadline, "reports stored within 30 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    if (!keepShots && shots) await rm(shots, { recursive: true, force: true });
  });

  const base = () => `https://localhost:${srv.ports.https}`;

  async function loggedIn(address: string): Promise<Page> {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    await page.goto(`${base()}/admin`);
    await page.getByLabel("Email address").fill(address);
    await page.getByLabel("Password").fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base()}/admin`);
    return page;
  }

  test("the Reports page lists each report, failures in red, and the last 30 days' sources", async () => {
    const page = await loggedIn(`admin@${D}`);
    // The overview's card first: the week's reports, amber with failures, a link to them.
    const card = page.locator("#card-reports");
    assert.equal(await card.getAttribute("class"), "card card-warn");
    assert.match(
      ((await card.textContent()) ?? "").replace(/\s+/g, " "),
      /4 DMARC report\(s\) on 21 message\(s\), 5 failing DMARC; 1 TLS-RPT report\(s\) on 43 session\(s\), 2 failed/,
    );
    await card.getByRole("link", { name: "the reports" }).click();
    await page.getByRole("heading", { name: "Reports", exact: true }).waitFor();
    await page.screenshot({ path: join(shots, "reports.png"), fullPage: true });
    const rows = page.locator("table").first().locator("tbody tr");
    assert.equal(await rows.count(), 5);
    const google = rows.filter({ hasText: "google.com" });
    assert.match((await google.textContent()) ?? "", /15 messages, 12 pass DMARC/);
    assert.equal(await google.locator("td.error").textContent(), "3");
    const tls = rows.filter({ hasText: "Google Inc." });
    assert.match((await tls.textContent()) ?? "", /43 TLS sessions, 41 successful/);
    assert.equal(await tls.locator("span.error").textContent(), "certificate-expired");
    const outlook = rows.filter({ hasText: "Enterprise Outlook" });
    assert.equal(await outlook.locator("td.ok").last().textContent(), "0");
    // Sources: the spoofer's 3 failing messages, in red.
    const spoofer = page.locator("table").nth(1).locator("tr", { hasText: "203.0.113.99" });
    assert.equal(await spoofer.locator("td.error").textContent(), "3");
  });

  test("a DMARC report's page: source IPs, counts, disposition, DKIM/SPF, header_from", async () => {
    const page = await loggedIn(`admin@${D}`);
    await page.goto(`${base()}/admin/reports`);
    await page.getByRole("link", { name: "google.com", exact: true }).click();
    await page.getByRole("heading", { name: "DMARC report from google.com" }).waitFor();
    await page.screenshot({ path: join(shots, "dmarc-report.png"), fullPage: true });
    const spoof = page.locator("tbody tr", { hasText: "203.0.113.99" });
    const cells = await spoof.locator("td").allTextContents();
    assert.deepEqual(cells.slice(0, 8), ["203.0.113.99", "3", D, "", "fail", "fail", "fail", "quarantine"]);
    assert.match(cells[8] ?? "", /spf spoofer\.example: softfail/);
    const ours = await page.locator("tbody tr", { hasText: "192.0.2.25" }).locator("td").allTextContents();
    assert.deepEqual(ours.slice(0, 8), ["192.0.2.25", "12", D, "", "pass", "pass", "pass", "none"]);
    await page.getByText("someone is sending mail in your domain's name").waitFor();
  });

  test("a TLS-RPT report's page: policy, counts, failure details", async () => {
    const page = await loggedIn(`admin@${D}`);
    await page.goto(`${base()}/admin/reports?kind=tlsrpt`);
    await page.getByRole("link", { name: "Google Inc." }).click();
    await page.getByRole("heading", { name: "TLS-RPT report from Google Inc." }).waitFor();
    await page.screenshot({ path: join(shots, "tlsrpt-report.png"), fullPage: true });
    await page.getByRole("heading", { name: `Policy sts for ${D}` }).waitFor();
    const failure = await page.locator("tbody tr").first().locator("td").allTextContents();
    assert.deepEqual(failure.slice(0, 5), [
      "certificate-expired",
      "2",
      "209.85.220.41",
      `mx.${D}`,
      "192.0.2.10",
    ]);
    await page.getByText("41 successful").first().waitFor();
  });

  test("a domain administrator sees only its domains' reports", async () => {
    const page = await loggedIn(`boss@${OTHER}`);
    await page.getByRole("link", { name: "Reports", exact: true }).click();
    const rows = page.locator("table").first().locator("tbody tr");
    assert.equal(await rows.count(), 1);
    assert.match((await rows.textContent()) ?? "", /other\.test/);
    const [google] = await srv.store.reports.list({ domains: [D], kind: "dmarc", limit: 1 });
    const res = await page.goto(`${base()}/admin/reports/${google!.id}`);
    assert.equal(res?.status(), 403);
    assert.deepEqual(cspErrors, [], "no CSP violations on any page");
  });
});
