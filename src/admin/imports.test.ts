// The admin Imports page in a real headless Chromium (Debian package "chromium"), on 127.0.0.1
// only: an admin starts an IMAP pull from another server (a second Yubin here, over implicit TLS
// with its self-signed certificate accepted by the form's checkbox) into an account, watches the
// job page reload itself until the summary shows, and the mail is in the account with its flags;
// the password appears in no page and no log line. A Maildir import from a path under
// [import] pathRoots works the same way; a path outside it is refused with the reason, and so is
// a second import into an account that has one running. No CSP violation on any page.
// Screenshots go to $YUBIN_TEST_ARTIFACTS/admin-imports (kept) or a temp directory (removed).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createLogger } from "../log/logger.js";
import { browserSkip, launchBrowser } from "../testing/browser.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

const OLD_PASSWORD = "the old server's secret 7f3a";

describe("admin Imports page in Chromium", { skip: browserSkip }, () => {
  let srv: TestServer;
  let old: TestServer;
  let browser: Browser;
  let page: Page;
  let shots: string;
  let roots: string;
  const logLines: string[] = [];
  const pages: string[] = [];
  const cspErrors: string[] = [];
  const keepShots = Boolean(process.env.YUBIN_TEST_ARTIFACTS);

  before(async () => {
    shots = keepShots
      ? join(process.env.YUBIN_TEST_ARTIFACTS!, "admin-imports")
      : await mkdtemp(join(tmpdir(), "yubin-shots-"));
    await mkdir(shots, { recursive: true });
    roots = await mkdtemp(join(tmpdir(), "yubin-import-roots-"));
    // A small Maildir (Dovecot's names and flags) under the allowed root.
    const md = join(roots, "cy", "Maildir");
    for (const d of ["cur", "new", "tmp", ".Work/cur", ".Work/new", ".Work/tmp"])
      await mkdir(join(md, d), { recursive: true });
    await writeFile(join(md, "cur", "1700000000.M1P1.old:2,FS"), "Subject: kept\r\n\r\nflagged and seen\r\n");
    await writeFile(join(md, ".Work", "cur", "1700000001.M2P1.old:2,"), "Subject: work\r\n\r\nunread\r\n");

    old = await startTestServer({
      domains: ["old.test"],
      users: [{ address: "ann@old.test", password: OLD_PASSWORD }],
    });
    const annOld = old.users[0]!.id;
    for (let i = 0; i < 30; i++)
      await old.store.mail.deliver(
        Buffer.from(`Subject: old mail ${i}\r\nMessage-ID: <o${i}@old.test>\r\n\r\nbody ${i}\r\n`),
        [{ accountId: annOld, flags: i % 3 === 0 ? ["\\Seen", "$Work"] : [] }],
      );

    srv = await startTestServer({
      users: [
        { address: "admin@example.test", password: testPassword, isAdmin: true },
        { address: "ann@example.test", password: testPassword },
        { address: "cy@example.test", password: testPassword },
      ],
      config: { import: { pathRoots: [roots] } },
      log: createLogger({ format: "json", level: "debug", write: (l) => logLines.push(l) }),
    });
    browser = await launchBrowser();
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    page.on("response", async (r) => {
      if (r.url().includes("/admin/imports")) pages.push(await r.text().catch(() => ""));
    });
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
    await old?.stop();
    if (roots) await rm(roots, { recursive: true, force: true });
    if (!keepShots && shots) await rm(shots, { recursive: true, force: true });
  });

  const base = () => `https://localhost:${srv.ports.https}`;
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const imapForm = () => page.locator('form[action="/admin/imports/imap"]');
  const pathForm = () => page.locator('form[action="/admin/imports/path"]');

  test("an IMAP pull started from the page runs to its summary; the password is never shown or logged", async () => {
    await page.goto(`${base()}/admin/imports`);
    await page.getByLabel("Email address").fill("admin@example.test");
    await page.getByLabel("Password").fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base()}/admin/imports`);
    await page.getByText("No imports since the server started.").waitFor();

    const f = imapForm();
    await f.getByLabel("Into account").fill("ann@example.test");
    await f.getByLabel("IMAP server").fill("127.0.0.1");
    await f.getByLabel("Port").fill(String(old.ports.imaps));
    await f.getByLabel("Security").selectOption("implicit");
    await f.getByLabel("User name there").fill("ann@old.test");
    await f.getByLabel("Password there").fill(OLD_PASSWORD);
    await f.getByLabel("Accept the server's certificate without checking it").check();
    await shot("imports-form");
    await f.getByRole("button", { name: "Start IMAP import" }).click();
    await page.waitForURL(/\/admin\/imports\/1\?done=import\.start/);
    await page.getByText(/Import started: ann@example.test from imap ann@old.test@127.0.0.1:\d+/).waitFor();
    // The page reloads itself (Refresh header) until the job has ended.
    await page.locator("#import-state").waitFor({ timeout: 30_000 });
    await shot("imports-job-done");
    assert.match((await page.locator("#import-state").textContent()) ?? "", /^Finished at /);
    assert.match((await page.locator("#import-summary").textContent()) ?? "", /Imported\s*30 messages/);

    const ann = (await srv.store.directory.getAccountByAddress("ann@example.test"))!;
    const inbox = (await srv.store.mail.getMailbox(ann.id, "INBOX"))!;
    const msgs = await srv.store.mail.listMessages(inbox.id);
    assert.equal(msgs.length, 30);
    assert.equal(msgs.filter((m) => m.flags.includes("\\Seen") && m.flags.includes("$Work")).length, 10);

    await page.getByRole("link", { name: "All imports" }).click();
    await page.locator("#import-1").getByText("done").waitFor();
    for (const text of [...pages, ...logLines])
      assert.ok(!text.includes(OLD_PASSWORD), "password shown or logged");
    assert.ok(logLines.some((l) => l.includes('"msg":"import ended"') && l.includes('"state":"done"')));
  });

  test("a Maildir under [import] pathRoots; a path outside it refused; one import per account", async () => {
    await page.goto(`${base()}/admin/imports`);
    let f = pathForm();
    await f.getByLabel("Into account").fill("cy@example.test");
    await f.getByLabel("Path").fill("/etc");
    await f.getByRole("button", { name: "Start path import" }).click();
    await page.getByText(`/etc is not under ${roots}`).waitFor();
    // The form keeps what was typed.
    assert.equal(await pathForm().getByLabel("Into account").inputValue(), "cy@example.test");

    f = pathForm();
    await f.getByLabel("Path").fill(join(roots, "cy", "Maildir"));
    await f.getByRole("button", { name: "Start path import" }).click();
    await page.locator("#import-state").waitFor({ timeout: 30_000 });
    await shot("imports-maildir-done");
    assert.match((await page.locator("#import-summary").textContent()) ?? "", /Imported\s*2 messages/);
    const cy = (await srv.store.directory.getAccountByAddress("cy@example.test"))!;
    const work = (await srv.store.mail.getMailbox(cy.id, "Work"))!;
    assert.equal((await srv.store.mail.listMessages(work.id)).length, 1);
    const inbox = (await srv.store.mail.getMailbox(cy.id, "INBOX"))!;
    assert.deepEqual(
      (await srv.store.mail.listMessages(inbox.id)).map((m) => [...m.flags].sort()),
      [["\\Flagged", "\\Seen"]],
    );

    // An import into an account that has one running is refused, with the reason.
    const hold = srv.ctx.imports.start({
      accountId: cy.id,
      address: cy.address,
      kind: "maildir",
      label: "held",
      startedBy: "test",
      dedupe: false,
      open: () => new Promise(() => {}), // never opens: stays running until the server stops
    });
    await page.goto(`${base()}/admin/imports`);
    f = pathForm();
    await f.getByLabel("Into account").fill("cy@example.test");
    await f.getByLabel("Path").fill(join(roots, "cy", "Maildir"));
    await f.getByRole("button", { name: "Start path import" }).click();
    await page.getByText(`An import into cy@example.test is already running (#${hold.id}).`).waitFor();
    await shot("imports-busy");
    assert.deepEqual(cspErrors, [], "no CSP violations on any page");
  });
});
