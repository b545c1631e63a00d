// Settings → Rules in a real headless Chromium against a real Yubin (127.0.0.1 only): make a
// folder, create the rule "from the bank → Finance" in the editor (no Sieve typed), see the
// script it saved over JMAP Sieve (active, the exact text rules/sieve-write.ts writes), deliver
// a matching and a non-matching message on port 25 (nodemailer) and see the first land in
// Finance over IMAP (imapflow) and in the webmail's folder list, the second in the Inbox;
// "Create rule…" on the open message pre-fills its sender and subject; the raw editor's Check
// shows the server's error with line and column, and a script saved there by hand is shown as
// hand-edited (the rules list gives way to the raw editor). Skipped, with the reason, only
// when /usr/bin/chromium is not installed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { createTransport } from "nodemailer";
import type { Browser, Page } from "playwright-core";
import { browserSkip, launchBrowser } from "../testing/browser.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { DEFAULT_DIST_DIR } from "./handler.js";
import { loadWebRules, type Rule } from "./test-web-rules.js";

const SHOTS = join(process.env.YUBIN_TEST_ARTIFACTS ?? "test-artifacts", "webmail");

describe("webmail rules editor in Chromium", { skip: browserSkip }, () => {
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

  async function send(from: string, subject: string): Promise<void> {
    const smtp = createTransport({ host: "127.0.0.1", port: ts.ports.smtp, secure: false, ignoreTLS: true });
    try {
      await smtp.sendMail({ from, to: ts.users[0]!.address, subject, text: `${subject}.` });
    } finally {
      smtp.close();
    }
  }

  /** The subjects in each of the folders (with " [flagged]" when it has \\Flagged), over IMAP,
   *  once `subject` is in one of them (polled: delivery is asynchronous after the 250; at most
   *  10 s). */
  async function foldersOf(subject: string): Promise<Record<string, string[]>> {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: ts.ports.imaps!,
      secure: true,
      tls: { ca: ts.certPem, servername: "mail.example.test" },
      auth: { user: ts.users[0]!.address, pass: testPassword },
      logger: false,
    });
    c.on("error", () => {});
    await c.connect();
    try {
      const deadline = Date.now() + 10_000;
      for (let i = 0; ; i++) {
        const out: Record<string, string[]> = {};
        for (const box of ["INBOX", "Finance"]) {
          const lock = await c.getMailboxLock(box);
          try {
            out[box] = [];
            for await (const m of c.fetch("1:*", { envelope: true, flags: true }, { uid: true }))
              out[box].push((m.envelope?.subject ?? "") + (m.flags?.has("\\Flagged") ? " [flagged]" : ""));
          } catch {
            // An empty mailbox: "1:*" matches nothing.
          } finally {
            lock.release();
          }
        }
        if (
          Object.values(out).some((l) => l.some((x) => x.startsWith(subject))) ||
          Date.now() > deadline ||
          i > 100
        )
          return out;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await c.logout();
    }
  }

  async function login(p: Page): Promise<void> {
    const base = `https://localhost:${ts.ports.https!}`;
    await p.goto(`${base}/`);
    await p.getByLabel("Email address").fill(ts.users[0]!.address);
    await p.getByLabel("Password").fill(testPassword);
    await p.getByRole("button", { name: "Log in" }).click();
    await p.locator('.sidebar button[data-role="inbox"]').waitFor();
  }

  test("a rule made in the editor files matching mail into its folder; create from a message; raw editor", async () => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 900 },
      locale: "en-US",
    });
    const p = await context.newPage();
    p.setDefaultTimeout(8000);
    const errors: string[] = [];
    p.on("pageerror", (e) => errors.push(String(e)));
    const dialogs: string[] = [];
    p.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    const alice = ts.users[0]!;
    try {
      await login(p);
      // The folder the rule files into, made the way a user makes one.
      await p.getByRole("button", { name: "New folder" }).click();
      await p.getByLabel("Folder name").fill("Finance");
      await p.getByRole("button", { name: "Create", exact: true }).click();
      const finance = p.locator(".sidebar button", { hasText: "Finance" });
      await finance.waitFor();

      await p.getByRole("button", { name: "Settings" }).click();
      const rules = p.getByRole("dialog", { name: "Settings" }).locator("section.rules");
      await rules.locator("p.none", { hasText: "No rules yet." }).waitFor();
      await rules.getByRole("button", { name: "New rule" }).click();
      const form = rules.locator("form.rule-form");
      // Nothing filled in: the form says what is missing and saves nothing.
      await form.getByRole("button", { name: "Save rule" }).click();
      await form.locator(".error", { hasText: "Give the rule a name (one line)." }).waitFor();
      await form.locator('input[name="rule-name"]').fill("Bank");
      // The first condition row is "From contains …".
      await form.locator('input[name="condition-value"]').fill("bank.example");
      await form.getByRole("button", { name: "Save rule" }).click();
      await form.locator(".error", { hasText: "Choose a folder for each move or copy." }).waitFor();
      await form.locator('select[name="action-folder"]').selectOption("Finance");
      await form.getByRole("button", { name: "Add action" }).click();
      await form.locator('select[name="action-kind"]').nth(1).selectOption("flag");
      await form.screenshot({ path: join(SHOTS, "rule-form.png") });
      await form.getByRole("button", { name: "Save rule" }).click();
      await form.waitFor({ state: "detached" });
      const item = rules.locator('.rule-list li[data-rule="Bank"]');
      await item
        .locator(".summary", { hasText: 'From contains "bank.example" → Move to folder Finance, Flag' })
        .waitFor();
      await rules.screenshot({ path: join(SHOTS, "rules.png") });

      // What the server holds: the rules script, active, exactly as the editor writes it.
      const { rulesToSieve, sieveToRules } = await loadWebRules();
      const bank: Rule = {
        name: "Bank",
        enabled: true,
        match: "all",
        conditions: [{ kind: "from", match: "contains", value: "bank.example" }],
        actions: [{ kind: "move", folder: "Finance" }, { kind: "flag" }],
      };
      const active = await ts.store.sieve.active(alice.id);
      assert.equal(active?.name, "yubin-rules");
      assert.equal(active?.content, rulesToSieve([bank]));
      assert.ok(
        active?.content.endsWith(
          'require ["fileinto", "imap4flags"];\n\n# rule: {"name":"Bank","enabled":true,"match":"all",' +
            '"conditions":[{"kind":"from","match":"contains","value":"bank.example"}],' +
            '"actions":[{"kind":"move","folder":"Finance"},{"kind":"flag"}]}\n' +
            'if header :contains "from" "bank.example" {\n  addflag "\\\\Flagged";\n  fileinto "Finance";\n}\n',
        ),
        active?.content,
      );
      assert.deepEqual(sieveToRules(active?.content ?? ""), { ok: true, rules: [bank] });

      // Mail on port 25: the bank's into Finance (flagged), anyone else's into the Inbox.
      await send("My Bank <statements@bank.example>", "Your statement");
      await send("Ann <ann@friends.example>", "Lunch?");
      const where = await foldersOf("Lunch?");
      const filed = await foldersOf("Your statement");
      assert.deepEqual(filed.Finance, ["Your statement [flagged]"], JSON.stringify(filed));
      assert.deepEqual(where.INBOX, ["Lunch?"], JSON.stringify(where));

      // The webmail's folder list shows it arrive (push), and the folder holds it.
      await p.getByRole("button", { name: "Close" }).click();
      await finance.locator(".count", { hasText: "1" }).waitFor();
      await finance.click();
      const row = p.locator(".message-list .row", { hasText: "Your statement" });
      await row.click();

      // "Create rule…" on the open message: its sender and subject pre-filled.
      await p.getByRole("button", { name: "Create rule…" }).click();
      const prefilled = p.getByRole("dialog", { name: "Settings" }).locator("form.rule-form");
      await prefilled.waitFor();
      assert.equal(await prefilled.locator('input[name="rule-name"]').inputValue(), "My Bank");
      assert.deepEqual(
        await prefilled
          .locator('select[name="condition-kind"]')
          .evaluateAll((s) => s.map((x) => (x as unknown as { value: string }).value)),
        ["from", "subject"],
      );
      assert.deepEqual(
        await prefilled
          .locator('input[name="condition-value"]')
          .evaluateAll((s) => s.map((x) => (x as unknown as { value: string }).value)),
        ["statements@bank.example", "Your statement"],
      );
      await prefilled.getByRole("button", { name: "Cancel" }).click();

      // The raw editor: an error with its line and column from the server; a hand-written
      // script saved there turns the rules list into the hand-edited notice.
      await rules.locator("details.raw summary").click();
      const raw = rules.locator(".raw-sieve");
      const textarea = raw.locator('textarea[name="script-text"]');
      assert.equal(await textarea.inputValue(), rulesToSieve([bank]));
      await textarea.fill('require "fileinto";\nif true {\n  fileinto "Finance"\n}\n');
      await raw.getByRole("button", { name: "Check" }).click();
      await raw
        .locator(".sieve-errors li", { hasText: /^Line \d+, column \d+: / })
        .first()
        .waitFor();
      await raw.screenshot({ path: join(SHOTS, "rules-raw-error.png") });
      await textarea.fill(
        'require "fileinto";\nif header :contains "subject" "Lunch" {\n  fileinto "Finance";\n}\n',
      );
      await raw.getByRole("button", { name: "Check" }).click();
      await raw.locator(".valid", { hasText: "The script is valid." }).waitFor();
      await raw.getByRole("button", { name: "Save script" }).click();
      await rules.locator(".hand-edited").waitFor();
      assert.equal((await ts.store.sieve.active(alice.id))?.content.includes('"Lunch"'), true);
      assert.deepEqual(errors, []);
      assert.deepEqual(dialogs, []);
    } finally {
      await context.close();
    }
  });
});
