import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite/index.js";
import { createSessionStore, type SessionOptions } from "./session.js";

const stores: { store: SqliteStore; dir: string }[] = [];
after(async () => {
  for (const s of stores) {
    await s.store.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

async function setup(o: Partial<SessionOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "yubin-sessions-"));
  const store = await openSqliteStore({ dataDir: dir, notifier: new LocalNotifier() });
  stores.push({ store, dir });
  await store.directory.addDomain("example.test");
  const alice = await store.directory.createAccount({ address: "alice@example.test", passwordHash: "h1" });
  const bob = await store.directory.createAccount({ address: "bob@example.test", passwordHash: "h2" });
  const make = () =>
    createSessionStore(store.webSessions, {
      idleMs: 1000,
      maxAgeMs: 10_000,
      maxSessions: 10,
      maxPerAccount: 10,
      ...o,
    });
  return { alice, bob, s: make(), make };
}

describe("session store", () => {
  test("a token finds its session, also through another SessionStore on the same store (a restart)", async () => {
    const { s, make, alice } = await setup();
    const { token, session } = await s.create(alice, "127.0.0.1");
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(session.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(session.csrfToken, token);
    const again = await make().get(token);
    assert.equal(again?.accountId, alice.id);
    assert.equal(again?.csrfToken, session.csrfToken, "the form token is derived, the same after a restart");
    const other = token.endsWith("A") ? "B" : "A"; // a token that differs in its last character
    assert.equal(await s.get(`${token.slice(0, -1)}${other}`), null);
    assert.equal(await s.get("x".repeat(200)), null);
    await s.destroy(token);
    assert.equal(await s.get(token), null);
  });

  test("expires after idle time, and after the maximum age even when used", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const t0 = now;
    const { make, alice, bob } = await setup({ idleMs: 100, maxAgeMs: 250, now: () => now });
    const s = make();
    const a = (await s.create(alice, "ip")).token;
    now = t0 + 90;
    assert.ok(await s.get(a));
    now = t0 + 180; // 90 ms since last use: still alive
    assert.ok(await s.get(a));
    now = t0 + 251; // used 71 ms ago, but 251 ms old
    assert.equal(await s.get(a), null);
    const b = (await s.create(bob, "ip")).token;
    now = t0 + 352;
    assert.equal(await s.get(b), null);
  });

  test("beyond maxSessions the least recently used is dropped; destroyAccount ends all of one account but one", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const { make, alice, bob } = await setup({
      idleMs: 1e6,
      maxAgeMs: 1e6,
      maxSessions: 2,
      now: () => (now += 1),
    });
    const s = make();
    const a1 = (await s.create(alice, "ip")).token;
    const b1 = (await s.create(bob, "ip")).token;
    now += 300_000; // later than touchEvery: a use is recorded
    assert.ok(await s.get(a1)); // a1 is now the most recently used
    const a2 = (await s.create(alice, "ip")).token; // drops b1
    assert.equal(await s.get(b1), null);
    assert.equal(await s.size(), 2);
    assert.equal(await s.destroyAccount(alice.id, { except: a2 }), 1);
    assert.equal(await s.get(a1), null);
    assert.ok(await s.get(a2));
  });
});
