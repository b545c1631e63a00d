// `yubin serve --workers 2`: an IMAP IDLE in one worker hears a delivery made in the other, relayed
// by the supervisor, or through Redis with [cluster] redisUrl (split from workers.test.ts to keep
// each file well inside the runner's 300 s on a loaded machine; helpers in test-workers.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { redisSkip, startRedis } from "../testing/redis.js";
import { idleAcrossWorkers } from "./test-workers.js";

describe("serve --workers 2: change events between workers", () => {
  test("IMAP IDLE in one worker hears a delivery made in the other at once (relayed by the supervisor)", {
    timeout: 120_000,
  }, async () => {
    await idleAcrossWorkers({});
  });

  test("the same through Redis when [cluster] redisUrl is set (each worker on Redis)", {
    skip: redisSkip(),
    timeout: 120_000,
  }, async () => {
    const redis = await startRedis();
    try {
      const out = await idleAcrossWorkers({ cluster: { redisUrl: redis.url } });
      assert.equal(
        out.split("\n").filter((l) => l.includes('"msg":"sharing coordination through Redis"')).length,
        2,
      );
    } finally {
      await redis.stop();
    }
  });
});
