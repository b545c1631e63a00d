// RedisCounters: the CounterStore contract on a real redis-server, and two nodes counting at once.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Redis } from "ioredis";
import { runCounterContract } from "../store/counters-contract.js";
import { StoreUnavailableError } from "../store/errors.js";
import { RedisCounters } from "./redis-counters.js";
import { redisForFile, skip } from "./test-redis.js";

let client: Redis;
let n = 0;
const redis = redisForFile(async (r) => {
  client = await r.connect();
});

// Each case its own key prefix: an empty store.
runCounterContract("RedisCounters", (now) => new RedisCounters(client, { keyPrefix: `t${++n}:`, now }), {
  skip,
});

describe("RedisCounters across nodes", { skip }, () => {
  test("two nodes incrementing one key at once lose no increment and share one window", async () => {
    const a = new RedisCounters(client, { keyPrefix: "race:" });
    const b = new RedisCounters(await redis().connect(), { keyPrefix: "race:" });
    const counts = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).incr("login:x", 60_000)),
    );
    assert.deepEqual(
      [...counts].sort((x, y) => x - y),
      Array.from({ length: 200 }, (_, i) => i + 1),
      "every increment got its own count",
    );
    assert.equal(await b.get("login:x"), 200);
    const pa = await a.peek("login:x");
    const pb = await b.peek("login:x");
    assert.deepEqual(pa, pb);
  });

  test("Redis collects an ended counter itself (PEXPIRE beyond the window)", async () => {
    const c = new RedisCounters(client, { keyPrefix: "ttl:" });
    await c.incr("k", 1000);
    const pttl = await client.pttl("ttl:cnt:k");
    assert.ok(pttl > 1000 && pttl <= 61_000, `pttl ${pttl}`);
  });

  test("list matches the prefix literally (glob characters in keys)", async () => {
    const c = new RedisCounters(client, { keyPrefix: "glob:" });
    await c.incr("a*[1]", 60_000);
    await c.incr("ab", 60_000);
    assert.deepEqual(
      (await c.list("a*", 10)).map((e) => e.key),
      ["a*[1]"],
    );
  });

  test("Redis away: calls fail as StoreUnavailableError, and work again after it is back", async () => {
    const r = redis();
    const own = await r.connect();
    const c = new RedisCounters(own, { keyPrefix: "down:" });
    assert.equal(await c.incr("k", 60_000), 1);
    r.server.kill();
    await assert.rejects(c.incr("k", 60_000), StoreUnavailableError);
    await assert.rejects(c.get("k"), StoreUnavailableError);
    await r.server.restart();
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        assert.equal(await c.incr("k", 60_000), 1, "a fresh Redis (no persistence): a new count");
        break;
      } catch (e) {
        if (!(e instanceof StoreUnavailableError) || Date.now() > deadline) throw e;
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    client = await r.connect(); // the shared one reconnects too, but needs not be waited for here
  });
});
