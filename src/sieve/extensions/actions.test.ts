// fileinto (RFC 5228 4.1), copy (RFC 3894), reject/ereject (RFC 5429), mailbox (RFC 5490).
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "../index.js";
import { actionsOf, run } from "../test-kit.js";

test("copy keeps the implicit keep", async () => {
  assert.deepEqual(
    await actionsOf('require ["copy", "fileinto"]; fileinto :copy "A"; redirect :copy "x@y.example";'),
    ["fileinto:A", "redirect:x@y.example:copy", "keep"],
  );
  assert.match(
    checkSieve('require "fileinto"; fileinto :copy "A";')[0]?.message ?? "",
    /require "copy" missing for ":copy"/,
  );
});

test("reject and ereject cancel the implicit keep and carry the reason", async () => {
  const r = await run('require "reject"; reject text:\nNot wanted here.\n.\n;');
  assert.deepEqual(r.actions, [{ type: "reject", reason: "Not wanted here.\r\n", extended: false }]);
  assert.deepEqual(await actionsOf('require "ereject"; ereject "no";'), ["ereject:no"]);
});

test("reject with keep, fileinto or redirect is a runtime error: the message is kept (RFC 5429 2.1)", async () => {
  for (const other of ["keep;", 'fileinto "A";', 'redirect "a@b.example";']) {
    const r = await run(`require ["reject", "fileinto"]; ${other} reject "no";`);
    assert.match(r.error?.message ?? "", /reject cannot be combined/, other);
    assert.deepEqual(r.actions, [{ type: "keep", flags: [], implicit: true }]);
    const r2 = await run(`require ["reject", "fileinto"]; reject "no"; ${other}`);
    assert.match(r2.error?.message ?? "", /cannot be combined with reject/, other);
  }
  assert.deepEqual(await actionsOf('require "reject"; reject "no"; discard;'), ["reject:no", "discard"]);
});

test("mailbox: fileinto :create and mailboxexists ask the host", async () => {
  const exists = new Set(["INBOX", "Finance"]);
  const host = { mailboxExists: async (n: string) => exists.has(n) };
  const r = await run(
    'require ["mailbox", "fileinto"]; if mailboxexists ["Finance", "INBOX"] { fileinto :create "New"; }',
    { host },
  );
  assert.deepEqual(r.actions, [{ type: "fileinto", mailbox: "New", flags: [], create: true }]);
  assert.deepEqual(
    await actionsOf('require ["mailbox", "fileinto"]; if mailboxexists "Nope" { discard; }', { host }),
    ["keep"],
  );
});

test("fileinto: empty mailbox name refused", () => {
  assert.match(checkSieve('require "fileinto"; fileinto "";')[0]?.message ?? "", /empty mailbox name/);
});
