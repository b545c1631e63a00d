import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { MemoryUploads } from "./uploads.js";
import { runUploadContract } from "./uploads-contract.js";
import { FileUploads } from "./uploads-files.js";

runUploadContract("MemoryUploads", (limits, now) => {
  const u = new MemoryUploads(limits, now);
  return [u, u];
});

const base = mkdtempSync(join(tmpdir(), "yubin-uploads-"));
after(() => rmSync(base, { recursive: true, force: true }));
let dirs = 0;

// Two FileUploads on one directory stand for two workers on one data directory.
runUploadContract("FileUploads (two on one directory)", (limits, now) => {
  const dir = join(base, String(++dirs));
  return [new FileUploads({ dir, limits, now }), new FileUploads({ dir, limits, now })];
});

describe("FileUploads", () => {
  const limits = { ttlMs: 60_000, quotaBytes: 1000 };

  test("a blob id that is not G and 64 hex digits never reaches the filesystem", async () => {
    const dir = join(base, String(++dirs));
    const u = new FileUploads({ dir, limits });
    const r = await u.put(1, Buffer.from("x"), "text/plain");
    assert.ok(r);
    writeFileSync(join(dir, "secret"), "not an upload");
    for (const id of ["../secret", "secret", `${r.blobId}/..`, `${r.blobId}.1.9999999999999`, ""])
      assert.equal(await u.get(1, id), null, id);
    assert.deepEqual((await u.get(1, r.blobId))?.data.toString(), "x");
  });

  test("expired uploads leave the disk: on the account's next access, and in a sweep of all accounts", async () => {
    const dir = join(base, String(++dirs));
    let t = 1_000_000;
    const u = new FileUploads({ dir, limits, now: () => t });
    assert.ok(await u.put(1, Buffer.from("one"), "a/b"));
    assert.ok(await u.put(2, Buffer.from("two"), "a/b"));
    assert.equal(readdirSync(join(dir, "1")).length, 1);
    t += 60_000;
    assert.ok(await u.put(3, Buffer.from("three"), "a/b"), "the put sweeps every account");
    assert.deepEqual(readdirSync(join(dir, "1")), []);
    assert.deepEqual(readdirSync(join(dir, "2")), []);
    assert.equal(readdirSync(join(dir, "3")).length, 1);
  });

  test("the same bytes again: one file, the later expiry, the new type", async () => {
    const dir = join(base, String(++dirs));
    let t = 1_000_000;
    const u = new FileUploads({ dir, limits, now: () => t });
    const r = await u.put(1, Buffer.from("same"), "a/b");
    t += 30_000;
    assert.deepEqual(await u.put(1, Buffer.from("same"), "c/d"), { ...r, type: "c/d" });
    assert.equal(readdirSync(join(dir, "1")).length, 1);
    t += 59_999;
    assert.equal((await u.get(1, r!.blobId))?.type, "c/d");
  });
});
