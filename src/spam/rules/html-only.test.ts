import assert from "node:assert/strict";
import { test } from "node:test";
import { htmlOnlyRules } from "./html-only.js";
import { message, names, ruleInput } from "./test-input.js";

const HTML = "<html><body><p>Buy now</p></body></html>\n";

test("HTML-only messages fire MIME_HTML_ONLY, others nothing", () => {
  const cases: [string, string, string[]][] = [
    ["", "hello\n", []],
    ["Content-Type: text/plain; charset=us-ascii", "hello\n", []],
    ["Content-Type: text/html; charset=us-ascii", HTML, ["MIME_HTML_ONLY"]],
    ['Content-Type: TEXT/HTML;charset="iso-8859-1"', HTML, ["MIME_HTML_ONLY"]],
    // An empty HTML body says nothing about how the message was made.
    ["Content-Type: text/html", "", []],
  ];
  for (const [extra, body, want] of cases)
    assert.deepEqual(names(htmlOnlyRules, message(extra, body)), want, extra);
});

test("HTML beside a text version does not fire", () => {
  const alt = ['Content-Type: multipart/alternative; boundary="b"', "MIME-Version: 1.0"].join("\n");
  const body = [
    "--b",
    "Content-Type: text/plain",
    "",
    "Buy now",
    "--b",
    "Content-Type: text/html",
    "",
    HTML,
    "--b--",
    "",
  ].join("\n");
  assert.deepEqual(names(htmlOnlyRules, message(alt, body)), []);
});

test("hostile input stays linear and bounded", () => {
  // A Content-Type field of 1 MB without a semicolon, and one of many semicolons.
  for (const ct of [`text/html${" ".repeat(1_000_000)}x`, `text/html${";".repeat(1_000_000)}`]) {
    const started = process.cpuUsage();
    const signals = htmlOnlyRules.run(ruleInput(message(`Content-Type: ${ct}`, HTML)));
    const ms = (process.cpuUsage(started).user + process.cpuUsage(started).system) / 1000;
    assert.ok(signals.length <= 1);
    assert.ok(ms < 2000, `${ms} ms`);
  }
  // A huge HTML body: the rule reads only the header.
  const big = `<html>${"<p>x</p>".repeat(200_000)}</html>`;
  assert.deepEqual(names(htmlOnlyRules, message("Content-Type: text/html", big)), ["MIME_HTML_ONLY"]);
});
