// The CLI's configuration commands and `yubin serve` as real processes (apart from cli.test.ts:
// each file has its own time budget, and every yubin process costs seconds of start-up).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startServerProcess } from "../testing/process.js";
import { YUBIN_BIN, yubinSync } from "./test-cli.js";

const dir = mkdtempSync(join(tmpdir(), "yubin-cli-config-"));
const config = join(dir, "yubin.toml");
after(() => rmSync(dir, { recursive: true, force: true }));

const yubin = (args: string[], input = "") => yubinSync(config, args, { input });

test("config check, unknown command, queue list", () => {
  assert.equal(yubin(["domain", "list"]).code, 0); // first use writes the config
  assert.match(yubin(["config", "check"]).out, /: ok \(10 listeners, data in /);
  const bad = join(dir, "bad.toml");
  writeFileSync(bad, "[smtp]\nmaxRecipents = 3\n");
  const r = spawnSync(process.execPath, [YUBIN_BIN, "--config", bad, "config", "check"], {
    encoding: "utf8",
  });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `yubin: ${bad}: unknown key smtp.maxRecipents\n`);
  const missing = spawnSync(
    process.execPath,
    [YUBIN_BIN, "--config", join(dir, "none.toml"), "config", "check"],
    {
      encoding: "utf8",
    },
  );
  assert.equal(missing.stderr, `yubin: cannot read config ${join(dir, "none.toml")}: ENOENT\n`);
  assert.equal(yubin(["frobnicate"]).code, 2);
  assert.equal(yubin(["frobnicate"]).err, 'yubin: unknown command "frobnicate" (try `yubin help`)\n');
  assert.deepEqual(yubin(["queue", "list"]), { code: 0, out: "0 queued\n", err: "" });
});

test("serve: first start creates a certificate and an admin account, SIGTERM stops cleanly", async () => {
  const proc = await startServerProcess({ listeners: [{ protocol: "smtp", tls: "none" }] });
  try {
    const out = proc.output();
    assert.match(out, /First account: admin@mail\.example\.test {2}password: [A-Za-z0-9_-]{16}\n/);
    assert.ok(existsSync(join(proc.dataDir, "tls", "cert.pem")));
    assert.ok(proc.ports.get("smtp/none")! > 0);
    assert.equal(await proc.kill("SIGTERM"), 0);
  } finally {
    await proc.stop();
  }
});
