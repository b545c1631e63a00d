// The first start writes the config into a new directory that is also the data directory: it must
// be private from the start (issue 18, finding 11), whatever the umask.
import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadOrCreateConfig } from "./env.js";

test("first use: the config's new directory (the data directory) is created 0700, the config 0640", async () => {
  const root = await mkdtemp(join(tmpdir(), "yubin-env-"));
  const old = process.umask(0o022);
  try {
    const configPath = join(root, "data", "yubin.toml");
    const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
    const { created, config } = loadOrCreateConfig({ configPath, io });
    assert.equal(created, true);
    assert.equal(config.server.dataDir, join(root, "data"));
    assert.equal((await stat(join(root, "data"))).mode & 0o777, 0o700);
    assert.equal((await stat(configPath)).mode & 0o777, 0o640);
  } finally {
    process.umask(old);
    await rm(root, { recursive: true, force: true });
  }
});
