import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { LocalNotifier } from "../../store/notifier.js";
import { openSqliteStore, type SqliteStore } from "../../store/sqlite/index.js";
import { TokenStore } from "./tokens.js";

const stores: { store: SqliteStore; dir: string }[] = [];
after(async () => {
  for (const s of stores) {
    await s.store.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

async function setup(
  o: { ttlMs?: number; idleMs?: number; maxTokens?: number; maxPerAccount?: number } = {},
) {
  let t = Date.parse("2030-01-01T00:00:00Z");
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const dir = mkdtempSync(join(tmpdir(), "yubin-tokens-"));
  const store = await openSqliteStore({ dataDir: dir, notifier: new LocalNotifier() });
  stores.push({ store, dir });
  const directory = store.directory;
  await directory.addDomain("example.org");
  const alice = await directory.createAccount({ address: "alice@example.org", passwordHash: "hash-1" });
  const make = () =>
    new TokenStore(store.webSessions, {
      ttlMs: o.ttlMs ?? 86_400_000,
      idleMs: o.idleMs ?? 7_200_000,
      maxTokens: o.maxTokens ?? 1000,
      maxPerAccount: o.maxPerAccount ?? 1000,
      now: clock.now,
    });
  return { clock, directory, alice, tokens: make(), make };
}

describe("TokenStore", () => {
  test("a token acts for its account until its password changes or it is disabled", async () => {
    const { tokens, directory, alice } = await setup();
    const a = await tokens.issue(alice, "192.0.2.1");
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await tokens.account(a, directory))?.id, alice.id);
    assert.equal(await tokens.account("x".repeat(43), directory), null);
    assert.equal(await tokens.account("x".repeat(10_000), directory), null);
    await directory.updateAccount(alice.id, { passwordHash: "hash-2" });
    assert.equal(await tokens.account(a, directory), null);
    assert.equal(await tokens.verify(a), null, "revoked, not only refused");
    const b = await tokens.issue((await directory.getAccount(alice.id))!);
    await directory.updateAccount(alice.id, { disabled: true });
    assert.equal(await tokens.account(b, directory), null);
  });

  test("a token outlives its TokenStore: another one on the same store (a restart) accepts it", async () => {
    const { tokens, make, directory, alice } = await setup();
    const a = await tokens.issue(alice);
    assert.equal((await make().account(a, directory))?.id, alice.id);
    await make().revoke(a);
    assert.equal(await tokens.verify(a), null);
  });

  test("idle timeout, lifetime, and a use restarts the idle clock", async () => {
    const { tokens, clock, alice } = await setup({ ttlMs: 10_000, idleMs: 3_000 });
    const a = await tokens.issue(alice);
    const b = await tokens.issue(alice);
    for (let i = 0; i < 4; i++) {
      clock.advance(2_000); // a is used every 2 s
      assert.ok(await tokens.verify(a), `use ${i}`);
    }
    assert.equal(await tokens.verify(b), null, "b was idle 8 s");
    clock.advance(2_000); // 10 s after login, used 2 s ago
    assert.equal(await tokens.verify(a), null);
  });

  test("expired tokens are swept as new ones are issued; the count never passes its bounds", async () => {
    const { tokens, clock, alice, directory } = await setup({
      idleMs: 60_000,
      maxTokens: 50,
      maxPerAccount: 30,
    });
    for (let i = 0; i < 25; i++) await tokens.issue(alice);
    assert.equal(await tokens.size(), 25);
    clock.advance(60_000);
    await tokens.issue(alice);
    assert.equal(await tokens.size(), 1, "the 25 idle ones were swept");
    const first = await tokens.issue(alice);
    for (let i = 0; i < 40; i++) {
      clock.advance(1); // distinct times: "least recently used" is well defined
      await tokens.issue(alice);
    }
    assert.equal(await tokens.size(), 30, "per account");
    assert.equal(await tokens.verify(first), null, "the least recently used went first");
    const bob = await directory.createAccount({ address: "bob@example.org", passwordHash: "h" });
    for (let i = 0; i < 30; i++) await tokens.issue(bob);
    assert.equal(await tokens.size(), 50, "in all");
    assert.equal(await tokens.revokeAccount(alice.id), 20);
    assert.equal(await tokens.size(), 30);
  });
});
