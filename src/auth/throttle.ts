// Login throttling that slows and refuses the attacker, never the user (issue 15). Dovecot's auth
// penalty delays every client of an IP; a per-account lockout lets anyone who knows an address
// lock its owner out. Here failures are counted, over a window, per (client IP, account) pair,
// per IP and per account (CounterStore, so several nodes can share them):
//  - Known clients: a pair that logged in successfully within knownClientMs (or a browser showing
//    a device token registered to the account, device.ts) is never refused for other clients'
//    failures and never delayed by them. Its own failures (a stale phone behind the same NAT as
//    the desk) delay it by at most ipDelayCapMs, and a success clears them. For IMAP, POP3 and
//    SMTP the pair is the only identity a client has, so a guesser sharing the user's address
//    (carrier-grade NAT, café Wi-Fi) is that pair too: knownMaxFailures failures of the pair in a
//    window (successes do not clear this count; far more than a stale phone's retries) refuse an
//    IP-known pair. A browser known by its device token is not held by that ceiling.
//  - Attacker on one account: an unknown pair's n-th failure delays its next replies by
//    baseDelayMs * 2^(n - freeFailures), up to maxDelayMs; at maxFailures the pair is refused
//    without the password being checked, until its window ends. Only that pair.
//  - Spraying: an IP whose failures touch maxAccountsPerIp distinct accounts in a window is
//    refused as an IP, except for its known pairs.
//  - Shared IP: the IP's failures (every account's) delay its other unknown clients by at most
//    ipDelayCapMs; they are not refused unless the IP sprays.
//  - Distributed guessing on one account (many IPs): once the account has accountAlarmFailures
//    failures in the window, its unknown pairs get maxDelayMs and are refused after freeFailures;
//    known clients are untouched.
// The delay is applied to every reply of a delayed client, success or failure, so an attacker
// cannot read the outcome from the timing and cut the wait short.
// Attempts still being checked count as failures of their pair (a slot is reserved before the
// slow hash check and released once the outcome is recorded): N parallel guesses on one pair
// cost N, within one node. An IP may have at most parallelPerIp unknown-pair attempts in flight,
// so a sprayer gets at most maxAccountsPerIp + parallelPerIp - 1 accounts checked per window.
// The account name given must be canonical (service.ts keys on the resolved account), so that
// "t2", "T2", "\"t2\"" and "\"t\\2\"" share one counter. IPv6 clients are counted per /64, the
// smallest block a customer usually gets.

import { isIPv6 } from "node:net";
import type { Config } from "../config/schema.js";
import type { CounterStore } from "../store/counters.js";
import { deviceKey } from "./device.js";

export interface ThrottleOptions {
  windowMs: number;
  freeFailures: number;
  maxFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Unknown-pair logins one IP may have checked at once. */
  parallelPerIp: number;
  /** Distinct accounts failing from one IP in a window before the IP is refused. */
  maxAccountsPerIp: number;
  /** Most an IP's failures (or a known pair's own) add to a reply's delay. */
  ipDelayCapMs: number;
  /** How long a successful (account, IP) pair or device stays known. */
  knownClientMs: number;
  /** Failures of a pair known by its IP in a window (not cleared by successes) that refuse it. */
  knownMaxFailures: number;
  /** Failures on one account (all IPs) in a window after which its unknown clients are held tight. */
  accountAlarmFailures: number;
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
    maxAccountsPerIp: auth.throttleMaxAccountsPerIp,
    ipDelayCapMs: auth.throttleIpDelayCapMs,
    knownClientMs: auth.throttleKnownClientDays * 86_400_000,
    knownMaxFailures: auth.throttleKnownMaxFailures,
    accountAlarmFailures: auth.throttleAccountAlarmFailures,
  };
}

/** One login attempt as the throttle sees it. */
export interface ThrottleSubject {
  ip: string;
  /** Canonical account key (service.ts). */
  account: string;
  /** A device token the client showed (web login cookie), if any. */
  device?: string | undefined;
}

export type ThrottleGate =
  | { allowed: false; retryAfterMs: number; scope: "pair" | "ip" }
  | { allowed: true; delayMs: number; known: boolean; release: () => void };

/** How a client is known to an account: its address logged in before, or its browser did. */
type Known = "ip" | "device" | null;

/** What the admin page lists: one row per counted pair, IP or account. */
export type ThrottleEntry =
  | {
      kind: "pair";
      id: string;
      ip: string;
      account: string;
      /** The pair logged in before (knownMaxFailures applies, not maxFailures). */
      known: boolean;
      failures: number;
      until: number;
      state: ThrottleState;
    }
  | {
      kind: "ip";
      id: string;
      ip: string;
      failures: number;
      accounts: number;
      until: number;
      state: ThrottleState;
    }
  | { kind: "account"; id: string; account: string; failures: number; until: number; state: ThrottleState };

/** counting: failures seen, no effect yet; delayed: replies wait; refused: logins refused. */
export type ThrottleState = "counting" | "delayed" | "refused";

// Longest account name used in a counter key: longer input is cut (bounded memory per key).
const MAX_NAME_IN_KEY = 320;
const P = "login-fail:";
// Retry hint when refused for attempts in flight rather than failures (a burst, not a block).
const BUSY_RETRY_MS = 1000;
const K = "login-known:";

export class LoginThrottle {
  private readonly inFlight = new Map<string, number>();
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
  async begin(s: ThrottleSubject): Promise<ThrottleGate> {
    const k = keysOf(s);
    const [pairFailures, pairTotal, ipFailures, ipAccounts, accountFailures, known] = await Promise.all([
      this.counters.get(k.pair),
      this.counters.get(k.pairTotal),
      this.counters.get(k.ip),
      this.counters.get(k.ipAccounts),
      this.counters.get(k.account),
      this.isKnown(s),
    ]);
    // From here to the reservation nothing awaits: two attempts cannot both take the last slot.
    const pairPending = this.inFlight.get(k.pair) ?? 0;
    const ipPending = this.inFlight.get(k.ipPending) ?? 0;
    const o = this.opts;
    let delayMs: number;
    if (known) {
      // Never refused for others' failures. A flood of parallel attempts on the pair is (an
      // honest client opens a handful of connections, not parallelPerIp), and so is a pair known
      // only by its IP past knownMaxFailures of its own (a guesser sharing the address).
      const parallel = pairFailures > 0 ? o.maxFailures : o.parallelPerIp;
      if (pairPending >= parallel) return this.busy("pair");
      if (known === "ip") {
        if (pairTotal >= o.knownMaxFailures) return this.refused(k.pairTotal, "pair");
        if (pairTotal + pairPending >= o.knownMaxFailures) return this.busy("pair");
      }
      delayMs = Math.min(this.delayFor(pairFailures), o.ipDelayCapMs);
    } else {
      const alarm = accountFailures >= o.accountAlarmFailures;
      const pairLimit = alarm ? Math.max(1, o.freeFailures) : o.maxFailures;
      if (pairFailures >= pairLimit) return this.refused(k.pair, "pair");
      if (pairFailures + pairPending >= pairLimit) return this.busy("pair");
      if (ipAccounts >= o.maxAccountsPerIp) return this.refused(k.ipAccounts, "ip");
      if (ipPending >= o.parallelPerIp) return this.busy("ip");
      delayMs = Math.max(this.delayFor(pairFailures), Math.min(this.delayFor(ipFailures), o.ipDelayCapMs));
      if (alarm) delayMs = o.maxDelayMs;
    }

    const held = known ? [k.pair] : [k.pair, k.ipPending];
    for (const h of held) this.inFlight.set(h, (this.inFlight.get(h) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const h of held) {
        const v = (this.inFlight.get(h) ?? 1) - 1;
        if (v <= 0) this.inFlight.delete(h);
        else this.inFlight.set(h, v);
      }
    };
    return { allowed: true, delayMs, known: known !== null, release };
  }

  async recordFailure(s: ThrottleSubject): Promise<void> {
    const k = keysOf(s);
    const w = this.opts.windowMs;
    await this.counters.incr(k.pair, w);
    // The pair's first failure in its window: one more distinct account failing from this IP.
    if ((await this.counters.incr(k.pairTotal, w)) === 1) await this.counters.incr(k.ipAccounts, w);
    await this.counters.incr(k.ip, w);
    await this.counters.incr(k.account, w);
  }

  /** A success clears the pair's failures (not its total: knownMaxFailures) and makes the pair
   *  (and the device shown) known. The IP's and the account's counts stay: one IP may be a NAT
   *  of many users, and one user's success says nothing about the guessers elsewhere. */
  async recordSuccess(s: ThrottleSubject): Promise<void> {
    const k = keysOf(s);
    await this.counters.reset(k.pair);
    await this.counters.set(k.known, 1, this.opts.knownClientMs);
    if (s.device) await this.counters.set(deviceKey(s.device, s.account), 1, this.opts.knownClientMs);
  }

  /** Delay before replying when `failures` failures are already counted. */
  delayFor(failures: number): number {
    const extra = failures - this.opts.freeFailures;
    if (extra < 0 || this.opts.baseDelayMs <= 0) return 0;
    // 2^extra overflows nothing: the exponent is bounded and the cap is applied after.
    return Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(extra, 30));
  }

  /** Who is being counted, for the admin page: at most `limit` rows of each kind. */
  async list(limit: number): Promise<ThrottleEntry[]> {
    const o = this.opts;
    const [pairs, totals, ips, ipAccounts, accounts] = await Promise.all([
      this.counters.list(`${P}pair:`, limit),
      this.counters.list(`${P}pair-total:`, limit),
      this.counters.list(`${P}ip:`, limit),
      this.counters.list(`${P}ip-accounts:`, limit),
      this.counters.list(`${P}user:`, limit),
    ]);
    const out: ThrottleEntry[] = [];
    // A pair's row: its failures in the window (the total; successes clear only the part that
    // delays), refused by the rule that applies to it, known or not.
    const byPair = new Map<string, { since: number; total: number; until: number }>();
    for (const e of pairs)
      byPair.set(e.key.slice(`${P}pair:`.length), { since: e.count, total: 0, until: e.expiresAt });
    for (const e of totals) {
      const rest = e.key.slice(`${P}pair-total:`.length);
      const row = byPair.get(rest) ?? { since: 0, total: 0, until: 0 };
      byPair.set(rest, { since: row.since, total: e.count, until: Math.max(row.until, e.expiresAt) });
    }
    for (const [rest, row] of byPair) {
      const bar = rest.indexOf("|");
      if (bar < 0) continue;
      const known = (await this.counters.get(`${K}${rest}`)) > 0;
      const failures = Math.max(row.since, row.total);
      const refused = known ? row.total >= o.knownMaxFailures : row.since >= o.maxFailures;
      const state = refused ? "refused" : row.since >= o.freeFailures ? "delayed" : "counting";
      const ip = rest.slice(0, bar);
      const account = rest.slice(bar + 1);
      out.push({ kind: "pair", id: `pair:${rest}`, ip, account, known, failures, until: row.until, state });
    }
    const spread = new Map(ipAccounts.map((e) => [e.key.slice(`${P}ip-accounts:`.length), e]));
    for (const e of ips) {
      const ip = e.key.slice(`${P}ip:`.length);
      const acc = spread.get(ip);
      const accounts = acc?.count ?? 0;
      const state =
        accounts >= o.maxAccountsPerIp ? "refused" : e.count > o.freeFailures ? "delayed" : "counting";
      const until = Math.max(e.expiresAt, acc?.expiresAt ?? 0);
      out.push({ kind: "ip", id: `ip:${ip}`, ip, failures: e.count, accounts, until, state });
    }
    for (const e of accounts) {
      const account = e.key.slice(`${P}user:`.length);
      const state = e.count >= o.accountAlarmFailures ? "delayed" : "counting";
      out.push({
        kind: "account",
        id: `account:${account}`,
        account,
        failures: e.count,
        until: e.expiresAt,
        state,
      });
    }
    return out;
  }

  /** Forget the failures of one listed entry (its `id`). False if the id names nothing. */
  async clear(id: string): Promise<boolean> {
    const colon = id.indexOf(":");
    const kind = id.slice(0, colon);
    const rest = id.slice(colon + 1);
    if (colon < 0 || rest === "") return false;
    if (kind === "pair" && rest.includes("|")) {
      await this.counters.reset(`${P}pair:${rest}`);
      await this.counters.reset(`${P}pair-total:${rest}`);
    } else if (kind === "ip") {
      await this.counters.reset(`${P}ip:${rest}`);
      await this.counters.reset(`${P}ip-accounts:${rest}`);
    } else if (kind === "account") await this.counters.reset(`${P}user:${rest}`);
    else return false;
    return true;
  }

  private async isKnown(s: ThrottleSubject): Promise<Known> {
    // The device first: a browser known by its token is not held by the IP-known ceiling.
    if (s.device !== undefined && (await this.counters.get(deviceKey(s.device, s.account))) > 0)
      return "device";
    return (await this.counters.get(keysOf(s).known)) > 0 ? "ip" : null;
  }

  /** Refused until the window of `key` ends (for another node's count: at most a window). */
  private async refused(key: string, scope: "pair" | "ip"): Promise<ThrottleGate> {
    const e = await this.counters.peek(key);
    const retryAfterMs = e ? Math.max(0, e.expiresAt - this.now()) : this.opts.windowMs;
    return { allowed: false, retryAfterMs, scope };
  }

  /** Refused for the attempts in flight: come back as soon as they are answered. */
  private busy(scope: "pair" | "ip"): ThrottleGate {
    return { allowed: false, retryAfterMs: BUSY_RETRY_MS, scope };
  }
}

function accountName(account: string): string {
  return account.toLowerCase().slice(0, MAX_NAME_IN_KEY);
}

function keysOf(s: ThrottleSubject) {
  const ip = clientKey(s.ip);
  const account = accountName(s.account);
  return {
    pair: `${P}pair:${ip}|${account}`,
    /** The pair's failures in the window, successes or not (knownMaxFailures, distinct accounts). */
    pairTotal: `${P}pair-total:${ip}|${account}`,
    ip: `${P}ip:${ip}`,
    ipAccounts: `${P}ip-accounts:${ip}`,
    /** In-flight only (never stored): attempts of unknown pairs from this IP. */
    ipPending: `pending:ip:${ip}`,
    account: `${P}user:${account}`,
    known: `${K}${ip}|${account}`,
  };
}

/** A client address as counted: IPv4 as is (also when IPv4-mapped), IPv6 per /64. */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(ip)) return ip.slice(0, 64).replaceAll("|", "");
  return `${ipv6Prefix64(ip)}/64`;
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
