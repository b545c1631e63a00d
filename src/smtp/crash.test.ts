// Durability: a server killed with SIGKILL in the middle of a delivery storm has every message
// it answered 250 for, after restart. (250 is sent only after store.mail.deliver resolved.)
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStore } from "../app/stores.js";
import { hashPassword } from "../auth/password.js";
import { defaultConfig } from "../config/load.js";
import { silentLogger } from "../log/logger.js";
import { LocalNotifier } from "../store/notifier.js";
import { testStorage } from "../testing/backend.js";
import { startServerProcess } from "../testing/process.js";
import { RawSmtpClient } from "./test-client.js";
import { inbox } from "./test-server.js";

test("kill -9: every message that got 250 is there after restart", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-smtp-crash-"));
  // On the store YUBIN_TEST_BACKEND names: PostgreSQL's commit must hold the 250 as SQLite's does.
  const backend = await testStorage();
  try {
    const config = defaultConfig();
    config.server.dataDir = dataDir;
    Object.assign(config.storage, backend.storage);
    const open = () => openStore(config, new LocalNotifier(), silentLogger);
    const setup = await open();
    await setup.directory.addDomain("example.test");
    const account = await setup.directory.createAccount({
      address: "alice@example.test",
      passwordHash: await hashPassword("unused-password-1"),
    });
    await setup.close();

    const proc = await startServerProcess({
      dataDir,
      keepData: true,
      listeners: [{ protocol: "smtp", tls: "none" }],
      config: { storage: backend.storage },
    });
    const port = proc.ports.get("smtp/none")!;
    const acked: string[] = [];
    let killed = false;
    const deadline = Date.now() + 15000;

    const sender = async () => {
      const c = await RawSmtpClient.connect({ port, timeoutMs: 5000 });
      try {
        await c.reply();
        await c.cmd("EHLO crash.example");
        while (!killed && Date.now() < deadline) {
          const marker = randomUUID();
          c.send("MAIL FROM:<load@remote.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
          const r = await c.replies(3);
          if (r[2] !== "354 End data with <CR><LF>.<CR><LF>") throw new Error(`unexpected ${r.join(" | ")}`);
          c.send(`Subject: ${marker}\r\n\r\n${"payload ".repeat(200)}\r\n.\r\n`);
          if (/^250 2\.0\.0 OK: queued as /.test(await c.reply())) acked.push(marker);
        }
      } catch {
        // the kill cut the session: expected for every sender
      } finally {
        c.close();
      }
    };
    const senders = Array.from({ length: 8 }, sender);
    while (acked.length < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    killed = true;
    await proc.kill("SIGKILL");
    await Promise.all(senders);
    assert.ok(acked.length >= 150, `only ${acked.length} messages acknowledged before the deadline`);

    const after = await open();
    try {
      const stored = (await inbox(after, account.id)).map((b) => b.toString());
      const missing = acked.filter((m) => !stored.some((b) => b.includes(m)));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged messages lost`);
    } finally {
      await after.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await backend.drop();
  }
});
