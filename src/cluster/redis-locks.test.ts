// RedisLocks: the LockService contract on a real redis-server with two nodes, leases that free
// a dead node's lock, and a handle that learns it lost its lock.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { silentLogger } from "../log/logger.js";
import { StoreUnavailableError } from "../store/errors.js";
import { runLockContract } from "../store/locks-contract.js";
import { eventually } from "../testing/eventually.js";
import { RedisLocks } from "./redis-locks.js";
import { redisForFile, skip } from "./test-redis.js";

const redis = redisForFile();
let n = 0;

const locks = async (prefix: string, leaseMs = 30_000) =>
  new RedisLocks(await redis().connect(), { keyPrefix: prefix, leaseMs, log: silentLogger });

if (!skip)
  runLockContract("RedisLocks (two nodes)", async () => {
    const prefix = `c${++n}:`;
    const a = await locks(prefix);
    const b = await locks(prefix);
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
      },
    };
  });

describe("RedisLocks leases", { skip }, () => {
  test("a node that dies holding a lock frees it when the lease ends, not before", async () => {
    const dead = await locks("lease:", 3000);
    const alive = await locks("lease:", 3000);
    const h = await dead.acquire("pop3:maildrop:7");
    assert.ok(h);
    const key = "lease:lock:pop3:maildrop:7";
    const expiresAt = Number(await alive.redis.call("PEXPIRETIME", key));
    dead.redis.disconnect(); // as kill -9: no release, no more renewals
    // "Not before", by Redis's own clock and atomically: while its time is before the lease's
    // end the key is there, however long this process was descheduled between two commands.
    await eventually("the lease ran out and another node took the lock", async () => {
      const [[, now], [, exists]] = (await alive.redis.multi().time().exists(key).exec()) as [
        [null, [string, string]],
        [null, number],
      ];
      const nowMs = Number(now[0]) * 1000 + Math.floor(Number(now[1]) / 1000);
      if (nowMs < expiresAt) assert.equal(exists, 1, "still leased before its end");
      const got = await alive.acquire("pop3:maildrop:7");
      if (got) await got.release();
      return got !== null;
    });
    await eventually("the dead node's handle knows it lost the lock", () => !h.held);
  });

  test("a held lock is renewed past its lease", async () => {
    const a = await locks("renew:", 3000);
    const b = await locks("renew:", 3000);
    const h = await a.acquire("k");
    assert.ok(h);
    // Each round pushes the key's end an hour away, then waits for the holder's renewal to put it
    // back to one lease (the renewal script only does so with the holder's token). Rounds go on
    // until more than one lease has passed since the acquire: the lock was renewed past its lease,
    // and no round depends on the renewal coming within a bound (a stall cannot lapse the key).
    const started = Date.now();
    let renewals = 0;
    while (Date.now() - started <= 3000 || renewals < 2) {
      await a.redis.pexpire("renew:lock:k", 3_600_000);
      await eventually("the holder renewed its lock", async () => {
        const ttl = await a.redis.pttl("renew:lock:k");
        return ttl > 0 && ttl <= 3000;
      });
      renewals++;
    }
    assert.equal(h.held, true);
    await a.redis.pexpire("renew:lock:k", 3_600_000);
    assert.equal(await b.acquire("k"), null, "renewed: still ours after more than one lease");
    await h.release();
    assert.ok(await b.acquire("k"));
    await b.close();
  });

  test("a handle whose lock was taken by another (lease ran out meanwhile) reports it lost", async () => {
    const a = await locks("lost:", 3000);
    const h = await a.acquire("k");
    assert.ok(h);
    await a.redis.set("lost:lock:k", "someone else");
    await eventually("renewal found the lock taken", () => !h.held);
    await h.release(); // must not delete the other holder's key
    assert.equal(await a.redis.get("lost:lock:k"), "someone else");
  });

  test("Redis away at acquire: StoreUnavailableError, never a lock taken as free", async () => {
    const a = await locks("away:");
    a.redis.disconnect();
    await assert.rejects(a.acquire("k"), StoreUnavailableError);
  });
});
