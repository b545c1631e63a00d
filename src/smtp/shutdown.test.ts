// Graceful shutdown: idle sessions are told 421 at once; a message being received may finish
// within the grace period and is stored (250) before the store closes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RawSmtpClient } from "./test-client.js";
import { startSmtpTestServer } from "./test-server.js";

test("shutdown: idle sessions get 421, an open DATA finishes and is acknowledged", async () => {
  const s = await startSmtpTestServer({ config: { server: { shutdownGraceSec: 5 } } });
  const idle = await RawSmtpClient.connect({ port: s.ports.smtp });
  await idle.reply();
  await idle.cmd("EHLO idle.example");
  const busy = await RawSmtpClient.connect({ port: s.ports.smtp });
  await busy.reply();
  await busy.cmd("EHLO busy.example");
  busy.send("MAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
  assert.equal((await busy.replies(3))[2], "354 End data with <CR><LF>.<CR><LF>");
  busy.send("Subject: in flight\r\n\r\nfirst half\r\n");

  const stopping = s.stop();
  assert.equal(await idle.reply(), "421 4.3.2 Server shutting down");
  await idle.waitClosed();
  busy.send("second half\r\n.\r\n");
  assert.match(await busy.reply(), /^250 2\.0\.0 OK: queued as /);
  assert.equal(await busy.reply(), "421 4.3.2 Server shutting down");
  await busy.waitClosed();
  await stopping;
});
