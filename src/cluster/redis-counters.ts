// CounterStore on Redis (issue 17): the login throttle's and rate limits' counts, shared by every
// node, so an attacker spreading guesses over several nodes meets one count.
//
// One hash per counter, {c: count, e: end of its window in epoch ms}. The window is judged by the
// calling node's clock (passed in, as MemoryCounters does, so both run one contract suite with a
// test clock); Redis's own expiry (PEXPIRE, the window plus a minute for clock skew between
// nodes) only collects ended counters. incr is one Lua script, so two nodes counting at once
// never lose an increment or start two windows.
//   incr  -> EVAL (HGET e; HSET c 1 e end + PEXPIRE when ended, else HINCRBY c)
//   get/peek -> HMGET c e              reset -> DEL
//   set   -> MULTI HSET c e; PEXPIRE  list  -> SCAN MATCH prefix* (bounded) + HMGET
import type { Redis } from "ioredis";
import type { CounterEntry, CounterStore } from "../store/counters.js";
import { redisCall } from "./redis.js";

/** How much longer than its window Redis keeps a counter: nodes' clocks may differ this much. */
const SKEW_MS = 60_000;
/** Keys asked of each SCAN step, and the most steps one list takes (a bound on its cost when
 *  the Redis holds far more keys than ours). */
const SCAN_COUNT = 1000;
const SCAN_MAX_STEPS = 1000;

const INCR = `
local e = tonumber(redis.call('HGET', KEYS[1], 'e'))
if e == nil or e <= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'c', 1, 'e', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return redis.call('HINCRBY', KEYS[1], 'c', 1)
`;

export class RedisCounters implements CounterStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    opts: { keyPrefix: string; now?: () => number },
  ) {
    this.prefix = `${opts.keyPrefix}cnt:`;
    this.now = opts.now ?? Date.now;
  }

  private readonly now: () => number;

  async incr(key: string, windowMs: number): Promise<number> {
    const t = this.now();
    const n = await redisCall(
      this.redis.eval(INCR, 1, this.prefix + key, t, t + windowMs, windowMs + SKEW_MS) as Promise<number>,
    );
    return Number(n);
  }

  async get(key: string): Promise<number> {
    return (await this.peek(key))?.count ?? 0;
  }

  async reset(key: string): Promise<void> {
    await redisCall(this.redis.del(this.prefix + key));
  }

  async peek(key: string): Promise<CounterEntry | null> {
    const [c, e] = await redisCall(this.redis.hmget(this.prefix + key, "c", "e"));
    return this.entry(key, c, e);
  }

  async set(key: string, count: number, ttlMs: number): Promise<void> {
    const k = this.prefix + key;
    const results = await redisCall(
      this.redis
        .multi()
        .hset(k, "c", count, "e", this.now() + ttlMs)
        .pexpire(k, ttlMs + SKEW_MS)
        .exec(),
    );
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error("Redis MULTI discarded");
  }

  async list(prefix: string, limit: number): Promise<CounterEntry[]> {
    const out: CounterEntry[] = [];
    if (limit <= 0) return out;
    const match = `${globEscape(this.prefix + prefix)}*`;
    let cursor = "0";
    for (let step = 0; step < SCAN_MAX_STEPS; step++) {
      const [next, keys] = await redisCall(this.redis.scan(cursor, "MATCH", match, "COUNT", SCAN_COUNT));
      if (keys.length > 0) {
        const pipe = this.redis.pipeline();
        for (const k of keys) pipe.hmget(k, "c", "e");
        const rows = (await redisCall(pipe.exec())) ?? [];
        for (let i = 0; i < keys.length && out.length < limit; i++) {
          const [err, value] = rows[i] ?? [];
          if (err || !Array.isArray(value)) continue;
          const key = (keys[i] ?? "").slice(this.prefix.length);
          const e = this.entry(key, value[0] as string | null, value[1] as string | null);
          if (e) out.push(e);
        }
      }
      cursor = next;
      if (cursor === "0" || out.length >= limit) break;
    }
    return out;
  }

  private entry(
    key: string,
    c: string | null | undefined,
    e: string | null | undefined,
  ): CounterEntry | null {
    if (c == null || e == null) return null;
    const expiresAt = Number(e);
    if (!(expiresAt > this.now())) return null;
    return { key, count: Number(c), expiresAt };
  }
}

/** `s` matched literally by a Redis glob pattern (SCAN MATCH). */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, "\\$&");
}
