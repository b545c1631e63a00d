// RFC 5228 semantics of the base language: control, actions, the implicit keep, tests, match types
// and comparators, limits.
import assert from "node:assert/strict";
import { test } from "node:test";
import { compileSieve, runSieve, supportedExtensions } from "./index.js";
import { actionsOf, LIMITS, run, testHost } from "./test-kit.js";

test("no script action: the implicit keep (RFC 5228 2.10.2)", async () => {
  assert.deepEqual(await actionsOf(""), ["keep"]);
  assert.deepEqual(await actionsOf("if false { discard; }"), ["keep"]);
});

test("discard, redirect and fileinto cancel the implicit keep; keep brings it back", async () => {
  assert.deepEqual(await actionsOf("discard;"), ["discard"]);
  assert.deepEqual(await actionsOf('redirect "a@example.net";'), ["redirect:a@example.net"]);
  assert.deepEqual(await actionsOf('require "fileinto"; fileinto "Finance";'), ["fileinto:Finance"]);
  assert.deepEqual(await actionsOf("discard; keep;"), ["discard", "keep"]);
});

test("duplicates merged (RFC 5228 4.2): fileinto the same mailbox twice, redirect the same address twice", async () => {
  assert.deepEqual(
    await actionsOf(
      'require "fileinto"; fileinto "A"; fileinto "B"; fileinto "A"; redirect "x@y.org"; redirect "X@y.org"; keep; keep;',
    ),
    ["fileinto:A", "fileinto:B", "redirect:x@y.org", "keep"],
  );
});

test("redirect takes the bare address of Name <addr>, and refuses invalid ones", async () => {
  assert.deepEqual(await actionsOf('redirect "Joe <joe@example.org>";'), ["redirect:joe@example.org"]);
  assert.throws(() => compileSieve('redirect "not an address";'), /invalid redirect address/);
});

test("if / elsif / else take the first true branch; stop ends the script", async () => {
  const s = `require "fileinto";
    if header :is "x-spam-score" "3" { fileinto "A"; }
    elsif header :is "x-spam-score" "12" { fileinto "B"; }
    else { fileinto "C"; }
    if true { stop; }
    fileinto "D";`;
  assert.deepEqual(await actionsOf(s), ["fileinto:B"]);
  assert.deepEqual(await actionsOf('if false { discard; } else { redirect "a@b.example"; }'), [
    "redirect:a@b.example",
  ]);
  assert.deepEqual(await actionsOf("stop; discard;"), ["keep"]);
});

test("header: decoded encoded words, case-insensitive by default, :is/:contains/:matches", async () => {
  const t = async (cond: string) => (await actionsOf(`if ${cond} { discard; }`))[0] === "discard";
  assert.equal(await t('header :is "subject" "café statement"'), true);
  assert.equal(await t('header :is "Subject" "CAFé STATEMENT"'), true);
  assert.equal(await t('header :comparator "i;octet" :is "subject" "CAFé STATEMENT"'), false);
  assert.equal(await t('header :contains "subject" "STATE"'), true);
  assert.equal(await t('header :contains ["to", "cc"] "quoted name"'), true);
  assert.equal(await t('header :matches "subject" "caf? *"'), true);
  assert.equal(await t('header :matches "subject" "*state"'), false);
  assert.equal(await t('header :matches "x-multi" "tw*"'), true);
  assert.equal(await t('header :is "x-missing" ""'), false);
  assert.equal(await t('not header :is "x-missing" ""'), true);
});

test("address: :all / :localpart / :domain, display names and groups left out", async () => {
  const t = async (cond: string) => (await actionsOf(`if ${cond} { discard; }`))[0] === "discard";
  assert.equal(await t('address :is "from" "alerts@bank.example"'), true);
  assert.equal(await t('address :domain :is "from" "BANK.example"'), true);
  assert.equal(await t('address :localpart :is "from" "alerts"'), true);
  assert.equal(await t('address :is "to" "other@example.net"'), true);
  assert.equal(await t('address :contains "from" "Alerts <"'), false);
  assert.equal(await t('address :is "cc" "cc@example.com"'), true);
  assert.equal(await t('address :is "to" "a@b.example"'), false);
  const raw = "To: undisclosed-recipients:;\r\nFrom: a@b.example\r\n\r\n";
  assert.deepEqual(await actionsOf('if address :matches "to" "*" { discard; }', { raw }), ["keep"]);
});

test("exists, size, allof, anyof, not, true, false", async () => {
  const t = async (cond: string) => (await actionsOf(`if ${cond} { discard; }`))[0] === "discard";
  assert.equal(await t('exists ["from", "subject"]'), true);
  assert.equal(await t('exists ["from", "x-nope"]'), false);
  assert.equal(await t("size :over 100"), true);
  assert.equal(await t("size :under 100"), false);
  assert.equal(await t("size :over 1M"), false);
  assert.equal(await t('allof (true, exists "from")'), true);
  assert.equal(await t("allof (true, false)"), false);
  assert.equal(await t("anyof (false, true)"), true);
  assert.equal(await t("anyof (false, false)"), false);
  assert.equal(await t("not false"), true);
});

test("size counts octets strictly over / under", async () => {
  const raw = "Subject: x\r\n\r\n12345";
  const n = Buffer.byteLength(raw);
  assert.deepEqual(await actionsOf(`if size :over ${n} { discard; }`, { raw }), ["keep"]);
  assert.deepEqual(await actionsOf(`if size :over ${n - 1} { discard; }`, { raw }), ["discard"]);
  assert.deepEqual(await actionsOf(`if size :under ${n} { discard; }`, { raw }), ["keep"]);
});

test(":matches escapes and wildcards (RFC 5228 2.7.1)", async () => {
  const raw = "Subject: a*b?c\\d\r\n\r\n";
  const t = async (key: string) =>
    (await actionsOf(`if header :matches "subject" ${JSON.stringify(key)} { discard; }`, { raw }))[0] ===
    "discard";
  assert.equal(await t("a\\*b\\?c\\\\d"), true);
  assert.equal(await t("a\\*b\\?c\\\\"), false);
  assert.equal(await t("*\\**"), true);
  assert.equal(await t("a*"), true);
  assert.equal(await t("?*?"), true);
  assert.equal(await t("????????"), false);
  assert.equal(await t("*"), true);
});

test("a runtime error gives the implicit keep and the error", async () => {
  const r = await run('redirect "a@b.example"; redirect "c@b.example";', { limits: { maxRedirects: 1 } });
  assert.deepEqual(r.actions, [{ type: "keep", flags: [], implicit: true }]);
  assert.match(r.error?.message ?? "", /number of redirect actions exceeds policy limit \(1\)/);
  assert.deepEqual({ line: r.error?.line, column: r.error?.column }, { line: 1, column: 25 });
});

test("maxActions and maxSteps stop a run", async () => {
  const many = Array.from({ length: 10 }, (_, i) => `fileinto "F${i}";`).join("");
  const r = await run(`require "fileinto"; ${many}`, { limits: { maxActions: 5 } });
  assert.match(r.error?.message ?? "", /total number of actions exceeds policy limit \(5\)/);
  const steps = Array.from({ length: 200 }, () => 'if header :is "x" "y" { keep; }').join("\n");
  const r2 = await run(steps, { limits: { maxSteps: 100 } });
  assert.match(r2.error?.message ?? "", /more than 100 steps/);
  assert.deepEqual(r2.actions, [{ type: "keep", flags: [], implicit: true }]);
});

test("a compiled script is reusable, concurrently, with different messages", async () => {
  const script = compileSieve('if header :contains "subject" "invoice" { redirect "acct@example.org"; }');
  const msgs = ["Subject: Invoice 12\r\n\r\n", "Subject: hello\r\n\r\n"];
  const results = await Promise.all(
    [0, 1, 0, 1].map((i) =>
      runSieve(
        script,
        { raw: Buffer.from(msgs[i]!), envelope: { from: "a@b.example", to: "c@d.example" } },
        testHost(),
        LIMITS,
      ),
    ),
  );
  assert.deepEqual(
    results.map((r) => r.actions[0]?.type),
    ["redirect", "keep", "redirect", "keep"],
  );
  assert.ok(Object.isFrozen(script));
});

test("supportedExtensions lists the capabilities require accepts", () => {
  assert.ok(supportedExtensions.has("fileinto"));
  for (const cap of supportedExtensions) assert.doesNotThrow(() => compileSieve(`require "${cap}";`));
});
