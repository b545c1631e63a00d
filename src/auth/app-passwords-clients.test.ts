// App passwords (issue 15) with real clients over real sockets: imapflow logs in with one whose
// scopes include imap, nodemailer submits with an smtp-scoped one, Python's poplib is refused one
// without pop3 exactly as a wrong password is, JMAP Basic authentication takes a jmap-scoped one,
// and the webmail login never takes one. Revoking ends the device's open IMAP session at its next
// command (auth.sessionRecheckSec left at its 60 s default: app-password sessions check every
// command) and its next login fails; the account password goes on working throughout.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { send } from "../http/test-client.js";
import { RawClient } from "../imap/test-client.js";
import { Pop3TestClient } from "../pop3/test-client.js";
import { b64, RawSmtpClient } from "../smtp/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";

const ALICE = "alice@example.test";
/** Has two-factor login on (issue 15): protocols need an app password. */
const BOB = "bob@example.test";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Python's poplib: USER/PASS over POP3S; prints the server's reply to PASS (or "+OK"). */
const poplibScript = `
import json, poplib, ssl, sys
a = json.load(sys.stdin)
ctx = ssl.create_default_context(cafile=a["cafile"])
p = poplib.POP3_SSL("127.0.0.1", a["port"], context=ctx, timeout=10)
p.user(a["user"])
try:
    print(p.pass_(a["pass"]).decode())
    p.quit()
except poplib.error_proto as e:
    print(e.args[0].decode())
`;

function python(script: string, input: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-c", script], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => p.kill("SIGKILL"), 20_000);
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`python3 exited ${code}: ${err}`));
    });
    p.stdin.end(JSON.stringify(input));
  });
}

describe("app passwords with real clients", () => {
  let srv: TestServer;
  let aliceId: number;
  let certFile: string;

  before(async () => {
    srv = await startTestServer({
      users: [
        { address: ALICE, password: testPassword },
        { address: BOB, password: testPassword },
      ],
      config: { auth: { appPasswordIdleRecheckSec: 1 } },
    });
    aliceId = srv.users[0]!.id;
    certFile = `${srv.dataDir}/test-ca.pem`;
    const { writeFile } = await import("node:fs/promises");
    await writeFile(certFile, srv.certPem);
  });
  after(() => srv.stop());

  const make = (name: string, scopes: ("imap" | "pop3" | "smtp" | "jmap")[]) =>
    srv.ctx.appPasswords.create(aliceId, { name, scopes });

  function imap(pass: string): ImapFlow {
    return new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: ALICE, pass },
      logger: false,
    });
  }

  async function imapLoginFails(pass: string): Promise<void> {
    const c = imap(pass);
    c.on("error", () => {});
    await assert.rejects(c.connect(), (e: Error & { authenticationFailed?: boolean }) => {
      assert.equal(e.authenticationFailed, true, String(e));
      return true;
    });
  }

  const pop3 = (pass: string) =>
    python(poplibScript, { port: srv.ports.pop3s, cafile: certFile, user: ALICE, pass });

  function submit(pass: string, subject: string) {
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: srv.ports.submissions,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: ALICE, pass },
    });
    return t.sendMail({
      from: ALICE,
      to: ALICE,
      subject,
      text: "sent with an app password",
    });
  }

  const jmapStatus = async (pass: string) =>
    (
      await send({
        port: srv.ports.https!,
        ca: srv.certPem,
        host: `localhost:${srv.ports.https}`,
        path: "/.well-known/jmap",
        headers: { Authorization: `Basic ${Buffer.from(`${ALICE}:${pass}`).toString("base64")}` },
      })
    ).status;

  test("imapflow logs in with an imap-scoped app password (as shown, or without its spaces); its last use is recorded", async () => {
    const { appPassword, secret } = await make("Phone", ["imap", "smtp"]);
    assert.match(secret, /^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$/);
    assert.equal(appPassword.lastUsedAt, null);
    const before = Date.now();
    const c = imap(secret);
    await c.connect();
    const box = await c.mailboxOpen("INBOX");
    assert.equal(box.path, "INBOX");
    await c.logout();
    const used = await srv.store.appPasswords.get(aliceId, appPassword.id);
    assert.equal(used?.lastUsedIp, "127.0.0.1");
    assert.ok(used?.lastUsedAt && used.lastUsedAt.getTime() >= before - 1000, "last used now");
    const compact = imap(secret.replaceAll(" ", "").toUpperCase());
    await compact.connect();
    await compact.logout();
  });

  test("Python poplib: an app password without the pop3 scope gets the reply of a wrong password; with it, +OK", async (t) => {
    const skip = commandSkip("python3");
    if (skip) return t.skip(skip);
    const { secret } = await make("Mail app", ["imap"]);
    const wrong = await pop3("not the password");
    assert.match(wrong, /^-ERR /);
    assert.equal(await pop3(secret), wrong, "refused exactly like a wrong password");
    const { secret: popSecret } = await make("Old phone", ["pop3"]);
    assert.match(await pop3(popSecret), /^\+OK/);
  });

  test("nodemailer submits with an smtp-scoped app password; an imap-only one gets 535", async () => {
    const { secret } = await make("Laptop", ["smtp"]);
    const info = await submit(secret, "app password submission");
    assert.equal(info.accepted.length, 1);
    const { secret: imapOnly } = await make("Reader", ["imap"]);
    await assert.rejects(submit(imapOnly, "refused"), (e: Error & { responseCode?: number }) => {
      assert.equal(e.responseCode, 535, String(e));
      return true;
    });
  });

  test("JMAP Basic authentication takes a jmap-scoped app password only; the webmail login never takes one", async () => {
    const { secret } = await make("JMAP client", ["jmap"]);
    const { secret: imapOnly } = await make("Not JMAP", ["imap"]);
    assert.equal(await jmapStatus(secret), 200);
    assert.equal(await jmapStatus(imapOnly), 401);
    const web = await send({
      port: srv.ports.https!,
      ca: srv.certPem,
      host: `localhost:${srv.ports.https}`,
      path: "/webmail/login",
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: `https://localhost:${srv.ports.https}` },
      body: JSON.stringify({ username: ALICE, password: secret }),
    });
    assert.equal(web.status, 401, web.body);
  });

  test("revoking ends the device's open IMAP session at its next command and its next login fails; the account password still works", async () => {
    const { appPassword, secret } = await make("Lost phone", ["imap"]);
    const lost = imap(secret);
    lost.on("error", () => {});
    await lost.connect();
    await lost.mailboxOpen("INBOX");
    const keep = imap(testPassword);
    await keep.connect();
    await keep.mailboxOpen("INBOX");
    let closed = false;
    lost.on("close", () => {
      closed = true;
    });
    assert.equal(await srv.store.appPasswords.revoke(aliceId, appPassword.id), true);
    await lost.noop().catch(() => {});
    for (let i = 0; i < 50 && !closed; i++) await sleep(100);
    assert.ok(closed, "the server ended the revoked device's session");
    assert.equal(lost.usable, false);
    await imapLoginFails(secret);
    await keep.noop();
    assert.equal(keep.usable, true, "the account password's session goes on");
    await keep.logout();
  });

  test("revoking ends a POP3 session (-ERR [AUTH]) and an SMTP submission session (421) at their next command", async () => {
    const { appPassword, secret } = await make("Old laptop", ["pop3", "smtp"]);
    const pop = await Pop3TestClient.connect(srv.ports.pop3s, { tls: true, ca: srv.certPem });
    const smtp = await RawSmtpClient.connect({ port: srv.ports.submissions, tls: true });
    try {
      await pop.readLine();
      assert.match(await pop.login(ALICE, secret), /^\+OK/);
      assert.match(await pop.cmd("STAT"), /^\+OK/);
      assert.match(await smtp.reply(), /^220 /);
      await smtp.cmd("EHLO laptop.example");
      assert.equal(
        await smtp.cmd(`AUTH PLAIN ${b64(`\0${ALICE}\0${secret}`)}`),
        "235 2.7.0 Authentication successful",
      );
      assert.equal(await smtp.cmd(`MAIL FROM:<${ALICE}>`), "250 2.1.0 Sender OK");
      assert.equal(await smtp.cmd("RSET"), "250 2.0.0 OK");
      await srv.store.appPasswords.revoke(aliceId, appPassword.id);
      assert.equal(
        await pop.cmd("STAT"),
        "-ERR [AUTH] credentials changed or account disabled, closing connection",
      );
      assert.ok(await pop.waitClosed());
      assert.equal(
        await smtp.cmd(`MAIL FROM:<${ALICE}>`),
        "421 4.7.0 Credentials changed or account disabled, closing connection",
      );
      await smtp.waitClosed();
    } finally {
      pop.close();
      smtp.close();
    }
  });

  test("an IMAP session idling (IDLE) with a revoked app password gets BYE within auth.appPasswordIdleRecheckSec", async () => {
    const { appPassword, secret } = await make("Idle phone", ["imap"]);
    const { secret: liveSecret } = await make("Idle tablet", ["imap"]);
    const c = await RawClient.connect(srv.ports.imaps!, { tls: true });
    const live = await RawClient.connect(srv.ports.imaps!, { tls: true });
    try {
      assert.match(await live.line(), /^\* OK /);
      assert.match((await live.cmd("a", `LOGIN ${ALICE} "${liveSecret}"`)).at(-1)!, /^a OK /);
      assert.match((await live.cmd("b", "SELECT INBOX")).at(-1)!, /^b OK /);
      live.write("c IDLE\r\n");
      assert.equal(await live.line(), "+ idling");
      assert.match(await c.line(), /^\* OK /);
      assert.match((await c.cmd("a", `LOGIN ${ALICE} "${secret}"`)).at(-1)!, /^a OK /);
      assert.match((await c.cmd("b", "SELECT INBOX")).at(-1)!, /^b OK /);
      c.write("c IDLE\r\n");
      assert.equal(await c.line(), "+ idling");
      await srv.store.appPasswords.revoke(aliceId, appPassword.id);
      // No command and no mail: the session wakes itself (1 s here, 5 s by default).
      // Due after 1 s; the bound is generous for a loaded machine, not a speed requirement.
      assert.equal(
        await c.line(15_000),
        "* BYE [UNAVAILABLE] Credentials changed or account disabled, log in again",
      );
      for (let i = 0; i < 50 && !c.closed; i++) await sleep(100);
      assert.ok(c.closed, "the server closed the connection");
      // The other device idled through the same checks and was told nothing.
      await sleep(1500);
      live.write("DONE\r\n");
      assert.equal(await live.line(), "c OK IDLE terminated");
    } finally {
      c.close();
      live.close();
    }
  });

  test("with two-factor login on, IMAP refuses the account password and takes an app password", async () => {
    const bobId = srv.users[1]!.id;
    await srv.store.secondFactors.beginTotp(bobId, { sealedSecret: "sealed", at: new Date() });
    assert.equal(await srv.store.secondFactors.confirmTotp(bobId, 1), true);
    const { secret } = await srv.ctx.appPasswords.create(bobId, { name: "Phone", scopes: ["imap"] });
    const login = (pass: string) =>
      new ImapFlow({
        host: "127.0.0.1",
        port: srv.ports.imaps!,
        secure: true,
        tls: { ca: srv.certPem, servername: "mail.example.test" },
        auth: { user: BOB, pass },
        logger: false,
      });
    const refused = login(testPassword);
    refused.on("error", () => {});
    await assert.rejects(refused.connect(), (e: Error & { authenticationFailed?: boolean }) => {
      assert.equal(e.authenticationFailed, true, String(e));
      return true;
    });
    const raw = await RawClient.connect(srv.ports.imaps!, { tls: true });
    try {
      assert.match(await raw.line(), /^\* OK /);
      assert.deepEqual(await raw.cmd("a", `LOGIN ${BOB} "${testPassword}"`), [
        "a NO [AUTHENTICATIONFAILED] Two-factor authentication is on: use an app password",
      ]);
    } finally {
      raw.close();
    }
    const c = login(secret);
    await c.connect();
    assert.equal((await c.mailboxOpen("INBOX")).path, "INBOX");
    await c.logout();
  });
});
