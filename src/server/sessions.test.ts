// ConnectionLimiter's pools (issue 18): per IP before login, per (account, IP) after it, a total
// over both. The listener tests (connection-limits*.test.ts) drive the same code over sockets.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConnectionLimiter, type ConnectionSlot } from "./sessions.js";

function admitAll(l: ConnectionLimiter, ip: string, n: number): ConnectionSlot[] {
  const out: ConnectionSlot[] = [];
  for (let i = 0; i < n; i++) {
    const s = l.admit(ip);
    assert.ok(s, `connection ${i + 1} from ${ip} admitted`);
    out.push(s);
  }
  return out;
}

describe("ConnectionLimiter", () => {
  test("a login frees its IP's pre-login slot and takes one of its account's", () => {
    const l = new ConnectionLimiter({ maxTotal: 100, maxPerIp: 2, maxPerUserIp: 3 });
    const [a, b] = admitAll(l, "10.0.0.1", 2);
    assert.equal(l.admit("10.0.0.1"), null);
    assert.equal(a!.login("1"), true);
    assert.equal(l.preLogin("10.0.0.1"), 1);
    // The freed pre-login slot serves the next client of that address.
    const c = l.admit("10.0.0.1");
    assert.ok(c);
    assert.equal(l.admit("10.0.0.1"), null);
    assert.equal(b!.login("1"), true);
    assert.equal(c.login("1"), true);
    assert.equal(l.active, 3);
    assert.equal(l.preLogin("10.0.0.1"), 0);
  });

  test("the per-(account, IP) cap refuses a login and leaves the connection before login", () => {
    const l = new ConnectionLimiter({ maxTotal: 100, maxPerIp: 10, maxPerUserIp: 2 });
    const slots = admitAll(l, "10.0.0.1", 4);
    assert.equal(slots[0]!.login("1"), true);
    assert.equal(slots[1]!.login("1"), true);
    assert.equal(slots[2]!.login("1"), false);
    assert.equal(l.preLogin("10.0.0.1"), 2);
    // Another account from the same address, and the same account from another address, log in.
    assert.equal(slots[3]!.login("2"), true);
    const elsewhere = l.admit("10.0.0.2");
    assert.equal(elsewhere?.login("1"), true);
    // A logged-in connection that ends makes room for the refused one.
    slots[0]!.release();
    assert.equal(slots[2]!.login("1"), true);
    assert.equal(l.preLogin("10.0.0.1"), 0);
  });

  test("release gives back the right pool, once", () => {
    const l = new ConnectionLimiter({ maxTotal: 3, maxPerIp: 3, maxPerUserIp: 3 });
    const [a, b, c] = admitAll(l, "10.0.0.1", 3);
    assert.equal(l.admit("10.0.0.9"), null); // the total holds whatever the pool
    a!.login("1");
    a!.release();
    a!.release();
    b!.release();
    assert.equal(l.active, 1);
    assert.equal(l.preLogin("10.0.0.1"), 1);
    c!.login("1");
    c!.release();
    assert.equal(l.active, 0);
    assert.equal(l.preLogin("10.0.0.1"), 0);
    // Nothing left behind: the full caps are available again.
    const again = admitAll(l, "10.0.0.1", 3);
    for (const s of again) assert.equal(s.login("1"), true);
  });

  test("an exempt address is capped by the total only", () => {
    const l = new ConnectionLimiter({
      maxTotal: 5,
      maxPerIp: 1,
      maxPerUserIp: 1,
      exempt: ["::ffff:10.0.0.7"],
    });
    const slots = admitAll(l, "10.0.0.7", 5);
    for (const s of slots) assert.equal(s.login("1"), true);
    assert.equal(l.admit("10.0.0.7"), null);
  });
});
