// First start (src/server/bootstrap.ts) gives the first domain its DKIM keys.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStore } from "../app/stores.js";
import { defaultConfig } from "../config/load.js";
import { silentLogger } from "../log/logger.js";
import { ensureFirstAccount } from "../server/bootstrap.js";
import { LocalNotifier } from "../store/notifier.js";
import { loadDkimKeys } from "./keys.js";

test("first start: the first domain gets an ed25519 and an RSA key", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-boot-"));
  const config = defaultConfig();
  config.server.dataDir = dataDir;
  config.server.hostname = "Mail.First.Test";
  const store = await openStore(config, new LocalNotifier(), silentLogger);
  try {
    const first = await ensureFirstAccount(store, config);
    assert.equal(first?.address, "admin@mail.first.test");
    const keys = await loadDkimKeys(dataDir, "mail.first.test");
    assert.deepEqual(keys.map((k) => k.algorithm).sort(), ["ed25519-sha256", "rsa-sha256"]);
    // A second start changes nothing.
    assert.equal(await ensureFirstAccount(store, config), null);
    assert.equal((await loadDkimKeys(dataDir, "mail.first.test")).length, 2);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
