import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadKeyFile } from "./key-file.js";

test("a key file is made once (0600), read back the same, agreed on by concurrent callers, and never replaced when damaged", async () => {
  const root = await mkdtemp(join(tmpdir(), "yubin-key-"));
  try {
    const dir = join(root, "data");
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadKeyFile(dir, "x.key")));
    assert.equal(keys[0]!.length, 32);
    for (const k of keys) assert.deepEqual(k, keys[0]);
    assert.deepEqual(await loadKeyFile(dir, "x.key"), keys[0]);
    assert.equal((await stat(join(dir, "x.key"))).mode & 0o777, 0o600);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    await writeFile(join(dir, "x.key"), "not a key\n");
    await assert.rejects(
      loadKeyFile(dir, "x.key"),
      /x\.key: not a 32-byte base64 key; restore it from a backup/,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
