// Graceful close of an IMAP listener (server/sessions.ts closeListener, shared with SMTP and
// POP3): an idle connection is told BYE at once; a FETCH under way finishes its response first,
// whole, and is followed by the BYE (RFC 9051 7.1.5), so no client sees a response cut by it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultsOf } from "../config/dsl.js";
import type { ListenerConfig } from "../config/schema.js";
import { eventually } from "../testing/eventually.js";
import { startTestServer, testPassword } from "../testing/harness.js";
import { imapSection } from "./config.js";
import { startImapListener } from "./listener.js";
import { RawClient } from "./test-client.js";

test("close: idle connections get BYE at once, a FETCH under way completes before its BYE", async () => {
  const server = await startTestServer();
  const imap = { ...defaultsOf(imapSection), allowPlaintextAuth: true, outputBufferBytes: 64 * 1024 };
  const ctx = { ...server.ctx, config: { ...server.ctx.config, imap } };
  const l: ListenerConfig = { protocol: "imap", address: "127.0.0.1", port: 0, tls: "none" };
  const running = await startImapListener(l, ctx);
  try {
    const alice = server.users[0]!;
    const inbox = await server.store.mail.getMailbox(alice.id, "INBOX");
    assert.ok(inbox);
    // 4 MB: far more than the socket and outputBufferBytes hold, so the FETCH waits for the client.
    const text = `Subject: big\r\n\r\n${"0123456789abcdef".repeat(65536 * 4)}\r\n`;
    await server.store.mail.deliver(Buffer.from(text), [{ accountId: alice.id, mailboxId: inbox.id }]);

    const idle = await RawClient.connect(running.port);
    await idle.line();
    assert.match((await idle.cmd("a", `LOGIN ${alice.address} "${testPassword}"`)).at(-1)!, /^a OK/);
    const busy = await RawClient.connect(running.port);
    await busy.line();
    await busy.cmd("a", `LOGIN ${alice.address} "${testPassword}"`);
    await busy.cmd("b", "SELECT INBOX");
    busy.pause();
    busy.write("c FETCH 1 BODY.PEEK[]\r\n");
    // The FETCH has started (its first bytes are here, unread) and is now waiting for the client.
    await eventually("the FETCH response has started", () => busy.unreadBytes() > 0);

    const closing = running.close(20_000);
    assert.equal(await idle.line(5000), "* BYE Server shutting down");
    busy.resume();
    const lines = await busy.until("c", 20_000);
    assert.equal(lines.length, 2);
    assert.ok(lines[0]!.startsWith("* 1 FETCH (BODY[] {"), lines[0]!.slice(0, 40));
    assert.ok(lines[0]!.endsWith(`${text})`), "the whole message, uncut");
    assert.equal(lines[1], "c OK FETCH completed");
    assert.equal(await busy.line(5000), "* BYE Server shutting down");
    await closing;
    assert.ok(idle.closed && busy.closed);
  } finally {
    await running.close(0);
    await server.stop();
  }
});
