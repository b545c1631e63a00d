import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryCounters } from "../store/counters.js";
import { ipKey, LoginThrottle, type ThrottleOptions } from "./throttle.js";

const opts: ThrottleOptions = {
  windowMs: 60_000,
  freeFailures: 3,
  maxFailures: 6,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  parallelPerIp: 64,
};

function setup(o: Partial<ThrottleOptions> = {}) {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const counters = new MemoryCounters(clock.now);
  return { clock, counters, throttle: new LoginThrottle(counters, { ...opts, ...o }, { now: clock.now }) };
}

async function fail(th: LoginThrottle, ip: string, user: string) {
  const g = await th.begin(ip, user);
  assert.ok(g.allowed, "expected the attempt to be allowed");
  await th.recordFailure(ip, user);
  g.release();
  return g.delayMs;
}

describe("LoginThrottle", () => {
  test("free failures, then doubling delays, then refusal until the window ends", async () => {
    const { throttle, clock } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push(await fail(throttle, "192.0.2.1", "alice@example.org"));
    assert.deepEqual(delays, [0, 0, 0, 500, 1000, 2000]);
    const refused = await throttle.begin("192.0.2.1", "alice@example.org");
    assert.deepEqual(refused, { allowed: false, retryAfterMs: 60_000 });
    clock.advance(45_000);
    const still = await throttle.begin("192.0.2.1", "alice@example.org");
    assert.deepEqual(still, { allowed: false, retryAfterMs: 15_000 });
    clock.advance(15_000);
    const after = await throttle.begin("192.0.2.1", "alice@example.org");
    assert.ok(after.allowed);
    assert.equal(after.delayMs, 0);
  });

  test("delay is capped", () => {
    const { throttle } = setup({ maxFailures: 100 });
    assert.equal(throttle.delayFor(2), 0);
    assert.equal(throttle.delayFor(3), 500);
    assert.equal(throttle.delayFor(7), 8000);
    assert.equal(throttle.delayFor(8), 10_000);
    assert.equal(throttle.delayFor(99), 10_000);
  });

  test("counts per IP: spraying many accounts from one address is refused", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 6; i++) await fail(throttle, "198.51.100.7", `user${i}@example.org`);
    const g = await throttle.begin("198.51.100.7", "fresh@example.org");
    assert.equal(g.allowed, false);
    const other = await throttle.begin("198.51.100.8", "fresh@example.org");
    assert.ok(other.allowed);
    assert.equal(other.delayMs, 0);
  });

  test("counts per account across IPs, case-insensitively", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 6; i++)
      await fail(throttle, `203.0.113.${i}`, i % 2 ? "Bob@Example.org" : "bob@example.org");
    assert.equal((await throttle.begin("203.0.113.99", "bob@example.org")).allowed, false);
  });

  test("success resets the account's counter, not the IP's", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 5; i++) await fail(throttle, "192.0.2.9", "carol@example.org");
    await throttle.recordSuccess("carol@example.org");
    // The IP still carries 5 failures: the next attempt from it is delayed (500 * 2^2).
    const g = await throttle.begin("192.0.2.9", "carol@example.org");
    assert.ok(g.allowed);
    assert.equal(g.delayMs, 2000);
    g.release();
    const fromElsewhere = await throttle.begin("192.0.2.10", "carol@example.org");
    assert.ok(fromElsewhere.allowed);
    assert.equal(fromElsewhere.delayMs, 0);
  });

  test("attempts in flight count toward refusal, so parallel guesses cannot all slip through", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 4; i++) await fail(throttle, "192.0.2.20", "dave@example.org");
    const a = await throttle.begin("192.0.2.20", "dave@example.org");
    const b = await throttle.begin("192.0.2.20", "dave@example.org");
    const c = await throttle.begin("192.0.2.20", "dave@example.org");
    assert.ok(a.allowed && b.allowed);
    assert.equal(c.allowed, false);
    a.release();
    b.release();
    b.release(); // twice is harmless
    const d = await throttle.begin("192.0.2.20", "dave@example.org");
    assert.ok(d.allowed);
    d.release();
  });

  test("a burst of logins from one IP with no failure counted is not refused (users behind a NAT)", async () => {
    const { throttle } = setup();
    const gates = [];
    for (let i = 0; i < 20; i++) gates.push(await throttle.begin("192.0.2.40", `user${i}@example.org`));
    assert.ok(gates.every((g) => g.allowed));
    for (const g of gates) if (g.allowed) g.release();
  });

  test("an account with no failure counted has at most maxFailures attempts in flight; an IP parallelPerIp", async () => {
    const { throttle } = setup({ parallelPerIp: 8 });
    const oneAccount = [];
    for (let i = 0; i < 10; i++) oneAccount.push(await throttle.begin(`192.0.2.${100 + i}`, "id:7"));
    assert.equal(oneAccount.filter((g) => g.allowed).length, opts.maxFailures);
    const oneIp = [];
    for (let i = 0; i < 10; i++) oneIp.push(await throttle.begin("192.0.2.50", `id:${100 + i}`));
    assert.equal(oneIp.filter((g) => g.allowed).length, 8);
    for (const g of [...oneAccount, ...oneIp]) if (g.allowed) g.release();
    assert.ok((await throttle.begin("192.0.2.50", "id:7")).allowed, "released slots are free again");
  });

  test("in-flight attempts do not add delay (a client opening several connections)", async () => {
    const { throttle } = setup();
    const gates = [];
    for (let i = 0; i < 5; i++) gates.push(await throttle.begin("192.0.2.30", "erin@example.org"));
    for (const g of gates) {
      assert.ok(g.allowed);
      assert.equal(g.delayMs, 0);
      g.release();
    }
  });

  test("IPv6 clients are counted per /64; IPv4-mapped addresses as IPv4", () => {
    assert.equal(ipKey("2001:db8:1:2:aaaa::1"), ipKey("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    assert.equal(ipKey("2001:db8:1:2::1"), "login-fail:ip:2001:db8:1:2/64");
    assert.equal(ipKey("2001:DB8:0001:0002::"), "login-fail:ip:2001:db8:1:2/64");
    assert.equal(ipKey("::1"), "login-fail:ip:0:0:0:0/64");
    assert.equal(ipKey("fe80::1%eth0"), "login-fail:ip:fe80:0:0:0/64");
    assert.notEqual(ipKey("2001:db8:1:2::1"), ipKey("2001:db8:1:3::1"));
    assert.equal(ipKey("::ffff:192.0.2.1"), ipKey("192.0.2.1"));
    assert.equal(ipKey("192.0.2.1"), "login-fail:ip:192.0.2.1");
  });
});
