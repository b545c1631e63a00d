// RFC 5229 variables: set, modifiers, ${} expansion, match variables, the string test, limits.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${...}" here is Sieve syntax (RFC 5229), not a mistaken template.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "../index.js";
import { actionsOf, run } from "../test-kit.js";

const R = 'require ["variables", "fileinto"];\n';

test("set and expansion; names are case-insensitive; unknown variables are empty", async () => {
  assert.deepEqual(
    await actionsOf(`${R}set "Box" "Fin"; set "sub" "ance"; fileinto "\${box}\${SUB}\${none}";`),
    ["fileinto:Finance"],
  );
});

test("text that is not a reference stays as written (RFC 5229 3)", async () => {
  assert.deepEqual(await actionsOf(`${R}fileinto "a\${b-c}\${}\${1x}\${";`), ["fileinto:a${b-c}${}${1x}${"]);
  assert.deepEqual(await actionsOf('require "fileinto"; fileinto "${x}";'), ["fileinto:${x}"]);
});

test("modifiers and their precedence (RFC 5229 4)", async () => {
  const value = async (mods: string, v: string) => {
    const r = await actionsOf(`${R}set ${mods} "v" ${JSON.stringify(v)}; fileinto "[\${v}]";`);
    return r[0]!.slice("fileinto:".length);
  };
  assert.equal(await value(":lower", "HeLLo"), "[hello]");
  assert.equal(await value(":upper", "HeLLo"), "[HELLO]");
  assert.equal(await value(":upperfirst", "hello"), "[Hello]");
  assert.equal(await value(":lowerfirst", "HELLO"), "[hELLO]");
  assert.equal(await value(":quotewildcard", "a*b?c\\"), "[a\\*b\\?c\\\\]");
  assert.equal(await value(":length", "café"), "[4]");
  // RFC 5229 4 example: :upperfirst :lower (lower first, then upperfirst)
  assert.equal(await value(":upperfirst :lower", "JUMBO"), "[Jumbo]");
  assert.equal(await value(":length :upper", "abc"), "[3]");
  assert.match(checkSieve(`${R}set :lower :upper "a" "b";`)[0]?.message ?? "", /cannot be combined/);
});

test("match variables from :matches (RFC 5229 3.2 example)", async () => {
  const raw = "List-ID: Sieve Discussion <sieve.ietf.org>\r\nSubject: [acme] hello world\r\n\r\n";
  const s = `${R}if header :matches "List-ID" "*<*.*>" { fileinto "lists/\${2}/\${3}"; }`;
  assert.deepEqual(await actionsOf(s, { raw }), ["fileinto:lists/sieve/ietf.org"]);
  const s2 = `${R}if header :matches "subject" "[*] *" { fileinto "\${1}-\${2}-\${0}"; }`;
  assert.deepEqual(await actionsOf(s2, { raw }), ["fileinto:acme-hello world-[acme] hello world"]);
  // original case is kept although matching ignored it
  const s3 = `${R}if header :matches "subject" "[ACME] H?llo *" { fileinto "\${1}\${2}"; }`;
  assert.deepEqual(await actionsOf(s3, { raw }), ["fileinto:eworld"]);
  // a failed match leaves the previous values
  const s4 = `${R}if header :matches "subject" "[*]*" {} if header :matches "subject" "nomatch*" {} fileinto "\${1}";`;
  assert.deepEqual(await actionsOf(s4, { raw }), ["fileinto:acme"]);
});

test("the string test, :count ignores empty strings", async () => {
  const t = async (cond: string) =>
    (
      await actionsOf(
        `require ["variables", "relational", "comparator-i;ascii-numeric"]; set "a" "x"; if ${cond} { discard; }`,
      )
    )[0] === "discard";
  assert.equal(await t('string :is "${a}" "x"'), true);
  assert.equal(await t('string :is "${b}" ""'), true);
  assert.equal(await t('string :count "eq" :comparator "i;ascii-numeric" ["${a}", "", "${b}"] "1"'), true);
});

test("set: invalid names refused at compile time", () => {
  assert.match(checkSieve(`${R}set "1a" "x";`)[0]?.message ?? "", /invalid variable name "1a"/);
  assert.match(checkSieve(`${R}set "a.b" "x";`)[0]?.message ?? "", /invalid variable name/);
  assert.match(checkSieve('set "a" "x";')[0]?.message ?? "", /require "variables" missing/);
});

test("variable values are bounded", async () => {
  const r = await run(`${R}set "a" "${"x".repeat(5000)}"; set :length "n" "\${a}"; fileinto "\${n}";`);
  assert.deepEqual(r.actions[0], { type: "fileinto", mailbox: "4096", flags: [], create: false });
});
