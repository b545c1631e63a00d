// RedisUploads: the UploadStore contract on a real redis-server, two nodes sharing uploads.
import { after, before } from "node:test";
import type { Redis } from "ioredis";
import { runUploadContract } from "../store/uploads-contract.js";
import { RedisUploads } from "./redis-uploads.js";
import { skip, type TestRedis, testRedis } from "./test-redis.js";

let redis: TestRedis | null = null;
let one: Redis;
let two: Redis;
let n = 0;

before(async () => {
  if (skip) return;
  redis = await testRedis();
  one = await redis.connect();
  two = await redis.connect();
});
after(async () => {
  await redis?.stop();
});

runUploadContract(
  "RedisUploads (two nodes)",
  (limits, now) => {
    const keyPrefix = `u${++n}:`;
    return [
      new RedisUploads(one, { keyPrefix, limits, now }),
      new RedisUploads(two, { keyPrefix, limits, now }),
    ];
  },
  { skip },
);
