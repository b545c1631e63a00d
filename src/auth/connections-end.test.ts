// Issue 18, finding 10, for connections that logged in before the change: after a password
// reset (the store call the admin page makes, or `yubin user passwd` in another process), a
// disable, an IMAP, POP3 or SMTP submission session re-reads its account at its next command
// once auth.sessionRecheckSec has passed (or when an IDLE wakes up) and ends; a session whose
// account did not change goes on. Real sockets, exact replies.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { RawClient } from "../imap/test-client.js";
import { Pop3TestClient } from "../pop3/test-client.js";
import { b64, RawSmtpClient } from "../smtp/test-client.js";
import { cliConfigFor } from "../testing/cli-config.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { hashPassword } from "./password.js";

const bin = resolve(import.meta.dirname, "../../bin/yubin.js");
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longer than the 1 s recheck interval the server is given. */
const PAST_RECHECK_MS = 1200;
const IMAP_BYE = "* BYE [UNAVAILABLE] Credentials changed or account disabled, log in again";

const users = ["imap", "idle", "off", "cli", "pop", "smtp", "keep"].map((n) => ({
  address: `${n}@example.test`,
  password: testPassword,
}));

const message = (subject: string) =>
  Buffer.from(
    `From: a@example.net\r\nTo: x@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.net>\r\n\r\nHello.\r\n`,
  );

describe("a password reset or a disable ends IMAP, POP3 and SMTP sessions already logged in", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ users, config: { auth: { sessionRecheckSec: 1 } } });
  });
  after(() => srv.stop());

  const idOf = async (address: string) => (await srv.store.directory.getAccountByAddress(address))!.id;
  /** What the admin page's "Reset password" does (admin/users.ts). */
  const resetPassword = async (address: string) =>
    srv.store.directory.updateAccount(await idOf(address), {
      passwordHash: await hashPassword("a brand new secret"),
    });

  async function imapLogin(address: string): Promise<RawClient> {
    const c = await RawClient.connect(srv.ports.imaps!, { tls: true });
    assert.match(await c.line(), /^\* OK /);
    assert.match((await c.cmd("a", `LOGIN ${address} "${testPassword}"`)).at(-1)!, /^a OK /);
    assert.match((await c.cmd("b", "SELECT INBOX")).at(-1)!, /^b OK /);
    return c;
  }

  async function assertClosed(c: { closed: boolean }): Promise<void> {
    for (let i = 0; i < 50 && !c.closed; i++) await sleep(100);
    assert.ok(c.closed, "the server closed the connection");
  }

  test("IMAP: the next command after a reset gets BYE and the connection closes; another account's session goes on", async () => {
    const c = await imapLogin("imap@example.test");
    const other = await imapLogin("keep@example.test");
    try {
      await resetPassword("imap@example.test");
      await sleep(PAST_RECHECK_MS);
      c.write("c NOOP\r\n");
      assert.equal(await c.line(), IMAP_BYE);
      await assertClosed(c);
      assert.deepEqual(await other.cmd("c", "NOOP"), ["c OK NOOP completed"]);
    } finally {
      c.close();
      other.close();
    }
  });

  test("IMAP IDLE: new mail after a reset wakes the session, which says BYE instead of EXISTS", async () => {
    const c = await imapLogin("idle@example.test");
    try {
      c.write("c IDLE\r\n");
      assert.equal(await c.line(), "+ idling");
      await resetPassword("idle@example.test");
      await sleep(PAST_RECHECK_MS);
      await srv.store.mail.deliver(message("after-reset"), [{ accountId: await idOf("idle@example.test") }]);
      assert.equal(await c.line(), IMAP_BYE);
      await assertClosed(c);
    } finally {
      c.close();
    }
  });

  test("IMAP: disabling the account ends its session", async () => {
    const c = await imapLogin("off@example.test");
    try {
      await srv.store.directory.updateAccount(await idOf("off@example.test"), { disabled: true });
      await sleep(PAST_RECHECK_MS);
      c.write("c FETCH 1:* (FLAGS)\r\n");
      assert.equal(await c.line(), IMAP_BYE);
      await assertClosed(c);
    } finally {
      c.close();
    }
  });

  test("IMAP: `yubin user passwd` in another process is noticed too", async () => {
    const c = await imapLogin("cli@example.test");
    try {
      const configPath = join(srv.dataDir, "yubin.toml");
      await writeFile(configPath, cliConfigFor(srv));
      const child = run(
        process.execPath,
        [bin, "--config", configPath, "user", "passwd", "cli@example.test", "--password-stdin"],
        { timeout: 60_000 },
      );
      child.child.stdin?.end("changed by the cli, long enough\n");
      assert.equal((await child).stdout, "password changed for cli@example.test\n");
      await sleep(PAST_RECHECK_MS);
      c.write("c NOOP\r\n");
      assert.equal(await c.line(), IMAP_BYE);
      await assertClosed(c);
    } finally {
      c.close();
    }
  });

  test("POP3: -ERR [AUTH] and closed, and the DELE before it is not committed (RFC 1939 6)", async () => {
    const id = await idOf("pop@example.test");
    await srv.store.mail.deliver(message("kept"), [{ accountId: id }]);
    const c = await Pop3TestClient.connect(srv.ports.pop3s, { tls: true, ca: srv.certPem });
    try {
      await c.readLine();
      assert.match(await c.login("pop@example.test", testPassword), /^\+OK/);
      assert.match(await c.cmd("DELE 1"), /^\+OK/);
      await resetPassword("pop@example.test");
      await sleep(PAST_RECHECK_MS);
      assert.equal(
        await c.cmd("QUIT"),
        "-ERR [AUTH] credentials changed or account disabled, closing connection",
      );
      assert.ok(await c.waitClosed());
      const inbox = (await srv.store.mail.getMailbox(id, "INBOX"))!;
      assert.equal((await srv.store.mail.listFlags(inbox.id, {})).length, 1, "the message is still there");
    } finally {
      c.close();
    }
  });

  test("SMTP submission: 421 4.7.0 and closed; another account's session goes on", async () => {
    const open = async (user: string) => {
      const c = await RawSmtpClient.connect({ port: srv.ports.submissions, tls: true });
      assert.match(await c.reply(), /^220 /);
      await c.cmd("EHLO client.example");
      assert.equal(
        await c.cmd(`AUTH PLAIN ${b64(`\0${user}\0${testPassword}`)}`),
        "235 2.7.0 Authentication successful",
      );
      return c;
    };
    const c = await open("smtp@example.test");
    const other = await open("keep@example.test");
    try {
      await resetPassword("smtp@example.test");
      await sleep(PAST_RECHECK_MS);
      assert.equal(
        await c.cmd("MAIL FROM:<smtp@example.test>"),
        "421 4.7.0 Credentials changed or account disabled, closing connection",
      );
      await c.waitClosed();
      assert.equal(await other.cmd("MAIL FROM:<keep@example.test>"), "250 2.1.0 Sender OK");
    } finally {
      c.close();
      other.close();
    }
  });
});
