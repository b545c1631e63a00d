// The UploadStore contract, run against MemoryUploads (uploads.test.ts) and RedisUploads
// (src/cluster/redis-uploads.test.ts) with a test clock. `make` gives an empty store with the
// given limits; two stores made by one `makePair` share their uploads (two nodes).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type UploadLimits, type UploadStore, uploadBlobId } from "./uploads.js";

export function runUploadContract(
  name: string,
  makePair: (limits: UploadLimits, now: () => number) => [UploadStore, UploadStore],
  opts: { skip?: string | false } = {},
): void {
  describe(`UploadStore contract: ${name}`, { skip: opts.skip }, () => {
    const setup = (limits = { ttlMs: 60_000, quotaBytes: 100 }) => {
      let t = 1_000_000;
      const clock = { now: () => t, advance: (ms: number) => (t += ms) };
      const [a, b] = makePair(limits, clock.now);
      return { a, b, clock };
    };
    const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

    test("an upload is found by its content id, with its type, by the same account only", async () => {
      const { a, b } = setup();
      const data = Buffer.from("Subject: hi\r\n\r\nbinary \u0000\u00ff", "latin1");
      const r = await a.put(1, data, "message/rfc822");
      assert.deepEqual(r, { blobId: uploadBlobId(data), type: "message/rfc822", size: data.length });
      const got = await b.get(1, r.blobId);
      assert.ok(got, "found through the other store");
      assert.ok(got.data.equals(data), "byte for byte");
      assert.equal(got.type, "message/rfc822");
      assert.equal(await a.get(2, r.blobId), null, "not another account's");
      assert.equal(await a.get(1, `G${"0".repeat(64)}`), null);
    });

    test("the quota counts pending octets per account; the same bytes twice count once", async () => {
      const { a, b } = setup();
      assert.ok(await a.put(1, bytes(60), "x/y"));
      assert.ok(await b.put(1, bytes(60), "x/y"), "the same content again: still 60");
      assert.equal(await b.put(1, bytes(41, 2), "x/y"), null, "60 + 41 > 100");
      assert.ok(await a.put(1, bytes(40, 2), "x/y"), "60 + 40 fits");
      assert.ok(await a.put(2, bytes(100, 3), "x/y"), "another account has its own quota");
    });

    test("an upload expires after its ttl, and its octets leave the quota", async () => {
      const { a, b, clock } = setup();
      const r = await a.put(1, bytes(80), "x/y");
      assert.ok(r);
      clock.advance(59_999);
      assert.ok(await b.get(1, r.blobId));
      assert.equal(await b.put(1, bytes(30, 2), "x/y"), null);
      clock.advance(1);
      assert.equal(await b.get(1, r.blobId), null);
      assert.ok(await b.put(1, bytes(30, 2), "x/y"));
    });
  });
}
