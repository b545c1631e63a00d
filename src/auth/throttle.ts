// Login throttling: failed logins are counted per client IP and per account name over a window
// (CounterStore, shared between nodes when it is Redis). With n failures already counted for
// the IP or the account (whichever is larger):
//   n <  freeFailures  -> answer at once
//   n >= freeFailures  -> delay the reply by baseDelayMs * 2^(n - freeFailures), at most maxDelayMs
//   n >= maxFailures   -> refuse as throttled without checking the password, until the window ends
// The delay is applied to every reply of a throttled client, success or failure, so that an
// attacker cannot cut the wait short and read the outcome from the timing.
// For the refusal, attempts still being checked (a slot is reserved before the slow hash check
// and released once the outcome is recorded) count as failures too, so N parallel guesses cost
// N (within one node): an account never has more than maxFailures guesses checked per window,
// however many connections ask at once. An IP with no failure counted may have up to
// parallelPerIp attempts in flight (users behind one NAT logging in at the same moment); once
// it has one failure, its pending attempts count against maxFailures like an account's. Pending
// attempts never add to the delay: a mail client opening five connections at once is not
// punished for it.
// The account name given to begin() must be canonical (service.ts keys on the resolved account),
// so that "t2", "T2", "\"t2\"" and "\"t\\2\"" share one counter.
// A success resets the account's counter but not the IP's (one IP may be a NAT of many users).
// IPv6 clients are counted per /64, the smallest block a customer usually gets.

import { isIPv6 } from "node:net";
import type { Config } from "../config/schema.js";
import type { CounterStore } from "../store/counters.js";

export interface ThrottleOptions {
  windowMs: number;
  freeFailures: number;
  maxFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Logins checked at once for an IP with no failure counted (a burst of honest clients). */
  parallelPerIp: number;
}

/** Hard ceiling for one delayed reply (the config's baseDelayMs doubles up to this). */
export const MAX_LOGIN_DELAY_MS = 10_000;

export function throttleOptionsFromConfig(auth: Config["auth"]): ThrottleOptions {
  return {
    windowMs: auth.throttleWindowSec * 1000,
    freeFailures: auth.throttleFreeFailures,
    maxFailures: auth.throttleMaxFailures,
    baseDelayMs: auth.throttleBaseDelayMs,
    maxDelayMs: MAX_LOGIN_DELAY_MS,
    parallelPerIp: auth.throttleParallelPerIp,
  };
}

export type ThrottleGate =
  | { allowed: false; retryAfterMs: number }
  | { allowed: true; delayMs: number; release: () => void };

// Longest account name used in a counter key: longer input is cut (bounded memory per key).
const MAX_NAME_IN_KEY = 320;
// Window starts remembered to tell a refused client how long to wait (a hint; bounded).
const MAX_REMEMBERED_WINDOWS = 10_000;

export class LoginThrottle {
  private readonly inFlight = new Map<string, number>();
  private readonly windowStart = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly counters: CounterStore,
    private readonly opts: ThrottleOptions,
    deps: { now?: () => number } = {},
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** Call before checking a password. If allowed, wait `delayMs` before replying, and call
   *  `release()` once the attempt has been recorded (recordFailure/recordSuccess). */
  async begin(ip: string, account: string): Promise<ThrottleGate> {
    const keys = this.keys(ip, account);
    const counted = await Promise.all(keys.map((k) => this.counters.get(k)));
    // From here to the reservation nothing awaits: two attempts cannot both take the last slot.
    let n = 0;
    let refusedKey: string | null = null;
    for (const [i, k] of keys.entries()) {
      const failures = counted[i] ?? 0;
      if (failures > n) n = failures;
      const pending = this.inFlight.get(k) ?? 0;
      const cleanIp = i === 0 && failures === 0;
      const limit = cleanIp
        ? Math.max(this.opts.maxFailures, this.opts.parallelPerIp)
        : this.opts.maxFailures;
      if (failures + pending >= limit && refusedKey === null) refusedKey = k;
    }
    if (refusedKey !== null) return { allowed: false, retryAfterMs: this.retryAfter(refusedKey) };

    for (const k of keys) this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const k of keys) {
        const v = (this.inFlight.get(k) ?? 1) - 1;
        if (v <= 0) this.inFlight.delete(k);
        else this.inFlight.set(k, v);
      }
    };
    return { allowed: true, delayMs: this.delayFor(n), release };
  }

  async recordFailure(ip: string, account: string): Promise<void> {
    for (const k of this.keys(ip, account)) {
      const count = await this.counters.incr(k, this.opts.windowMs);
      if (count === 1) this.noteWindowStart(k);
    }
  }

  async recordSuccess(account: string): Promise<void> {
    const k = accountKey(account);
    await this.counters.reset(k);
    this.windowStart.delete(k);
  }

  /** Delay before replying when `failures` failures are already counted. */
  delayFor(failures: number): number {
    const extra = failures - this.opts.freeFailures;
    if (extra < 0 || this.opts.baseDelayMs <= 0) return 0;
    // 2^extra overflows nothing: extra is below maxFailures and the cap is applied after.
    return Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(extra, 30));
  }

  private keys(ip: string, account: string): [string, string] {
    return [ipKey(ip), accountKey(account)];
  }

  private retryAfter(key: string): number {
    const start = this.windowStart.get(key);
    if (start === undefined) return this.opts.windowMs; // counted by another node: upper bound
    return Math.max(0, start + this.opts.windowMs - this.now());
  }

  private noteWindowStart(key: string): void {
    if (this.windowStart.size >= MAX_REMEMBERED_WINDOWS) {
      const t = this.now();
      for (const [k, s] of this.windowStart) if (s + this.opts.windowMs <= t) this.windowStart.delete(k);
      const oldest = this.windowStart.keys().next();
      if (this.windowStart.size >= MAX_REMEMBERED_WINDOWS && !oldest.done)
        this.windowStart.delete(oldest.value);
    }
    this.windowStart.set(key, this.now());
  }
}

function accountKey(account: string): string {
  return `login-fail:user:${account.toLowerCase().slice(0, MAX_NAME_IN_KEY)}`;
}

/** Counter key for a client address: IPv4 as is (also when IPv4-mapped), IPv6 per /64. */
export function ipKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return `login-fail:ip:${mapped[1]}`;
  if (!isIPv6(ip)) return `login-fail:ip:${ip.slice(0, 64)}`;
  return `login-fail:ip:${ipv6Prefix64(ip)}/64`;
}

function ipv6Prefix64(ip: string): string {
  const noZone = ip.split("%")[0] ?? ip;
  const [head = "", tail = ""] = noZone.includes("::") ? noZone.split("::") : [noZone, ""];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  // An embedded IPv4 tail counts as two groups; it is past the /64 anyway, so only its width matters.
  const width = (groups: string[]) => groups.reduce((w, g) => w + (g.includes(".") ? 2 : 1), 0);
  const groups = [...h, ...Array<string>(Math.max(0, 8 - width(h) - width(t))).fill("0"), ...t];
  return groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(":");
}
