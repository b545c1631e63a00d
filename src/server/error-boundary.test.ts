// Issue 18: a bug in one command must cost that one connection, never the process or the others.
// Each protocol's command table gets a handler that throws once (testing/inject.ts): the client
// that hit it gets the protocol's error reply and is disconnected; a second connection opened
// before keeps being served.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { commandTable as imapCommands } from "../imap/commands/index.js";
import { ImapConnection } from "../imap/session.js";
import { RawClient } from "../imap/test-client.js";
import { commandTable as pop3Commands } from "../pop3/commands/index.js";
import { Pop3TestClient } from "../pop3/test-client.js";
import { commandTable as smtpCommands } from "../smtp/commands/index.js";
import { RawSmtpClient } from "../smtp/test-client.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { once, replaceCommand } from "../testing/inject.js";

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(() => srv.stop());

const bug = () => new Error("injected bug");

test("SMTP: a handler that throws gets 451 4.3.0 and that connection closes; another goes on", async () => {
  const other = await RawSmtpClient.connect({ port: srv.ports.smtp, timeoutMs: 5000 });
  const victim = await RawSmtpClient.connect({ port: srv.ports.smtp, timeoutMs: 5000 });
  await other.reply();
  await victim.reply();
  const first = once();
  const restore = replaceCommand(smtpCommands, "NOOP", (orig) => ({
    ...orig,
    run: (s, arg, state) => {
      if (first()) throw bug();
      return orig.run(s, arg, state);
    },
  }));
  try {
    assert.match(await victim.cmd("NOOP"), /^451 4\.3\.0 /);
    await victim.waitClosed();
    assert.match(await other.cmd("NOOP"), /^250 /);
    assert.match(await other.cmd("EHLO client.example"), /^250[ -]/);
  } finally {
    restore();
    other.close();
    victim.close();
  }
});

test("POP3: a handler that throws gets -ERR [SYS/TEMP] and that connection closes; another goes on", async () => {
  const other = await Pop3TestClient.connect(srv.ports.pop3);
  const victim = await Pop3TestClient.connect(srv.ports.pop3);
  await other.readLine();
  await victim.readLine();
  const first = once();
  const restore = replaceCommand(
    pop3Commands as Record<string, { run: (...a: never[]) => Promise<void> }>,
    "CAPA",
    (orig) => ({
      ...orig,
      run: (...args: never[]) => {
        if (first()) throw bug();
        return orig.run(...args);
      },
    }),
  );
  try {
    assert.equal(await victim.cmd("CAPA"), "-ERR [SYS/TEMP] internal server error");
    assert.equal(await victim.waitClosed(), true);
    assert.equal((await other.multi("CAPA")).first.startsWith("+OK"), true);
    assert.equal((await other.multi("CAPA")).first.startsWith("+OK"), true);
  } finally {
    restore();
  }
});

test("IMAP: a handler that throws gets NO [SERVERBUG], then BYE, and that connection closes; another goes on", async () => {
  const other = await RawClient.connect(srv.ports.imap!);
  const victim = await RawClient.connect(srv.ports.imap!);
  await other.line();
  await victim.line();
  const first = once();
  const restore = replaceCommand(
    imapCommands as Record<string, { run: (...a: never[]) => unknown }>,
    "NOOP",
    (orig) => ({
      ...orig,
      run: (...args: never[]) => {
        if (first()) throw bug();
        return orig.run(...args);
      },
    }),
  );
  try {
    const lines = await victim.cmd("a1", "NOOP");
    assert.equal(lines.at(-1), "a1 NO [SERVERBUG] Internal error");
    assert.equal(await victim.line(), "* BYE [SERVERBUG] Closing after an internal error");
    await victim.quiet(200);
    assert.equal(victim.closed, true);
    assert.deepEqual(await other.cmd("b1", "NOOP"), ["b1 OK NOOP completed"]);
    assert.equal((await other.cmd("b2", "CAPABILITY")).at(-1), "b2 OK CAPABILITY completed");
  } finally {
    restore();
    other.close();
    victim.close();
  }
});

test("IMAP: an exception while a connection's input is read gets BYE and closes it; another goes on", async () => {
  const other = await RawClient.connect(srv.ports.imap!);
  const victim = await RawClient.connect(srv.ports.imap!);
  await other.line();
  await victim.line();
  // The reader hands each complete command to frame(), inside the socket's "data" event: a throw
  // there escaped to the process as an uncaught exception.
  const frame = ImapConnection.prototype.frame;
  const first = once();
  ImapConnection.prototype.frame = function (this: ImapConnection, f) {
    if (first()) throw bug();
    return frame.call(this, f);
  };
  try {
    victim.write("a1 NOOP\r\n");
    assert.equal(await victim.line(), "* BYE [SERVERBUG] Internal error");
    await victim.quiet(200);
    assert.equal(victim.closed, true);
    assert.deepEqual(await other.cmd("b1", "NOOP"), ["b1 OK NOOP completed"]);
  } finally {
    ImapConnection.prototype.frame = frame;
    other.close();
    victim.close();
  }
});
