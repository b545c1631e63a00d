// The admin overview in a real headless Chromium (Debian package "chromium"), on 127.0.0.1 only:
// a message delivered by swaks over port 25, a failed IMAP login (imapflow, wrong password) and a
// remote delivery the far server defers move the charts' numbers (read from the SVG's accessible
// name, its bars' titles and the table fallback, not from pixels) and the cards, and the page
// raises no Content Security Policy violation (the charts are inline SVG with presentation
// attributes; the CSP forbids inline styles and scripts). The events come from the instrumented
// call sites (src/metrics/events.ts via ctx.metrics). Screenshots go to
// $YUBIN_TEST_ARTIFACTS/overview (kept) or a temp directory (removed).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import type { Browser, Page } from "playwright-core";
import { outboundConfig, waitFor } from "../outbound/test-helpers.js";
import { type Sink, startSink } from "../outbound/test-sink.js";
import { browserSkip, launchBrowser } from "../testing/browser.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";

const run = promisify(execFile);
const skip = browserSkip || commandSkip("swaks");

describe("admin overview in Chromium", { skip }, () => {
  let srv: TestServer;
  let dns: DnsServer;
  let sink: Sink;
  let browser: Browser;
  let page: Page;
  let shots: string;
  const keepShots = Boolean(process.env.YUBIN_TEST_ARTIFACTS);
  const cspErrors: string[] = [];

  before(async () => {
    shots = keepShots
      ? join(process.env.YUBIN_TEST_ARTIFACTS!, "overview")
      : await mkdtemp(join(tmpdir(), "yubin-shots-"));
    await mkdir(shots, { recursive: true });
    dns = await startDnsServer([
      { name: "sink.test", type: "MX", exchange: "mx.sink.test", priority: 10 },
      { name: "mx.sink.test", type: "A", value: "127.0.0.1" },
    ]);
    // The far server defers every recipient: one attempt, then the retry is a minute away.
    sink = await startSink({ rcpt: () => "451 4.3.0 try again later" });
    srv = await startTestServer({
      users: [
        { address: "admin@example.test", password: testPassword, isAdmin: true },
        { address: "bob@example.test", password: testPassword },
      ],
      config: outboundConfig(dns, sink.port, { retryBaseMs: 60_000 }),
    });
    await srv.store.directory.addAlias("away@example.test", ["far@sink.test"]);
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
    await sink?.stop();
    await dns?.stop();
    if (!keepShots && shots) await rm(shots, { recursive: true, force: true });
  });

  const base = () => `https://localhost:${srv.ports.https}`;
  /** The accessible name of the chart whose title begins with `title`. */
  const chart = (title: string) =>
    page.getByRole("img", { name: new RegExp(`^${title}:`) }).getAttribute("aria-label");

  const swaks = async (to: string) =>
    (
      await run("swaks", [
        "--server",
        `127.0.0.1:${srv.ports.smtp}`,
        "--from",
        "sender@example.org",
        "--to",
        to,
        "--helo",
        "client.example.org",
        "--header",
        "Subject: overview chart",
      ])
    ).stdout;

  test("a delivery over port 25 and a failed IMAP login move the charts", async () => {
    await page.goto(`${base()}/admin`);
    await page.getByLabel("Email address").fill("admin@example.test");
    await page.getByLabel("Password").fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base()}/admin`);
    assert.equal(
      await chart("Messages in and out, last 24 hours"),
      "Messages in and out, last 24 hours: received (port 25) 0, sent by users 0, delivered to other servers 0",
    );
    assert.equal(
      await chart("Logins failed and throttled, last 24 hours"),
      "Logins failed and throttled, last 24 hours: failed 0, throttled 0",
    );
    await page.screenshot({ path: join(shots, "overview-before.png"), fullPage: true });

    const hourOfDelivery = Math.floor(Date.now() / 3_600_000);
    assert.match(await swaks("bob@example.test"), /-> \.\n<- {2}250 /);

    const imap = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: "bob@example.test", pass: "not the password" },
      logger: false,
    });
    imap.on("error", () => {});
    await assert.rejects(imap.connect());

    await page.reload();
    assert.equal(
      await chart("Messages in and out, last 24 hours"),
      "Messages in and out, last 24 hours: received (port 25) 1, sent by users 0, delivered to other servers 0",
    );
    assert.equal(
      await chart("Messages in and out, last 30 days"),
      "Messages in and out, last 30 days: received (port 25) 1, sent by users 0, delivered to other servers 0",
    );
    assert.equal(
      await chart("Logins failed and throttled, last 24 hours"),
      "Logins failed and throttled, last 24 hours: failed 1, throttled 0",
    );
    // The bar itself carries its hour and value, and the table fallback has the row.
    const figure = page.locator("figure.chart", {
      has: page.getByText("Messages in and out, last 24 hours"),
    });
    assert.equal(await figure.locator("rect title", { hasText: "received (port 25): 1" }).count(), 1);
    await figure.getByText("Numbers").click();
    const rows = figure.locator("tbody tr");
    assert.equal(await rows.count(), 24);
    // The last row is this hour's (unless the hour turned since the delivery).
    if (Math.floor(Date.now() / 3_600_000) === hourOfDelivery) {
      assert.deepEqual(await rows.last().locator("td").allTextContents(), ["1", "0", "0"]);
    }
    await page.screenshot({ path: join(shots, "overview-after.png"), fullPage: true });

    assert.equal(await page.locator("#card-queue").getAttribute("class"), "card card-ok");
    assert.match(
      ((await page.locator("#card-logins").textContent()) ?? "").replace(/\s+/g, " "),
      /1 failed and 0 throttled/,
    );
    assert.deepEqual(cspErrors, []);
  });

  test("a remote delivery deferred by the far server moves the deferred chart and the queue card", async () => {
    assert.match(await swaks("away@example.test"), /-> \.\n<- {2}250 /);
    await waitFor(
      "the deferred delivery on the page",
      async () => {
        await page.reload();
        return (await chart("Deliveries deferred and bounced, last 24 hours")) ===
          "Deliveries deferred and bounced, last 24 hours: deferred 1, bounced 0"
          ? true
          : null;
      },
      15_000,
    );
    assert.equal(
      await chart("Messages in and out, last 24 hours"),
      "Messages in and out, last 24 hours: received (port 25) 2, sent by users 0, delivered to other servers 0",
    );
    assert.equal(await page.locator("#card-queue").getAttribute("class"), "card card-warn");
    // The queue chart shows the queue as the card does, before the next sample (every 5 minutes).
    assert.equal(
      await chart("Outbound queue size \\(largest sample\\), last 24 hours"),
      "Outbound queue size (largest sample), last 24 hours: messages queued at most 1",
    );
    assert.match(
      ((await page.locator("#card-queue").textContent()) ?? "").replace(/\s+/g, " "),
      /1 message\(s\) waiting, 1 deferred/,
    );
    await page.screenshot({ path: join(shots, "overview-deferred.png"), fullPage: true });
    assert.deepEqual(cspErrors, []);
  });
});
