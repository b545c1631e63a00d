// `yubin status` against a running `yubin serve` (a child process): every listener up, the
// certificate read from a TLS handshake, the queue from the store, the server's own report over
// the [metrics] listener; exit 0. Once the server is stopped, the same command exits 1 naming
// what is red.
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { test } from "node:test";
import { runCommand, YUBIN_BIN } from "../../cli/test-cli.js";
import { freePort } from "../../testing/net.js";
import { startServerProcess } from "../../testing/process.js";

test("yubin status: all up and exit 0; the server stopped, exit 1 naming the dead listeners", async () => {
  const [smtp, imaps, https, metrics] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const srv = await startServerProcess({
    listeners: [
      { protocol: "smtp", tls: "none", port: smtp },
      { protocol: "imap", tls: "implicit", port: imaps },
      { protocol: "http", tls: "implicit", port: https },
    ],
    config: { metrics: { listen: `127.0.0.1:${metrics}` } },
    keepData: true,
  });
  const status = () =>
    runCommand(process.execPath, [YUBIN_BIN, "--config", srv.configPath, "status"], { timeoutMs: 60_000 });
  try {
    const ok = await status();
    assert.equal(ok.code, 0, ok.out + ok.err);
    for (const port of [smtp, imaps, https, metrics])
      assert.match(ok.out, new RegExp(`127\\.0\\.0\\.1:${port} +\\S+ +up`));
    assert.match(ok.out, /^certificate {2}warn$/m, "the self-signed certificate is a warning, not red");
    assert.match(ok.out, /names {6}mail\.example\.test/);
    assert.match(ok.out, /expires {4}\S+ \(\d+ days\)/);
    assert.match(ok.out, /^queue {8}ok: 0 messages, 0 deferred/m);
    assert.match(ok.out, /^server {7}ok: ready, up since /m);
    assert.match(ok.out, /^recent warnings and errors \(\d+ of \d+ kept\)$/m);
    assert.match(ok.out, /^status ok$/m);

    await srv.kill("SIGTERM");
    const red = await status();
    assert.equal(red.code, 1, red.out + red.err);
    assert.match(red.out, new RegExp(`127\\.0\\.0\\.1:${smtp} +none +RED`));
    assert.match(red.err, /status RED: .*smtp 127\.0\.0\.1:\d+ does not answer/);
    assert.match(red.err, /server: \/status not answered/);
  } finally {
    await srv.kill("SIGKILL");
    await rm(srv.dataDir, { recursive: true, force: true });
  }
});
