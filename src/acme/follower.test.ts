import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { silentLogger } from "../log/logger.js";
import { followIssuedCertificate } from "./follower.js";

test("a process without ACME reloads when another process writes a new certificate", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-follow-"));
  let reloads = 0;
  const stop = followIssuedCertificate({
    dataDir,
    tls: { reload: () => reloads++ },
    log: silentLogger,
    intervalMs: 20,
  });
  try {
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(reloads, 0, "no certificate yet: nothing to reload");
    mkdirSync(join(dataDir, "acme"));
    writeFileSync(join(dataDir, "acme", "cert.pem"), "first");
    for (let i = 0; i < 250 && reloads < 1; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(reloads, 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(reloads, 1, "unchanged: no reload");
    writeFileSync(join(dataDir, "acme", "cert.pem"), "second, longer");
    for (let i = 0; i < 250 && reloads < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(reloads, 2);
  } finally {
    stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
