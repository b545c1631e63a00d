// Issue 18: a connection that sends only commands that do nothing (NOOP, VRFY, EXPN, HELP, RSET,
// unknown or failed ones) used to live for smtp.maxSessionSec (an hour). Past
// smtp.maxJunkCommands it gets 421 and is closed, as Postfix's smtpd_junk_command_limit does; an
// accepted message starts the count over. Raw client, exact replies.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TestServer } from "../testing/harness.js";
import { RawSmtpClient } from "./test-client.js";
import { startSmtpTestServer } from "./test-server.js";

const LIMIT = 6;
const JUNK_421 = "421 4.7.0 mail.example.test Error: too many junk commands";

describe("smtp.maxJunkCommands", () => {
  let s: TestServer;
  before(async () => {
    // maxErrors above the junk limit, so it is the junk count that ends the session.
    s = await startSmtpTestServer({ config: { smtp: { maxJunkCommands: LIMIT, maxErrors: 50 } } });
  });
  after(() => s.stop());

  const connect = async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.smtp });
    assert.match(await c.reply(), /^220 /);
    assert.match(await c.cmd("EHLO client.example"), /^250-/);
    return c;
  };

  test("NOOPs: the one past the limit gets 421 instead of 250 and the connection closes", async () => {
    const c = await connect();
    try {
      for (let i = 0; i < LIMIT; i++) assert.equal(await c.cmd("NOOP"), "250 2.0.0 OK");
      assert.equal(await c.cmd("NOOP"), JUNK_421);
      await c.waitClosed();
      assert.ok(c.closed);
    } finally {
      c.close();
    }
  });

  test("every kind counts: VRFY, EXPN, HELP, RSET, unknown and failed commands", async () => {
    const c = await connect();
    try {
      assert.match(await c.cmd("VRFY postmaster"), /^252 /);
      assert.match(await c.cmd("EXPN staff"), /^[25]\d\d /);
      assert.match(await c.cmd("HELP"), /^214 /);
      assert.equal(await c.cmd("RSET"), "250 2.0.0 OK");
      assert.equal(await c.cmd("XYZZY"), "500 5.5.2 Command unrecognized");
      assert.match(await c.cmd("RCPT TO:<alice@example.test>"), /^503 /); // failed: no MAIL
      assert.equal(await c.cmd("NOOP"), JUNK_421);
      await c.waitClosed();
    } finally {
      c.close();
    }
  });

  test("commands that do something do not count, and an accepted message starts the count over", async () => {
    const c = await connect();
    try {
      for (let i = 0; i < LIMIT - 1; i++) assert.equal(await c.cmd("NOOP"), "250 2.0.0 OK");
      assert.match(await c.cmd("EHLO client.example"), /^250-/);
      assert.equal(await c.cmd("MAIL FROM:<sender@remote.example>"), "250 2.1.0 Sender OK");
      assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
      assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
      assert.match(await c.cmd("Subject: junk count\r\n\r\nHello\r\n."), /^250 2\.0\.0 OK: queued as /);
      for (let i = 0; i < LIMIT; i++) assert.equal(await c.cmd("RSET"), "250 2.0.0 OK");
      assert.equal(await c.cmd("RSET"), JUNK_421);
      await c.waitClosed();
    } finally {
      c.close();
    }
  });
});
