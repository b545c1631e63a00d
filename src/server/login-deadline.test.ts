// LoginDeadline: the wait before login is the idle time or what is left to the deadline, and a
// read that timed out at the deadline counts as the deadline (its timer may fire a millisecond
// before Date.now() gets there).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LoginDeadline } from "./login-deadline.js";

describe("LoginDeadline", () => {
  test("far away: the idle time bounds the wait, a timeout is idleness", () => {
    const d = new LoginDeadline(600);
    assert.equal(d.waitMs(1000), 1000);
    assert.equal(d.passed(), false);
    assert.equal(d.passed(true), false);
  });

  test("nearer than the idle time: it bounds the wait, and a timeout then is the deadline", () => {
    const d = new LoginDeadline(30);
    const w = d.waitMs(60_000);
    assert.ok(w > 0 && w <= 30_000, String(w));
    assert.equal(d.passed(), false);
    assert.equal(d.passed(true), true);
    d.restart();
    assert.equal(d.waitMs(1000), 1000);
    assert.equal(d.passed(true), false);
  });

  test("passed: no wait at all", () => {
    const d = new LoginDeadline(0);
    assert.equal(d.passed(), true);
    assert.equal(d.waitMs(1000), 0);
  });
});
