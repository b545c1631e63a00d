// Test helper: a private redis-server (src/testing/redis.ts) and connections to it made the way
// the server makes them (src/cluster/redis.ts), closed together.
import { after, before } from "node:test";
import type { Redis } from "ioredis";
import { silentLogger } from "../log/logger.js";
import { type PrivateRedis, redisSkip, startRedis } from "../testing/redis.js";
import { connectRedis } from "./redis.js";

export const skip = redisSkip();

export interface TestRedis {
  server: PrivateRedis;
  /** A command connection (no offline queue, fails fast), closed by stop(). */
  connect(opts?: { subscriber?: boolean }): Promise<Redis>;
  stop(): Promise<void>;
}

/** One private Redis for a test file: started before its tests (not when skipped), then handed
 *  to `ready`; stopped after them. The returned function gives it inside the tests. */
export function redisForFile(ready?: (r: TestRedis) => Promise<void>): () => TestRedis {
  let redis: TestRedis | null = null;
  before(async () => {
    if (skip) return;
    redis = await testRedis();
    await ready?.(redis);
  });
  after(async () => {
    await redis?.stop();
  });
  return () => {
    if (!redis) throw new Error("the test Redis is not started");
    return redis;
  };
}

export async function testRedis(): Promise<TestRedis> {
  const server = await startRedis();
  const clients: Redis[] = [];
  return {
    server,
    async connect(opts = {}) {
      // 10 s per command: a loaded CI machine (load 20-40) answered some calls of a live Redis
      // in over 2 s, which threw inside a test's wait; a Redis killed on purpose fails at once.
      const c = await connectRedis(
        { url: server.url, connectTimeoutMs: 5000, commandTimeoutMs: 10_000, log: silentLogger },
        "test",
        opts.subscriber,
      );
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await server.stop();
    },
  };
}
