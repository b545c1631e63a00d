import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryCounters } from "../store/counters.js";
import { newDeviceToken } from "./device.js";
import { clientKey, LoginThrottle, type ThrottleOptions, type ThrottleSubject } from "./throttle.js";

const opts: ThrottleOptions = {
  windowMs: 60_000,
  freeFailures: 3,
  maxFailures: 6,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  parallelPerIp: 64,
  maxAccountsPerIp: 4,
  ipDelayCapMs: 2000,
  knownClientMs: 30 * 86_400_000,
  knownMaxFailures: 30,
  accountAlarmFailures: 50,
};

function setup(o: Partial<ThrottleOptions> = {}) {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const counters = new MemoryCounters(clock.now);
  return { clock, counters, throttle: new LoginThrottle(counters, { ...opts, ...o }, { now: clock.now }) };
}

const at = (ip: string, account: string, device?: string): ThrottleSubject => ({ ip, account, device });

/** One failed attempt; returns the delay it was given. */
async function fail(th: LoginThrottle, s: ThrottleSubject) {
  const g = await th.begin(s);
  assert.ok(g.allowed, `expected ${s.ip} on ${s.account} to be allowed`);
  await th.recordFailure(s);
  g.release();
  return g.delayMs;
}

async function succeed(th: LoginThrottle, s: ThrottleSubject) {
  const g = await th.begin(s);
  assert.ok(g.allowed, `expected ${s.ip} on ${s.account} to be allowed`);
  await th.recordSuccess(s);
  g.release();
  return g;
}

async function gate(th: LoginThrottle, s: ThrottleSubject) {
  const g = await th.begin(s);
  if (g.allowed) g.release();
  return g;
}

describe("LoginThrottle", () => {
  test("an unknown pair: free failures, doubling delays, then refusal until its window ends", async () => {
    const { throttle, clock } = setup();
    const attacker = at("192.0.2.1", "id:1");
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push(await fail(throttle, attacker));
    assert.deepEqual(delays, [0, 0, 0, 500, 1000, 2000]);
    assert.deepEqual(await throttle.begin(attacker), { allowed: false, retryAfterMs: 60_000, scope: "pair" });
    clock.advance(45_000);
    assert.deepEqual(await throttle.begin(attacker), { allowed: false, retryAfterMs: 15_000, scope: "pair" });
    clock.advance(15_000);
    const after = await gate(throttle, attacker);
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

  test("only the guessing pair is refused: the account elsewhere and the IP's other users are not", async () => {
    const { throttle } = setup();
    for (let i = 0; i < 6; i++) await fail(throttle, at("192.0.2.1", "id:1"));
    // The victim, from a new address: no delay at all.
    const victim = await gate(throttle, at("198.51.100.9", "id:1"));
    assert.ok(victim.allowed);
    assert.equal(victim.delayMs, 0);
    // A stranger to the account behind the attacker's IP (a NAT): delayed at most ipDelayCapMs.
    const neighbour = await gate(throttle, at("192.0.2.1", "id:2"));
    assert.ok(neighbour.allowed);
    assert.equal(neighbour.delayMs, 2000);
  });

  test("a known pair is never refused for failures, and others' failures never delay it", async () => {
    const { throttle } = setup();
    const office = "192.0.2.20";
    await succeed(throttle, at(office, "id:1"));
    await succeed(throttle, at(office, "id:2"));
    // User 1's stale phone behind the office NAT keeps failing (a known pair: its own failures).
    for (let i = 0; i < 20; i++) {
      const d = await fail(throttle, at(office, "id:1"));
      assert.ok(d <= 2000, `known pair delayed ${d} ms`);
    }
    // User 2 at the office: not delayed by user 1's failures.
    const other = await gate(throttle, at(office, "id:2"));
    assert.ok(other.allowed);
    assert.equal(other.known, true);
    assert.equal(other.delayMs, 0);
    // User 1's desk: allowed, its own pair's delay capped.
    const desk = await gate(throttle, at(office, "id:1"));
    assert.ok(desk.allowed);
    assert.equal(desk.delayMs, 2000);
    // Its success clears the pair's failures.
    await succeed(throttle, at(office, "id:1"));
    const cleared = await gate(throttle, at(office, "id:1"));
    assert.ok(cleared.allowed);
    assert.equal(cleared.delayMs, 0);
  });

  test("a pair known by its IP is refused after knownMaxFailures (a guesser sharing the address); a known browser is not", async () => {
    const { throttle } = setup({ knownMaxFailures: 10 });
    const cgnat = "100.64.0.1";
    const device = newDeviceToken();
    await succeed(throttle, at(cgnat, "id:1", device));
    // The guesser behind the same carrier NAT; the owner's successes in between do not reset it.
    for (let i = 0; i < 9; i++) await fail(throttle, at(cgnat, "id:1"));
    await succeed(throttle, at(cgnat, "id:1"));
    await fail(throttle, at(cgnat, "id:1"));
    const refused = await gate(throttle, at(cgnat, "id:1"));
    assert.equal(refused.allowed, false);
    assert.equal(!refused.allowed && refused.scope, "pair");
    const [row] = (await throttle.list(10)).filter((r) => r.kind === "pair");
    assert.equal(row?.kind === "pair" && row.known, true);
    assert.equal(row?.state, "refused");
    assert.equal(row?.failures, 10);
    // The owner's browser, known by its token, is served; so is everyone else's pair there.
    const browser = await gate(throttle, at(cgnat, "id:1", device));
    assert.ok(browser.allowed && browser.known);
    assert.ok((await gate(throttle, at(cgnat, "id:2"))).allowed);
  });

  test("a known pair stays known for knownClientMs", async () => {
    const { throttle, clock } = setup({ knownClientMs: 1000_000 });
    await succeed(throttle, at("192.0.2.5", "id:1"));
    clock.advance(999_999);
    const g = await gate(throttle, at("192.0.2.5", "id:1"));
    assert.ok(g.allowed && g.known);
    clock.advance(1);
    const later = await gate(throttle, at("192.0.2.5", "id:1"));
    assert.ok(later.allowed && !later.known);
  });

  test("an IP failing on maxAccountsPerIp accounts is refused as an IP, except for its known pairs", async () => {
    const { throttle } = setup();
    const sprayer = "198.51.100.7";
    await succeed(throttle, at(sprayer, "id:99")); // someone behind it logged in before
    for (let i = 0; i < 4; i++) await fail(throttle, at(sprayer, `id:${i}`));
    const refused = await gate(throttle, at(sprayer, "id:50"));
    assert.equal(refused.allowed, false);
    assert.equal(!refused.allowed && refused.scope, "ip");
    assert.ok((await gate(throttle, at(sprayer, "id:99"))).allowed, "known pair still served");
    const elsewhere = await gate(throttle, at("198.51.100.8", "id:50"));
    assert.ok(elsewhere.allowed);
    assert.equal(elsewhere.delayMs, 0);
  });

  test("a device token registered at a success makes the browser known from any address", async () => {
    const { throttle } = setup();
    const device = newDeviceToken();
    await succeed(throttle, at("192.0.2.30", "id:1", device));
    // The attacker has spent the pair budget from the café's address, which the browser now uses.
    for (let i = 0; i < 6; i++) await fail(throttle, at("203.0.113.5", "id:1"));
    assert.equal((await gate(throttle, at("203.0.113.5", "id:1"))).allowed, false);
    const browser = await gate(throttle, at("203.0.113.5", "id:1", device));
    assert.ok(browser.allowed && browser.known);
    // The token is the account's only: another account's login with it is a stranger's.
    const other = await gate(throttle, at("203.0.113.5", "id:2", device));
    assert.ok(other.allowed && !other.known);
    // A made-up token is not known either.
    assert.equal((await gate(throttle, at("203.0.113.5", "id:1", newDeviceToken()))).allowed, false);
  });

  test("guessing one account from many addresses: its unknown clients are held tight, known ones are not", async () => {
    const { throttle } = setup({ accountAlarmFailures: 10 });
    await succeed(throttle, at("192.0.2.40", "id:1"));
    for (let i = 0; i < 10; i++) await fail(throttle, at(`203.0.113.${i}`, "id:1"));
    const bot = await gate(throttle, at("203.0.113.200", "id:1"));
    assert.ok(bot.allowed);
    assert.equal(bot.delayMs, 10_000);
    for (let i = 0; i < 3; i++) await fail(throttle, at("203.0.113.201", "id:1"));
    assert.equal(
      (await gate(throttle, at("203.0.113.201", "id:1"))).allowed,
      false,
      "refused after freeFailures",
    );
    const owner = await gate(throttle, at("192.0.2.40", "id:1"));
    assert.ok(owner.allowed);
    assert.equal(owner.delayMs, 0);
  });

  test("attempts in flight count toward a pair's refusal, so parallel guesses cannot all slip through", async () => {
    const { throttle } = setup();
    const s = at("192.0.2.20", "id:4");
    for (let i = 0; i < 4; i++) await fail(throttle, s);
    const a = await throttle.begin(s);
    const b = await throttle.begin(s);
    const c = await throttle.begin(s);
    assert.ok(a.allowed && b.allowed);
    assert.equal(c.allowed, false);
    // Refused for the attempts in flight, not the window: the hint is to come back in a second.
    assert.equal(!c.allowed && c.retryAfterMs, 1000);
    a.release();
    b.release();
    b.release(); // twice is harmless
    const d = await throttle.begin(s);
    assert.ok(d.allowed);
    d.release();
  });

  test("a burst from one IP is not refused up to parallelPerIp (users behind a NAT); more are", async () => {
    const { throttle } = setup({ parallelPerIp: 8 });
    const gates = [];
    for (let i = 0; i < 10; i++) gates.push(await throttle.begin(at("192.0.2.50", `id:${100 + i}`)));
    assert.equal(gates.filter((g) => g.allowed).length, 8);
    const refused = gates.find((g) => !g.allowed);
    assert.equal(refused && !refused.allowed && refused.scope, "ip");
    assert.equal(refused && !refused.allowed && refused.retryAfterMs, 1000);
    for (const g of gates) if (g.allowed) g.release();
    assert.ok((await gate(throttle, at("192.0.2.50", "id:7"))).allowed, "released slots are free again");
  });

  test("in-flight attempts do not add delay (a client opening several connections)", async () => {
    const { throttle } = setup();
    const gates = [];
    for (let i = 0; i < 5; i++) gates.push(await throttle.begin(at("192.0.2.30", "id:5")));
    for (const g of gates) {
      assert.ok(g.allowed);
      assert.equal(g.delayMs, 0);
      g.release();
    }
  });

  test("list shows pairs, IPs and accounts with counts, state and end; clear forgets one", async () => {
    const { throttle, clock } = setup();
    for (let i = 0; i < 6; i++) await fail(throttle, at("192.0.2.1", "id:1"));
    clock.advance(1000);
    await fail(throttle, at("192.0.2.1", "id:2"));
    const rows = await throttle.list(100);
    const pair = rows.find((r) => r.kind === "pair" && r.account === "id:1");
    assert.deepEqual(pair, {
      kind: "pair",
      id: "pair:192.0.2.1|id:1",
      ip: "192.0.2.1",
      account: "id:1",
      known: false,
      failures: 6,
      until: 1_060_000,
      state: "refused",
    });
    const ip = rows.find((r) => r.kind === "ip");
    assert.deepEqual(ip, {
      kind: "ip",
      id: "ip:192.0.2.1",
      ip: "192.0.2.1",
      failures: 7,
      accounts: 2,
      until: 1_060_000,
      state: "delayed",
    });
    assert.equal(rows.filter((r) => r.kind === "account").length, 2);
    assert.equal(await throttle.clear("pair:192.0.2.1|id:1"), true);
    const again = await gate(throttle, at("192.0.2.1", "id:1"));
    assert.ok(again.allowed);
    assert.equal(again.delayMs, 2000, "the IP's failures still count (capped)");
    assert.equal(await throttle.clear("ip:192.0.2.1"), true);
    const cleared = await gate(throttle, at("192.0.2.1", "id:1"));
    assert.ok(cleared.allowed);
    assert.equal(cleared.delayMs, 0);
    assert.deepEqual(
      (await throttle.list(100)).map((r) => r.kind),
      ["pair", "account", "account"],
    );
    assert.equal(await throttle.clear("nonsense"), false);
    assert.equal(await throttle.clear("pair:no-bar"), false);
  });

  test("IPv6 clients are counted per /64; IPv4-mapped addresses as IPv4", () => {
    assert.equal(clientKey("2001:db8:1:2:aaaa::1"), clientKey("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    assert.equal(clientKey("2001:db8:1:2::1"), "2001:db8:1:2/64");
    assert.equal(clientKey("2001:DB8:0001:0002::"), "2001:db8:1:2/64");
    assert.equal(clientKey("::1"), "0:0:0:0/64");
    assert.equal(clientKey("fe80::1%eth0"), "fe80:0:0:0/64");
    assert.notEqual(clientKey("2001:db8:1:2::1"), clientKey("2001:db8:1:3::1"));
    assert.equal(clientKey("::ffff:192.0.2.1"), clientKey("192.0.2.1"));
    assert.equal(clientKey("192.0.2.1"), "192.0.2.1");
  });
});
