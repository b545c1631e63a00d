import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cachingResolver } from "./cache.js";
import type { DnsResolver, MxRecord } from "./types.js";

/** A resolver that counts its queries and answers from a table the test changes. */
function fakeResolver() {
  const asked: string[] = [];
  const mx = new Map<string, MxRecord[] | Error>();
  const pending: (() => void)[] = [];
  let hold = false;
  const answer = <T>(q: string, v: T | Error | undefined): Promise<T> => {
    asked.push(q);
    const settle = (resolve: (x: T) => void, reject: (e: unknown) => void) => {
      if (v === undefined) reject(Object.assign(new Error(`queryMx ENOTFOUND ${q}`), { code: "ENOTFOUND" }));
      else if (v instanceof Error) reject(v);
      else resolve(v);
    };
    return new Promise<T>((resolve, reject) => {
      if (hold) pending.push(() => settle(resolve, reject));
      else settle(resolve, reject);
    });
  };
  const r = {
    resolveMx: (n: string) => answer(`MX ${n}`, mx.get(n)),
    resolve4: (n: string) => answer(`A ${n}`, ["127.0.0.1"]),
  } as unknown as DnsResolver;
  return {
    r,
    asked,
    mx,
    holdAnswers: () => {
      hold = true;
    },
    release: () => {
      hold = false;
      for (const p of pending.splice(0)) p();
    },
  };
}

describe("DNS cache", () => {
  test("an answer is reused until cacheSec has passed, whatever the name's case", async () => {
    const f = fakeResolver();
    let t = 1_000_000;
    const c = cachingResolver(f.r, { cacheSec: 60, negativeCacheSec: 30, maxEntries: 100, now: () => t });
    f.mx.set("a.test", [{ exchange: "mx.a.test", priority: 10 }]);
    assert.deepEqual(await c.resolveMx("a.test"), [{ exchange: "mx.a.test", priority: 10 }]);
    f.mx.set("a.test", [{ exchange: "new.a.test", priority: 10 }]);
    assert.deepEqual(await c.resolveMx("A.TEST"), [{ exchange: "mx.a.test", priority: 10 }]);
    t += 59_999;
    assert.equal((await c.resolveMx("a.test"))[0]!.exchange, "mx.a.test");
    t += 1;
    assert.equal((await c.resolveMx("a.test"))[0]!.exchange, "new.a.test");
    assert.deepEqual(f.asked, ["MX a.test", "MX a.test"]);
    // Types are apart.
    await c.resolve4("a.test");
    assert.deepEqual(f.asked, ["MX a.test", "MX a.test", "A a.test"]);
  });

  test("queries in flight are shared", async () => {
    const f = fakeResolver();
    const c = cachingResolver(f.r, { cacheSec: 60, negativeCacheSec: 30, maxEntries: 100 });
    f.mx.set("b.test", [{ exchange: "mx.b.test", priority: 5 }]);
    f.holdAnswers();
    const all = Promise.all(Array.from({ length: 50 }, () => c.resolveMx("b.test")));
    f.release();
    const answers = await all;
    assert.equal(answers.length, 50);
    assert.ok(answers.every((a) => a[0]!.exchange === "mx.b.test"));
    assert.deepEqual(f.asked, ["MX b.test"]);
  });

  test("no such name is kept for negativeCacheSec; a failure is never kept", async () => {
    const f = fakeResolver();
    let t = 0;
    const c = cachingResolver(f.r, { cacheSec: 60, negativeCacheSec: 30, maxEntries: 100, now: () => t });
    await assert.rejects(c.resolveMx("none.test"), { code: "ENOTFOUND" });
    await assert.rejects(c.resolveMx("none.test"), { code: "ENOTFOUND" });
    assert.deepEqual(f.asked, ["MX none.test"]);
    f.mx.set("none.test", [{ exchange: "mx.none.test", priority: 1 }]);
    t += 30_000;
    assert.equal((await c.resolveMx("none.test"))[0]!.exchange, "mx.none.test");
    f.mx.set("flaky.test", Object.assign(new Error("queryMx ETIMEOUT flaky.test"), { code: "ETIMEOUT" }));
    await assert.rejects(c.resolveMx("flaky.test"), { code: "ETIMEOUT" });
    await assert.rejects(c.resolveMx("flaky.test"), { code: "ETIMEOUT" });
    assert.equal(f.asked.filter((q) => q === "MX flaky.test").length, 2);
  });

  test("at most maxEntries answers, the oldest dropped first; cacheSec 0 is no cache", async () => {
    const f = fakeResolver();
    const c = cachingResolver(f.r, { cacheSec: 60, negativeCacheSec: 30, maxEntries: 2 });
    for (const n of ["1.test", "2.test", "3.test"]) f.mx.set(n, [{ exchange: `mx.${n}`, priority: 1 }]);
    await c.resolveMx("1.test");
    await c.resolveMx("2.test");
    await c.resolveMx("3.test"); // drops 1.test
    await c.resolveMx("2.test");
    await c.resolveMx("1.test");
    assert.deepEqual(f.asked, ["MX 1.test", "MX 2.test", "MX 3.test", "MX 1.test"]);
    assert.equal(cachingResolver(f.r, { cacheSec: 0, negativeCacheSec: 30, maxEntries: 2 }), f.r);
  });
});
