// RedisUploads: the UploadStore contract on a real redis-server, two nodes sharing uploads.
import type { Redis } from "ioredis";
import { runUploadContract } from "../store/uploads-contract.js";
import { RedisUploads } from "./redis-uploads.js";
import { redisForFile, skip } from "./test-redis.js";

let one: Redis;
let two: Redis;
let n = 0;
redisForFile(async (r) => {
  one = await r.connect();
  two = await r.connect();
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
