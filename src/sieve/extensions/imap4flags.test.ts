// RFC 5232 imap4flags: setflag / addflag / removeflag, hasflag, :flags, the internal variable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "../index.js";
import { actionsOf, run } from "../test-kit.js";

const R = 'require ["imap4flags", "fileinto", "variables", "relational", "comparator-i;ascii-numeric"];\n';

test("the internal variable goes to keep, fileinto and the implicit keep", async () => {
  assert.deepEqual(
    await actionsOf(`${R}addflag "\\\\Seen"; fileinto "A"; addflag ["$Label1 \\\\Flagged"]; keep;`),
    ["fileinto:A[\\Seen]", "keep[\\Seen $Label1 \\Flagged]"],
  );
  assert.deepEqual(await actionsOf(`${R}setflag "\\\\Seen";`), ["keep[\\Seen]"]);
  assert.deepEqual(await actionsOf(`${R}setflag "a b"; removeflag "A"; keep;`), ["keep[b]"]);
});

test(":flags overrides the internal variable", async () => {
  assert.deepEqual(
    await actionsOf(`${R}setflag "x"; fileinto :flags ["\\\\Answered", "y"] "B"; keep :flags "";`),
    ["fileinto:B[\\Answered y]", "keep"],
  );
});

test("duplicates dropped case-insensitively; setflag replaces", async () => {
  assert.deepEqual(await actionsOf(`${R}addflag ["a", "A b"]; addflag "B"; keep;`), ["keep[a b]"]);
  assert.deepEqual(await actionsOf(`${R}addflag "a"; setflag "c"; keep;`), ["keep[c]"]);
});

test("hasflag, on the internal variable and on named variables, with :count", async () => {
  const t = async (pre: string, cond: string) =>
    (await actionsOf(`${R}${pre} if ${cond} { discard; }`))[0] === "discard";
  assert.equal(await t('addflag "\\\\Seen";', 'hasflag "\\\\seen"'), true);
  assert.equal(await t('addflag "\\\\Seen";', 'hasflag :comparator "i;octet" "\\\\seen"'), false);
  assert.equal(await t('addflag "a b c";', 'hasflag :count "eq" :comparator "i;ascii-numeric" "3"'), true);
  assert.equal(await t('addflag "v" "x y";', 'hasflag "v" "y"'), true);
  assert.equal(await t('addflag "v" "x y";', 'hasflag "y"'), false);
  assert.equal(await t('addflag "v" "x y";', 'hasflag :matches "v" "*"'), true);
});

test("variable names need variables and must be valid", () => {
  assert.match(
    checkSieve('require "imap4flags"; addflag "v" "x";')[0]?.message ?? "",
    /require "variables" missing/,
  );
  assert.match(checkSieve(`${R}addflag "1v" "x";`)[0]?.message ?? "", /invalid variable name/);
});

test("a named flag variable is a plain variable", async () => {
  const r = await run(`${R}setflag "f" "a"; addflag "f" "b"; fileinto "\${f}";`);
  assert.equal(r.actions[0]?.type === "fileinto" && r.actions[0].mailbox, "a b");
});

test("hasflag's keys are flag lists: space-separated flags (RFC 5232 4; Pigeonhole hasflag.svtest)", async () => {
  const t = async (pre: string, cond: string) =>
    (await actionsOf(`${R}${pre} if ${cond} { discard; }`))[0] === "discard";
  assert.equal(await t('setflag "A B";', 'hasflag :is "b A"'), true);
  assert.equal(await t('setflag "MyVar" "label forward";', 'hasflag :contains "MyVar" "junk forward"'), true);
  assert.equal(await t('setflag "A B";', 'hasflag :is "c d"'), false);
});
