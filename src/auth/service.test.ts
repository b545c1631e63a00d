import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultsOf } from "../config/dsl.js";
import { authSection, type Config } from "../config/schema.js";
import { FakeDirectory } from "../delivery/fake-directory.js";
import { createLogger } from "../log/logger.js";
import { MemoryCounters } from "../store/counters.js";
import { cpuTimed } from "../testing/cpu-time.js";
import { newDeviceToken } from "./device.js";
import { hashPassword, needsRehash, verifyPassword } from "./password.js";
import { createAuthService } from "./service.js";
import type { LoginAttempt } from "./types.js";

const P = "correct horse battery staple";

async function setup(auth: Partial<Config["auth"]> = {}) {
  let t = 5_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const directory = new FakeDirectory();
  await directory.addDomain("example.org");
  const alice = await directory.createAccount({
    address: "alice@example.org",
    passwordHash: await hashPassword(P),
  });
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ format: "json", level: "debug", write: (l) => lines.push(JSON.parse(l)) });
  const slept: number[] = [];
  const service = createAuthService({
    directory,
    counters: new MemoryCounters(clock.now),
    config: { ...defaultsOf(authSection), ...auth },
    log,
    now: clock.now,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  const login = (over: Partial<LoginAttempt> = {}) =>
    service.authenticate({
      username: "alice@example.org",
      password: P,
      ip: "192.0.2.1",
      protocol: "imap",
      ...over,
    });
  return { clock, directory, alice, lines, slept, service, login };
}

describe("AuthService.authenticate", () => {
  test("accepts the right password and returns the account", async () => {
    const { login, alice } = await setup();
    const r = await login();
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.account.id, alice.id);
  });

  test("user names are case-insensitive", async () => {
    const { login } = await setup();
    assert.equal((await login({ username: "ALICE@Example.ORG" })).ok, true);
  });

  test("wrong password and unknown user give the same answer, and both cost a hash", async () => {
    const { login } = await setup();
    assert.deepEqual(await login({ password: "wrong password!" }), { ok: false, reason: "invalid" });
    await login({ username: "nobody@example.org" }); // first unknown login also builds the dummy hash
    const t0 = performance.now();
    const r = await login({ username: "nobody@example.org" });
    const elapsed = performance.now() - t0;
    assert.deepEqual(r, { ok: false, reason: "invalid" });
    // An argon2id verification with m=19 MiB takes well over 5 ms; a bare "not found" takes < 1 ms.
    assert.ok(elapsed > 5, `unknown user answered in ${elapsed.toFixed(2)} ms`);
    assert.deepEqual(await login({ username: "not an address" }), { ok: false, reason: "invalid" });
    assert.deepEqual(await login({ username: "x".repeat(5000) }), { ok: false, reason: "invalid" });
  });

  test("a disabled account answers a right password exactly like a wrong one, after a hash check", async () => {
    const { login, directory, alice, lines } = await setup({ throttleMaxFailures: 100 });
    assert.equal((await login()).ok, true); // now in the verified-login cache
    await directory.updateAccount(alice.id, { disabled: true });
    assert.deepEqual(await login({ password: "wrong password!" }), { ok: false, reason: "invalid" });
    const t0 = performance.now();
    assert.deepEqual(await login(), { ok: false, reason: "invalid" });
    const elapsed = performance.now() - t0;
    // Not served from the cache: an argon2id check (m=19 MiB) takes well over 5 ms.
    assert.ok(elapsed > 5, `disabled account answered in ${elapsed.toFixed(2)} ms`);
    assert.ok(
      lines.some((l) => l.msg === "login to a disabled account"),
      "the admin can still see why",
    );
  });

  test("every spelling of one account shares its failure counter", async () => {
    const { login, directory } = await setup({ throttleFreeFailures: 100, throttleMaxFailures: 4 });
    await directory.createAccount({ address: "t2@example.org", passwordHash: await hashPassword(P) });
    const spellings = ['"t2"@example.org', '"t\\2"@example.org', "T2@EXAMPLE.ORG", "t2@example.org"];
    // From one IP: each spelling would be a pair of its own if the names were not resolved.
    for (const [i, username] of spellings.entries())
      assert.deepEqual(await login({ username, password: `guess ${i}`, ip: "198.51.100.1" }), {
        ok: false,
        reason: "invalid",
      });
    const fifth = await login({ username: '"t\\2"@example.org', ip: "198.51.100.1" });
    assert.equal(fifth.ok === false && fifth.reason, "throttled");
    // The same holds for a name with no account (the address as delivery compares it).
    for (const [i, username] of [
      '"ghost"@example.org',
      "Ghost@example.org",
      '"g\\host"@example.org',
    ].entries())
      await login({ username, password: `x${i}`, ip: "203.0.113.1" });
    await login({ username: "ghost@EXAMPLE.org", password: "x", ip: "203.0.113.1" });
    const ghost = await login({ username: "ghost@example.org", ip: "203.0.113.1" });
    assert.equal(ghost.ok === false && ghost.reason, "throttled");
  });

  test("parallel guesses on one account count while in flight: at most maxFailures are checked", async () => {
    const { login, lines } = await setup({ throttleMaxFailures: 5 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login({ password: `parallel guess ${i}` })),
    );
    const checked = lines.filter((l) => l.msg === "login failed").length;
    const refused = results.filter((r) => !r.ok && r.reason === "throttled").length;
    assert.equal(checked, 5, "password checks run");
    assert.equal(refused, 15);
  });

  test("failures are logged with ip, user and protocol, never the password", async () => {
    const { login, lines } = await setup();
    await login({ password: "hunter2-secret-guess", protocol: "pop3", ip: "198.51.100.4" });
    const failure = lines.find((l) => l.msg === "login failed");
    assert.ok(failure);
    assert.equal(failure.ip, "198.51.100.4");
    assert.equal(failure.user, "alice@example.org");
    assert.equal(failure.protocol, "pop3");
    assert.ok(!JSON.stringify(lines).includes("hunter2-secret-guess"));
    await login();
    assert.ok(!JSON.stringify(lines).includes(P));
  });

  test("delays replies after the free failures, then refuses without checking", async () => {
    const { login, slept, clock } = await setup({
      throttleFreeFailures: 2,
      throttleMaxFailures: 4,
      throttleBaseDelayMs: 300,
      throttleWindowSec: 60,
    });
    for (let i = 0; i < 4; i++) assert.equal((await login({ password: `guess ${i}` })).ok, false);
    assert.deepEqual(slept, [300, 600]);
    // Throttled: even the right password is refused, with a hint of when to come back.
    assert.deepEqual(await login(), { ok: false, reason: "throttled", retryAfterMs: 60_000 });
    clock.advance(60_000);
    assert.equal((await login()).ok, true);
  });

  test("a success resets its pair's counter and makes the client known", async () => {
    const { login, slept } = await setup({ throttleFreeFailures: 2, throttleMaxFailures: 4 });
    await login({ password: "guess 1", ip: "192.0.2.50" });
    await login({ password: "guess 2", ip: "192.0.2.50" });
    assert.equal((await login({ ip: "192.0.2.50" })).ok, true);
    await login({ password: "guess 3", ip: "192.0.2.50" });
    await login({ password: "guess 4", ip: "192.0.2.50" });
    // The login itself waited (2 failures counted); after it, the count restarted from 0, so the
    // next two failures were answered at once (without the reset: 500 and 1000 ms more).
    assert.deepEqual(slept, [500]);
    // Known now: however many failures its pair gathers, the right password is never refused.
    for (let i = 0; i < 10; i++) await login({ password: `stale ${i}`, ip: "192.0.2.50" });
    assert.equal((await login({ ip: "192.0.2.50" })).ok, true);
    assert.ok(Math.max(...slept) <= 2000, `known client delayed ${Math.max(...slept)} ms`);
  });

  test("a web login's device token is registered at its success and known from any address", async () => {
    const { login } = await setup({ throttleFreeFailures: 2, throttleMaxFailures: 4 });
    const device = newDeviceToken();
    assert.equal((await login({ protocol: "http", ip: "192.0.2.60", device })).ok, true);
    for (let i = 0; i < 4; i++) await login({ password: `guess ${i}`, ip: "203.0.113.60" });
    const stranger = await login({ ip: "203.0.113.60" });
    assert.equal(stranger.ok === false && stranger.reason, "throttled");
    assert.equal((await login({ protocol: "http", ip: "203.0.113.60", device })).ok, true);
  });

  test("an imported hash is replaced by argon2id at the first successful login", async () => {
    const { login, directory, alice, lines } = await setup();
    // doveadm pw -s SHA512-CRYPT -p "correct horse battery staple"
    const imported =
      "{SHA512-CRYPT}$6$DUftWJRsq8UR7d94$vUwjLXmJglsVXJeCS.yBQPeq/PP283nD2dbWBA3NO38C4ZPxUaoui0TF1U8JE7sJJ2B.f9AadJwDV42FXEaZ31";
    await directory.updateAccount(alice.id, { passwordHash: imported });
    assert.equal((await login({ password: "wrong password!" })).ok, false);
    assert.equal((await directory.getAccount(alice.id))?.passwordHash, imported); // not on failure
    const r = await login();
    assert.equal(r.ok, true);
    const stored = (await directory.getAccount(alice.id))?.passwordHash ?? "";
    assert.match(stored, /^\$argon2id\$/);
    assert.equal(needsRehash(stored), false);
    assert.equal(await verifyPassword(P, stored), true);
    assert.equal(r.ok && r.account.passwordHash, stored);
    assert.ok(lines.some((l) => l.msg === "password hash upgraded to argon2id"));
  });

  test("a failing rehash does not fail the login", async () => {
    const { login, directory, alice } = await setup();
    await directory.updateAccount(alice.id, {
      passwordHash: "$5$Ri6.DrkN.fvlOGb1$gPXXHXFvA.QeTiQnvMemxGG7neXibLIlxH6RbnxcYD3",
    });
    directory.updateAccount = async () => {
      throw new Error("disk full");
    };
    assert.equal((await login()).ok, true);
  });
});

describe("POP-before-SMTP", () => {
  test("off by default: nothing is remembered", async () => {
    const { login, service } = await setup();
    await login({ protocol: "pop3" });
    await service.notePopImapLogin("192.0.2.1");
    assert.equal(await service.popBeforeSmtpAllowed("192.0.2.1"), false);
  });

  test("when on, a POP3/IMAP login opens the IP for the configured minutes", async () => {
    const { login, service, clock } = await setup({ popBeforeSmtp: true, popBeforeSmtpMinutes: 10 });
    await login({ protocol: "smtp", ip: "192.0.2.7" });
    assert.equal(await service.popBeforeSmtpAllowed("192.0.2.7"), false); // SMTP logins do not count
    await login({ protocol: "pop3", password: "wrong password!", ip: "192.0.2.7" });
    assert.equal(await service.popBeforeSmtpAllowed("192.0.2.7"), false); // failures do not count
    await login({ protocol: "pop3", ip: "192.0.2.7" });
    assert.equal(await service.popBeforeSmtpAllowed("192.0.2.7"), true);
    assert.equal(await service.popBeforeSmtpAllowed("::ffff:192.0.2.7"), true);
    assert.equal(await service.popBeforeSmtpAllowed("192.0.2.8"), false);
    clock.advance(10 * 60_000 - 1);
    assert.equal(await service.popBeforeSmtpAllowed("192.0.2.7"), true);
    clock.advance(1);
    assert.equal(await service.popBeforeSmtpAllowed("192.0.2.7"), false);
  });
});

describe("verified-login cache", () => {
  test("a repeated login skips the hash check; a changed password or a wrong one is never served from it", async () => {
    const { login, directory, alice, clock } = await setup();
    // CPU time, not wall clock: on a loaded machine the five cached logins can wait longer for a
    // core than the one argon2id check (m=19 MiB, counted though it runs in libuv's pool) costs.
    const first = (await cpuTimed(async () => assert.equal((await login()).ok, true))).cpuMs;
    const fiveCached = (
      await cpuTimed(async () => {
        for (let i = 0; i < 5; i++) assert.equal((await login()).ok, true);
      })
    ).cpuMs;
    assert.ok(fiveCached < first, `5 cached logins took ${fiveCached} ms of CPU, one verified ${first} ms`);
    assert.equal((await login({ password: "wrong password!" })).ok, false);
    await directory.updateAccount(alice.id, { passwordHash: await hashPassword("a new secret value") });
    assert.equal((await login()).ok, false, "old password must fail after a change");
    assert.equal((await login({ password: "a new secret value" })).ok, true);
    clock.advance(301_000);
    assert.equal((await login({ password: "a new secret value" })).ok, true, "expired entries re-verify");
  });

  test("verifiedLoginCacheSec = 0 turns it off", async () => {
    const { login } = await setup({ verifiedLoginCacheSec: 0 });
    assert.equal((await login()).ok, true);
    const t = performance.now();
    assert.equal((await login()).ok, true);
    assert.ok(performance.now() - t > 5, "the hash check ran");
  });
});
