import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeDirectory } from "../../delivery/fake-directory.js";
import { TokenStore } from "./tokens.js";

async function setup(o: { ttlMs?: number; idleMs?: number; maxTokens?: number } = {}) {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const directory = new FakeDirectory();
  await directory.addDomain("example.org");
  const alice = await directory.createAccount({ address: "alice@example.org", passwordHash: "hash-1" });
  const tokens = new TokenStore({
    ttlMs: o.ttlMs ?? 86_400_000,
    idleMs: o.idleMs ?? 7_200_000,
    maxTokens: o.maxTokens ?? 1000,
    now: clock.now,
  });
  return { clock, directory, alice, tokens };
}

describe("TokenStore", () => {
  test("a token acts for its account until its password changes or it is disabled", async () => {
    const { tokens, directory, alice } = await setup();
    const a = tokens.issue(alice);
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await tokens.account(a, directory))?.id, alice.id);
    assert.equal(await tokens.account("x".repeat(43), directory), null);
    assert.equal(await tokens.account("x".repeat(10_000), directory), null);
    await directory.updateAccount(alice.id, { passwordHash: "hash-2" });
    assert.equal(await tokens.account(a, directory), null);
    assert.equal(tokens.verify(a), null, "revoked, not only refused");
    const b = tokens.issue((await directory.getAccount(alice.id))!);
    await directory.updateAccount(alice.id, { disabled: true });
    assert.equal(await tokens.account(b, directory), null);
  });

  test("idle timeout, lifetime, and a use restarts the idle clock", async () => {
    const { tokens, clock, alice } = await setup({ ttlMs: 10_000, idleMs: 3_000 });
    const a = tokens.issue(alice);
    const b = tokens.issue(alice);
    for (let i = 0; i < 4; i++) {
      clock.advance(2_000); // a is used every 2 s
      assert.ok(tokens.verify(a), `use ${i}`);
    }
    assert.equal(tokens.verify(b), null, "b was idle 8 s");
    clock.advance(2_000); // 10 s after login, used 2 s ago
    assert.equal(tokens.verify(a), null);
  });

  test("expired tokens are swept as new ones are issued; the count never passes maxTokens", async () => {
    const { tokens, clock, alice } = await setup({ idleMs: 60_000, maxTokens: 50 });
    for (let i = 0; i < 40; i++) tokens.issue(alice);
    assert.equal(tokens.size(), 40);
    clock.advance(60_000);
    tokens.issue(alice);
    assert.equal(tokens.size(), 1, "the 40 idle ones were swept");
    const first = tokens.issue(alice);
    for (let i = 0; i < 200; i++) tokens.issue(alice);
    assert.equal(tokens.size(), 50);
    assert.equal(tokens.verify(first), null, "the least recently used went first");
    assert.equal(tokens.revokeAccount(alice.id), 50);
    assert.equal(tokens.size(), 0);
  });
});
