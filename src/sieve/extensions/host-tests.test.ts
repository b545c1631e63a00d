// The tests answered by the host: duplicate (RFC 7352), spamtest/virustest (RFC 5235),
// environment (RFC 5183).
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "../index.js";
import { actionsOf } from "../test-kit.js";
import { duplicateKey } from "./duplicate-key.js";

const MSG = "Message-ID: <abc@example.org>\r\nX-Id: 42\r\nSubject: x\r\n\r\nbody\r\n";

test("RFC 7352: duplicate asks the host with the Message-ID, :header, :uniqueid, :handle, :seconds, :last", async () => {
  const calls: [string, number, boolean][] = [];
  const seen = new Set<string>();
  const host = {
    duplicate: async (key: string, seconds: number, last: boolean) => {
      calls.push([key, seconds, last]);
      const was = seen.has(key);
      seen.add(key);
      return was;
    },
  };
  const script = `require ["duplicate", "fileinto"];
    if duplicate { fileinto "dup"; }
    if duplicate :header "x-id" :seconds 60 :last { fileinto "dup-x"; }
    if duplicate :uniqueid "u1" :handle "h" { fileinto "dup-u"; }`;
  assert.deepEqual(await actionsOf(script, { raw: MSG, host }), ["keep"]);
  assert.deepEqual(await actionsOf(script, { raw: MSG, host }), [
    "fileinto:dup",
    "fileinto:dup-x",
    "fileinto:dup-u",
  ]);
  assert.deepEqual(calls[0], [duplicateKey(null, "<abc@example.org>"), 7 * 86400, false]);
  assert.deepEqual(calls[1], [duplicateKey(null, "42"), 60, true]);
  assert.deepEqual(calls[2], [duplicateKey("h", "u1"), 7 * 86400, false]);
});

test("RFC 7352 3.1: within one run, the same id and handle give the same answer (the first test's record does not count)", async () => {
  const seen = new Set<string>();
  let asked = 0;
  const host = {
    duplicate: async (key: string) => {
      asked++;
      const was = seen.has(key);
      seen.add(key);
      return was;
    },
  };
  const script = `require ["duplicate", "fileinto"];
    if duplicate { fileinto "a"; }
    if duplicate :header "message-id" { fileinto "b"; }
    if duplicate :handle "other" { fileinto "c"; }`;
  assert.deepEqual(await actionsOf(script, { raw: MSG, host }), ["keep"]);
  assert.equal(asked, 2);
  assert.deepEqual(await actionsOf(script, { raw: MSG, host }), ["fileinto:a", "fileinto:b", "fileinto:c"]);
});

test("duplicate: no Message-ID is never a duplicate; :seconds above the maximum is cut", async () => {
  let asked = 0;
  let secs = 0;
  const host = {
    duplicate: async (_k: string, s: number) => {
      asked++;
      secs = s;
      return true;
    },
  };
  assert.deepEqual(
    await actionsOf('require ["duplicate", "fileinto"]; if duplicate { fileinto "dup"; }', {
      raw: "Subject: x\r\n\r\nb\r\n",
      host,
    }),
    ["keep"],
  );
  assert.equal(asked, 0);
  await actionsOf('require "duplicate"; if duplicate :seconds 999999999 { stop; }', {
    raw: MSG,
    host,
    limits: { duplicateMaxSeconds: 86400 },
  });
  assert.equal(secs, 86400);
  assert.equal(
    checkSieve('require "duplicate";\nif duplicate :header "x" :uniqueid "y" { stop; }').length,
    1,
  );
});

test("RFC 5235: spamtest 0..10 (10 at the junk threshold), :percent with spamtestplus, virustest", async () => {
  const script = `require ["spamtestplus", "virustest", "relational", "comparator-i;ascii-numeric", "fileinto"];
    if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "untested"; }
    elsif spamtest :value "ge" :comparator "i;ascii-numeric" "10" { fileinto "spam"; }
    if spamtest :percent :value "ge" :comparator "i;ascii-numeric" "75" { fileinto "very"; }
    if virustest :value "ge" :comparator "i;ascii-numeric" "4" { fileinto "virus"; }`;
  assert.deepEqual(await actionsOf(script), ["fileinto:untested"]);
  assert.deepEqual(await actionsOf(script, { host: { spam: { score: 2, threshold: 5 }, virus: 1 } }), [
    "keep",
  ]);
  assert.deepEqual(await actionsOf(script, { host: { spam: { score: 5, threshold: 5 }, virus: 5 } }), [
    "fileinto:spam",
    "fileinto:very",
    "fileinto:virus",
  ]);
  assert.deepEqual(await actionsOf(script, { host: { spam: { score: 4, threshold: 5 } } }), [
    "fileinto:very",
  ]);
  assert.deepEqual(await actionsOf(script, { host: { spam: { score: 8, threshold: 5 } } }), [
    "fileinto:spam",
    "fileinto:very",
  ]);
  assert.equal(checkSieve('require "spamtest";\nif spamtest :percent "50" { stop; }').length, 1);
  assert.equal(checkSieve('if spamtest "5" { stop; }').length, 1);
});

test("RFC 5235 3.1: :count is 1 when a test was done, 0 when not", async () => {
  const script = `require ["spamtestplus", "virustest", "relational", "comparator-i;ascii-numeric", "fileinto"];
    if spamtest :count "eq" :comparator "i;ascii-numeric" "0" { fileinto "spam-untested"; }
    if spamtest :percent :count "eq" :comparator "i;ascii-numeric" "1" { fileinto "spam-tested"; }
    if virustest :count "eq" :comparator "i;ascii-numeric" "0" { fileinto "virus-untested"; }`;
  assert.deepEqual(await actionsOf(script), ["fileinto:spam-untested", "fileinto:virus-untested"]);
  assert.deepEqual(await actionsOf(script, { host: { spam: { score: 0, threshold: 5 }, virus: 1 } }), [
    "fileinto:spam-tested",
  ]);
});

test("RFC 5183: environment items from the host, standard fallbacks, unknown is false", async () => {
  const script = `require ["environment", "fileinto"];
    if environment :is "domain" "example.com" { fileinto "domain"; }
    if environment :is "name" "Yubin" { fileinto "name"; }
    if environment :matches "location" "*" { fileinto "location"; }
    if environment :matches "no-such-item" "*" { fileinto "unknown"; }`;
  assert.deepEqual(await actionsOf(script, { host: { environment: { domain: "example.com" } } }), [
    "fileinto:domain",
    "fileinto:name",
    "fileinto:location",
  ]);
  const counts = `require ["environment", "relational", "comparator-i;ascii-numeric", "fileinto"];
    if environment :count "eq" :comparator "i;ascii-numeric" "remote-host" "0" { fileinto "empty"; }
    if environment :count "eq" :comparator "i;ascii-numeric" "domain" "1" { fileinto "one"; }
    if environment :count "eq" :comparator "i;ascii-numeric" "no-such-item" "0" { fileinto "unknown"; }`;
  assert.deepEqual(
    await actionsOf(counts, { host: { environment: { domain: "example.com", "remote-host": "" } } }),
    ["fileinto:empty", "fileinto:one"],
  );
});
