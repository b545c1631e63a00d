// envelope (RFC 5228 5.4), subaddress (RFC 5233), relational (RFC 5231), i;ascii-numeric (RFC
// 4790 9.1), encoded-character (RFC 5228 2.4.2.4).
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${...}" here is Sieve syntax (RFC 5229), not a mistaken template.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "../index.js";
import { actionsOf } from "../test-kit.js";

const t = async (req: string, cond: string, o: Parameters<typeof actionsOf>[1] = {}) =>
  (await actionsOf(`require ${req}; if ${cond} { discard; }`, o))[0] === "discard";

test("an envelope address that is not valid matches nothing (RFC 5228 2.7.4; Pigeonhole envelope.svtest)", async () => {
  const e = (to: string) => ({ envelope: { from: "a@example.org", to } });
  assert.equal(
    await t('"envelope"', 'envelope :domain :contains "to" "example"', e("stephan@@example.org")),
    false,
  );
  assert.equal(
    await t('"envelope"', 'envelope :domain :contains "to" ""', e("x.org:stephan@example.org")),
    false,
  );
  assert.equal(await t('"envelope"', 'envelope :is "to" "MAILER-DAEMON"', e("MAILER-DAEMON@")), false);
  assert.equal(await t('"envelope"', 'envelope :is "to" "MAILER-DAEMON"', e("MAILER-DAEMON")), true);
  assert.equal(
    await t('"envelope"', 'envelope :localpart :is "to" "..jp..x"', e("..jp..x@example.com")),
    true,
  );
  assert.equal(await t('"envelope"', 'envelope :domain :is "to" "ex_ample.com"', e("jp@ex_ample.com")), true);
});

test("envelope from / to with address parts; the null sender is the empty string", async () => {
  const env = { from: "Sender@Example.org", to: "me+lists@example.com" };
  assert.equal(await t('"envelope"', 'envelope :is "from" "sender@example.org"', { envelope: env }), true);
  assert.equal(await t('"envelope"', 'envelope :domain :is "to" "example.com"', { envelope: env }), true);
  assert.equal(await t('"envelope"', 'envelope :localpart :is "to" "me+lists"', { envelope: env }), true);
  const nul = { from: "", to: "me@example.com" };
  assert.equal(await t('"envelope"', 'envelope :is "from" ""', { envelope: nul }), true);
  assert.equal(await t('"envelope"', 'envelope :domain :is "from" ""', { envelope: nul }), true);
  assert.match(
    checkSieve('require "envelope"; if envelope "frm" "x" { keep; }')[0]?.message ?? "",
    /unknown envelope part/,
  );
  assert.match(
    checkSieve('if envelope "from" "x" { keep; }')[0]?.message ?? "",
    /require "envelope" missing/,
  );
});

test("subaddress :user and :detail (RFC 5233 examples)", async () => {
  const env = { from: "a@b.example", to: "me+lists@example.com" };
  const R = '["envelope", "subaddress"]';
  assert.equal(await t(R, 'envelope :detail "to" "lists"', { envelope: env }), true);
  assert.equal(await t(R, 'envelope :user "to" "me"', { envelope: env }), true);
  assert.equal(await t(R, 'address :detail "to" "lists"'), true);
  // no separator: :detail matches nothing, not even "" or "*"
  assert.equal(await t(R, 'address :detail :matches "from" "*"'), false);
  assert.equal(await t(R, 'address :user "from" "alerts"'), true);
  const raw = "To: me+@example.com\r\n\r\n";
  assert.equal(await t(R, 'address :detail "to" ""', { raw }), true);
});

test("relational :count and :value with i;ascii-numeric (RFC 5231 examples)", async () => {
  const R = '["relational", "comparator-i;ascii-numeric"]';
  assert.equal(await t(R, 'header :value "gt" :comparator "i;ascii-numeric" "x-spam-score" "10"'), true);
  assert.equal(await t(R, 'header :value "lt" :comparator "i;ascii-numeric" "x-spam-score" "10"'), false);
  assert.equal(await t(R, 'header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "12"'), true);
  assert.equal(await t(R, 'header :count "eq" :comparator "i;ascii-numeric" "x-multi" "2"'), true);
  assert.equal(await t(R, 'address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] "3"'), true);
  assert.equal(await t(R, 'address :count "gt" :comparator "i;ascii-numeric" ["to", "cc"] "3"'), false);
  assert.equal(await t(R, 'header :value "gt" "subject" "b"'), true);
  assert.equal(await t(R, 'header :count "ne" :comparator "i;ascii-numeric" "x-none" "0"'), false);
  assert.match(
    checkSieve(`require ${R}; if header :value "gtx" "a" "b" { keep; }`)[0]?.message ?? "",
    /invalid relation "gtx"/,
  );
});

test("i;ascii-numeric: leading digits, non-digits are infinity, no :contains", async () => {
  const R = '"comparator-i;ascii-numeric"';
  const raw = "X-A: 007abc\r\nX-B: none\r\n\r\n";
  assert.equal(await t(R, 'header :comparator "i;ascii-numeric" "x-a" "7"', { raw }), true);
  assert.equal(await t(R, 'header :comparator "i;ascii-numeric" "x-b" "other"', { raw }), true);
  assert.equal(await t(R, 'header :comparator "i;ascii-numeric" "x-b" "7"', { raw }), false);
  assert.match(
    checkSieve(`require ${R}; if header :contains :comparator "i;ascii-numeric" "x" "1" { keep; }`)[0]
      ?.message ?? "",
    /does not allow :contains/,
  );
  assert.match(
    checkSieve('if header :comparator "i;ascii-numeric" "x" "1" { keep; }')[0]?.message ?? "",
    /require "comparator-i;ascii-numeric" missing/,
  );
});

test("encoded-character: hex and unicode sequences decoded, malformed left alone", async () => {
  const R = 'require ["encoded-character", "fileinto"];';
  assert.deepEqual(await actionsOf(`${R} fileinto "\${hex:46 69}n\${unicode:E9}";`), ["fileinto:Finé"]);
  assert.deepEqual(await actionsOf(`${R} fileinto "\${hex:xyz}";`), ["fileinto:${hex:xyz}"]);
  // RFC 5228 2.4.2.4: an encoding needs at least one hex-pair (Pigeonhole encoded-character.svtest).
  assert.deepEqual(await actionsOf(`${R} fileinto "a\${hex:}\${unicode: }b";`), [
    "fileinto:a${hex:}${unicode: }b",
  ]);
  assert.deepEqual(await actionsOf('require "fileinto"; fileinto "${hex:41}";'), ["fileinto:${hex:41}"]);
  assert.match(
    checkSieve(`${R} fileinto "\${unicode:D800}";`)[0]?.message ?? "",
    /invalid Unicode character/,
  );
});
