import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { vacationVerdict } from "./vacation-rules.js";

const OWN = ["bob@example.test", "Robert@Example.TEST"];
const msg = (extra = "", to = "To: Bob <bob@example.test>") =>
  Buffer.from(`From: Ann <ann@remote.example>\r\n${to}\r\nSubject: hi\r\n${extra}\r\nbody\r\n`);
const verdict = (header: Buffer, mailFrom = "ann@remote.example", own = OWN) =>
  vacationVerdict({ header, mailFrom, own });

describe("vacation rules (RFC 3834, RFC 5230 4.5)", () => {
  test("an ordinary message to the user is answered", () => {
    assert.deepEqual(verdict(msg()), { reply: true });
  });
  test("the user in Cc, case-insensitive, or a sub-address of theirs, is answered", () => {
    assert.deepEqual(verdict(msg("", "To: x@remote.example\r\nCc: ROBERT@example.test")), { reply: true });
    assert.deepEqual(verdict(msg("", "To: bob+travel@example.test")), { reply: true });
  });
  test("the null sender is never answered", () => {
    assert.deepEqual(verdict(msg(), ""), { reply: false, reason: "null-sender" });
  });
  for (const sender of [
    "MAILER-DAEMON@remote.example",
    "owner-list@remote.example",
    "list-request@remote.example",
  ]) {
    test(`system sender ${sender} is not answered`, () => {
      assert.deepEqual(verdict(msg(), sender), { reply: false, reason: "system-sender" });
    });
  }
  test("the user's own message is not answered", () => {
    assert.deepEqual(verdict(msg(), "robert@example.test"), { reply: false, reason: "own-message" });
  });
  test("Auto-Submitted other than no is not answered; no (with a comment) is", () => {
    assert.deepEqual(verdict(msg("Auto-Submitted: auto-replied\r\n")), {
      reply: false,
      reason: "auto-submitted",
    });
    assert.deepEqual(verdict(msg("Auto-Submitted: Auto-Generated; owner-email=x@y\r\n")), {
      reply: false,
      reason: "auto-submitted",
    });
    assert.deepEqual(verdict(msg("Auto-Submitted: No (a person wrote this)\r\n")), { reply: true });
  });
  test("List-Id or List-Unsubscribe: a mailing list, not answered", () => {
    assert.deepEqual(verdict(msg("List-Id: <l.remote.example>\r\n")), {
      reply: false,
      reason: "mailing-list",
    });
    assert.deepEqual(verdict(msg("List-Unsubscribe: <mailto:u@remote.example>\r\n")), {
      reply: false,
      reason: "mailing-list",
    });
  });
  for (const p of ["bulk", "List", "junk"]) {
    test(`Precedence: ${p} is not answered`, () => {
      assert.deepEqual(verdict(msg(`Precedence: ${p}\r\n`)), { reply: false, reason: "bulk" });
    });
  }
  for (const v of ["All", "OOF", "DR, OOF, RN"]) {
    test(`X-Auto-Response-Suppress: ${v} is not answered (Pigeonhole vacation/reply.svtest)`, () => {
      assert.deepEqual(verdict(msg(`X-Auto-Response-Suppress: ${v}\r\n`)), {
        reply: false,
        reason: "suppressed",
      });
    });
  }
  test("X-Auto-Response-Suppress: DR is answered (it suppresses delivery reports only)", () => {
    assert.deepEqual(verdict(msg("X-Auto-Response-Suppress: DR\r\n")), { reply: true });
  });
  test("Precedence: first-class is answered", () => {
    assert.deepEqual(verdict(msg("Precedence: first-class\r\n")), { reply: true });
  });
  test("the user not in To or Cc (Bcc, list, unknown alias) is not answered", () => {
    assert.deepEqual(verdict(msg("", "To: team@remote.example")), { reply: false, reason: "not-addressed" });
    assert.deepEqual(verdict(msg("", "Bcc: bob@example.test")), { reply: false, reason: "not-addressed" });
  });
});
