// LockService on Redis (issue 17): the POP3 maildrop lock seen by every node.
//
// A lock is one key holding a random token, taken with SET NX PX (the lease) and renewed every
// third of the lease by a script that extends it only if the token is still ours; release is a
// compare-and-delete, so a holder whose lease ran out never frees someone else's lock. A node
// killed while holding one frees it when the lease ends ([cluster] lockLeaseSec).
// When a renewal finds the lock gone or taken, or Redis has been unreachable for a whole lease,
// the handle reports held = false and its session ends (src/pop3/session.ts).
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../log/logger.js";
import { HeldLocks } from "../store/lock-handles.js";
import type { LockHandle, LockService } from "../store/locks.js";
import { rateLimited, redisCall } from "./redis.js";

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

export interface RedisLocksOptions {
  keyPrefix: string;
  leaseMs: number;
  log: Logger;
}

export class RedisLocks implements LockService {
  private readonly handles = new HeldLocks<RedisLock>();
  readonly warn: ReturnType<typeof rateLimited>;

  constructor(
    readonly redis: Redis,
    readonly opts: RedisLocksOptions,
  ) {
    this.warn = rateLimited(opts.log, 30_000);
  }

  async acquire(name: string): Promise<LockHandle | null> {
    const key = `${this.opts.keyPrefix}lock:${name}`;
    const token = randomBytes(16).toString("base64url");
    const ok = await redisCall(this.redis.set(key, token, "PX", this.opts.leaseMs, "NX"));
    if (ok !== "OK") return null;
    return this.handles.add((forget) => new RedisLock(this, key, token, forget));
  }

  async close(): Promise<void> {
    await this.handles.releaseAll();
  }
}

class RedisLock implements LockHandle {
  private live = true;
  private renewedAt = Date.now();
  private renewing = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly owner: RedisLocks,
    private readonly key: string,
    private readonly token: string,
    private readonly forget: () => void,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(1000, Math.floor(owner.opts.leaseMs / 3)));
    this.timer.unref();
  }

  get held(): boolean {
    return this.live;
  }

  async release(): Promise<void> {
    if (!this.live) return;
    this.end();
    try {
      await redisCall(this.owner.redis.eval(RELEASE, 1, this.key, this.token));
    } catch (e) {
      // Its lease frees it.
      this.owner.warn("lock not released (Redis unavailable); its lease frees it", {
        lock: this.key,
        err: (e as Error).message,
      });
    }
  }

  private end(): void {
    this.live = false;
    clearInterval(this.timer);
    this.forget();
  }

  private async renew(): Promise<void> {
    if (!this.live || this.renewing) return;
    this.renewing = true;
    try {
      const r = await redisCall(
        this.owner.redis.eval(RENEW, 1, this.key, this.token, this.owner.opts.leaseMs) as Promise<number>,
      );
      if (!this.live) return;
      if (Number(r) === 1) this.renewedAt = Date.now();
      else {
        this.owner.opts.log.warn("shared lock lost: its lease ran out and it is gone or taken", {
          lock: this.key,
        });
        this.end();
      }
    } catch (e) {
      if (!this.live) return;
      // Unreachable for a whole lease: another node may hold it by now.
      if (Date.now() - this.renewedAt >= this.owner.opts.leaseMs) {
        this.owner.opts.log.warn("shared lock lost: Redis unreachable for its whole lease", {
          lock: this.key,
        });
        this.end();
      } else this.owner.warn("lock renewal failed; retrying", { lock: this.key, err: (e as Error).message });
    } finally {
      this.renewing = false;
    }
  }
}
