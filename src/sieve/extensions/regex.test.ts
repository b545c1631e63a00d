// draft-ietf-sieve-regex: :regex in tests, match variables, :quoteregex, errors at compile time.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${...}" here is Sieve syntax (RFC 5229), not a mistaken template.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "../index.js";
import { actionsOf, run } from "../test-kit.js";

const R = 'require ["regex", "variables", "fileinto"];\n';

test(":regex matches anywhere, case-insensitive by default, octet on request", async () => {
  const t = async (cond: string) => (await actionsOf(`${R}if ${cond} { discard; }`))[0] === "discard";
  assert.equal(await t('header :regex "subject" "caf. st[a-z]+ment$"'), true);
  assert.equal(await t('header :regex "subject" "^CAFÉ"'), false); // É is not A-Z: not folded
  assert.equal(await t('header :regex "subject" "^CAF"'), true);
  assert.equal(await t('header :regex :comparator "i;octet" "subject" "^CAF"'), false);
  assert.equal(await t('address :regex :domain "from" "^bank\\\\.(example|test)$"'), true);
});

test(":regex sets match variables from its groups, in the original case", async () => {
  const raw = "Subject: [Ticket #4711] Printer on Fire\r\n\r\n";
  assert.deepEqual(
    await actionsOf(
      `${R}if header :regex "subject" "ticket #([0-9]+)\\\\] (.*)$" { fileinto "\${1}/\${2}/\${0}"; }`,
      { raw },
    ),
    ["fileinto:4711/Printer on Fire/Ticket #4711] Printer on Fire"],
  );
});

test(":quoteregex makes a value match itself", async () => {
  const raw = "Subject: a.b*(c)\r\n\r\n";
  const s = `${R}set :quoteregex "q" "a.b*(c)"; if header :regex "subject" "^\${q}$" { discard; }`;
  assert.deepEqual(await actionsOf(s, { raw }), ["discard"]);
  const s2 = `${R}set :quoteregex "q" "a.b*(c)"; if header :regex "subject" "^\${q}$" { discard; }`;
  assert.deepEqual(await actionsOf(s2, { raw: "Subject: axbbb(c)\r\n\r\n" }), ["keep"]);
});

test("invalid patterns are compile errors; ascii-numeric is refused", () => {
  assert.match(
    checkSieve(`${R}if header :regex "subject" "(unclosed" { keep; }`)[0]?.message ?? "",
    /invalid regular expression "\(unclosed": missing "\)"/,
  );
  assert.match(
    checkSieve(
      'require ["regex", "comparator-i;ascii-numeric"]; if header :regex :comparator "i;ascii-numeric" "x" "1" { keep; }',
    )[0]?.message ?? "",
    /does not allow :regex/,
  );
  assert.match(checkSieve('if header :regex "x" "y" { keep; }')[0]?.message ?? "", /require "regex" missing/);
});

test("a pattern made from variables that does not compile matches nothing, with a warning", async () => {
  const r = await run(`${R}set "re" "["; if header :regex "subject" "\${re}" { discard; }`);
  assert.equal(r.error, null);
  assert.deepEqual(r.actions, [{ type: "keep", flags: [], implicit: true }]);
  assert.deepEqual(r.warnings, [
    { line: 2, column: 25, message: 'invalid regular expression "[": missing "]"' },
  ]);
});
