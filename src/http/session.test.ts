import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMemorySessionStore } from "./session.js";

describe("memory session store", () => {
  const alice = { id: 1, address: "alice@example.test", passwordHash: "h1" };
  const bob = { id: 2, address: "bob@example.test", passwordHash: "h2" };

  test("a token finds its session; another token or a destroyed one does not", () => {
    const s = createMemorySessionStore({ idleMs: 1000, maxAgeMs: 10_000, maxSessions: 10 });
    const { token, session } = s.create(alice, "127.0.0.1");
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(session.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(session.csrfToken, token);
    assert.equal(s.get(token)?.address, "alice@example.test");
    const other = token.endsWith("A") ? "B" : "A"; // a token that differs in its last character
    assert.equal(s.get(`${token.slice(0, -1)}${other}`), null);
    assert.equal(s.get("x".repeat(200)), null);
    s.destroy(token);
    assert.equal(s.get(token), null);
  });

  test("expires after idle time, and after the maximum age even when used", () => {
    let now = 0;
    const s = createMemorySessionStore({ idleMs: 100, maxAgeMs: 250, maxSessions: 10, now: () => now });
    const a = s.create(alice, "ip").token;
    now = 90;
    assert.ok(s.get(a));
    now = 180; // 90 ms since last use: still alive
    assert.ok(s.get(a));
    now = 251; // used 71 ms ago, but 251 ms old
    assert.equal(s.get(a), null);
    const b = s.create(bob, "ip").token;
    now = 352;
    assert.equal(s.get(b), null);
  });

  test("beyond maxSessions the least recently used is dropped; destroyAccount ends all of one account", () => {
    const s = createMemorySessionStore({ idleMs: 1e6, maxAgeMs: 1e6, maxSessions: 2 });
    const a1 = s.create(alice, "ip").token;
    const b1 = s.create(bob, "ip").token;
    assert.ok(s.get(a1)); // a1 is now the most recently used
    const a2 = s.create(alice, "ip").token; // drops b1
    assert.equal(s.get(b1), null);
    assert.equal(s.size(), 2);
    assert.equal(s.destroyAccount(alice.id), 2);
    assert.equal(s.get(a1), null);
    assert.equal(s.get(a2), null);
  });
});
