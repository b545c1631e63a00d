// Test helper: a private redis-server (src/testing/redis.ts) and connections to it made the way
// the server makes them (src/cluster/redis.ts), closed together.
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

export async function testRedis(): Promise<TestRedis> {
  const server = await startRedis();
  const clients: Redis[] = [];
  return {
    server,
    async connect(opts = {}) {
      const c = await connectRedis(
        { url: server.url, connectTimeoutMs: 5000, commandTimeoutMs: 2000, log: silentLogger },
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
