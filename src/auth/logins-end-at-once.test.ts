// Issue 15: a disable, a password reset or a revoked app password ends the account's sessions at
// once, idle ones included, whichever process made the change: the store reports it (this
// process right after the commit, another within its 1 s poll: store/sqlite/web-sessions.ts),
// each listener hands it to that account's connections (auth/login-recheck.ts recheckNow).
// auth.sessionRecheckSec stays at its 60 s default, so the periodic backstop cannot be what
// ends them. Real clients: imapflow in IDLE, raw IMAP, Python's poplib, nodemailer's
// SMTPConnection, the ManageSieve test client, a JMAP EventSource stream, the web cookie.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { request } from "node:https";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { WebClient } from "../http/test-client.js";
import { RawClient } from "../imap/test-client.js";
import { plainAuth, SieveTestClient } from "../managesieve/test-client.js";
import { Pop3TestClient } from "../pop3/test-client.js";
import { cliConfigFor } from "../testing/cli-config.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";
import { hashPassword } from "./password.js";

const bin = resolve(import.meta.dirname, "../../bin/yubin.js");
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const IMAP_BYE = "* BYE [UNAVAILABLE] Credentials changed or account disabled, log in again";
/** How soon after the change a session must have ended: the 1 s poll, a recheck, slack for a
 *  loaded machine (a loaded CI run took 1,042 ms of the 4,000 this was). A quarter of
 *  auth.sessionRecheckSec (60 s), the next chance a session has without the poll. */
const PROMPTLY_MS = 15_000;

const names = ["cli", "pop", "raw", "app", "reset", "other"];
const users = names.map((n) => ({ address: `${n}@example.test`, password: testPassword }));

/** Resolves with the ms from `since` to the event, or rejects after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    sleep(ms).then(() => {
      throw new Error(`${what}: not within ${ms} ms`);
    }),
  ]);
}

// Python's poplib logs in, says READY, then reads what the server sends unasked.
const poplibScript = `
import poplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.check_hostname = False
p = poplib.POP3_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=20)
p.user(sys.argv[3])
p.pass_(sys.argv[4])
print("READY", flush=True)
print(repr(p.file.readline()), flush=True)
print(repr(p.file.readline()), flush=True)
`;

describe("a disable, a reset or a revoked app password ends sessions at once, idle ones too", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ users });
  });
  after(() => srv.stop());

  const idOf = async (address: string) => (await srv.store.directory.getAccountByAddress(address))!.id;

  async function imapflow(user: string, pass = testPassword): Promise<ImapFlow> {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      auth: { user, pass },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    c.on("error", () => {}); // the server's BYE closes it: expected here
    await c.connect();
    await c.mailboxOpen("INBOX");
    return c;
  }

  async function rawImap(user: string): Promise<RawClient> {
    const c = await RawClient.connect(srv.ports.imaps!, { tls: true });
    assert.match(await c.line(), /^\* OK /);
    assert.match((await c.cmd("a", `LOGIN ${user} "${testPassword}"`)).at(-1)!, /^a OK /);
    assert.match((await c.cmd("b", "SELECT INBOX")).at(-1)!, /^b OK /);
    return c;
  }

  async function sieve(user: string): Promise<SieveTestClient> {
    const c = await SieveTestClient.connect(srv.ports.managesieve!);
    await c.readResponse();
    assert.equal(await c.cmd("STARTTLS"), 'OK "Begin TLS negotiation now"\r\n');
    await c.upgrade(srv.certPem);
    await c.readResponse();
    assert.match(await c.cmd(plainAuth(user, testPassword)), /^OK/);
    return c;
  }

  async function submission(user: string, pass = testPassword): Promise<SMTPConnection> {
    const c = new SMTPConnection({
      host: "127.0.0.1",
      port: srv.ports.submissions,
      secure: true,
      tls: { rejectUnauthorized: false },
    });
    c.on("error", () => {});
    await new Promise<void>((ok, fail) => c.connect((e?: Error) => (e ? fail(e) : ok())));
    await new Promise<void>((ok, fail) =>
      c.login({ user, pass }, (e?: Error | null) => (e ? fail(e) : ok())),
    );
    return c;
  }

  /** A JMAP EventSource stream (RFC 8620 7.3); resolves when the server ends it. */
  function eventSource(user: string, pass = testPassword): Promise<{ ended: Promise<string> }> {
    return new Promise((ok, fail) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: srv.ports.https,
          path: "/jmap/eventsource?types=*&closeafter=no&ping=0",
          rejectUnauthorized: false,
          headers: { Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` },
        },
        (res) => {
          if (res.statusCode !== 200) return fail(new Error(`EventSource: ${res.statusCode}`));
          let body = "";
          res.on("data", (d: Buffer) => (body += d.toString()));
          ok({ ended: new Promise((done) => res.on("end", () => done(body))) });
        },
      );
      req.on("error", fail);
      req.end();
    });
  }

  const closedOf = (c: { once(ev: "close", fn: () => void): unknown }) =>
    new Promise<void>((r) => c.once("close", () => r()));
  const smtpEnded = (c: SMTPConnection) => new Promise<void>((r) => c.once("end", () => r()));

  test("`yubin user disable` in another process: IMAP IDLE, raw IMAP, POP3, submission, ManageSieve, push and web end within seconds", async (t) => {
    const user = "cli@example.test";
    const flow = await imapflow(user);
    const flowClosed = closedOf(flow);
    void flow.idle().catch(() => {});
    const raw = await rawImap(user);
    raw.write("i IDLE\r\n");
    assert.equal(await raw.line(), "+ idling");
    const smtp = await submission(user);
    const smtpGone = smtpEnded(smtp);
    const ms = await sieve(user);
    const push = await eventSource(user);
    const web = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web.login(user, testPassword)).status, 303);
    assert.equal((await web.get("/settings")).status, 200);
    const other = await rawImap("other@example.test");

    const caFile = join(srv.dataDir, "test-ca.pem");
    await writeFile(caFile, srv.certPem);
    const py = commandSkip("python3")
      ? null
      : spawn("python3", ["-c", poplibScript, String(srv.ports.pop3s), caFile, user, testPassword]);
    let pyOut = "";
    py?.stdout.on("data", (d: Buffer) => (pyOut += d.toString()));
    const pyDone = py ? new Promise<void>((r) => py.on("close", () => r())) : Promise.resolve();
    for (let i = 0; i < 100 && py && !pyOut.includes("READY"); i++) await sleep(100);
    if (py) assert.match(pyOut, /READY/, "poplib logged in");

    const configPath = join(srv.dataDir, "yubin.toml");
    await writeFile(configPath, cliConfigFor(srv));
    const { stdout } = await run(process.execPath, [bin, "--config", configPath, "user", "disable", user], {
      timeout: 60_000,
    });
    assert.equal(stdout, `disabled user ${user}\n`);
    const t0 = Date.now();

    await within(flowClosed, PROMPTLY_MS, "imapflow in IDLE closed");
    assert.equal(await raw.line(PROMPTLY_MS), IMAP_BYE);
    assert.equal(
      await ms.readResponse(PROMPTLY_MS),
      'BYE "credentials changed or account disabled, closing connection"\r\n',
    );
    await within(smtpGone, PROMPTLY_MS, "idle submission connection closed");
    await within(push.ended, PROMPTLY_MS, "EventSource ended");
    if (py) {
      await within(pyDone, PROMPTLY_MS, "poplib saw the end");
      assert.match(
        pyOut,
        /READY\nb'-ERR \[AUTH\] credentials changed or account disabled, closing connection\\r\\n'\nb''\n/,
      );
    }
    const took = Date.now() - t0;
    assert.ok(took < PROMPTLY_MS, `all ended ${took} ms after the command`);
    t.diagnostic(`all ended within ${took} ms of the command's exit`);
    assert.equal((await web.get("/settings")).status, 303, "the web session is gone too");
    assert.deepEqual(await other.cmd("n", "NOOP"), ["n OK NOOP completed"], "another account goes on");
    other.close();
    raw.close();
  });

  test("in this process: a reset ends an IMAP session between commands, a disable a POP3 session waiting, at once", async () => {
    const imap = await rawImap("raw@example.test");
    const pop = await Pop3TestClient.connect(srv.ports.pop3s, { tls: true, ca: srv.certPem });
    await pop.readLine();
    assert.match(await pop.login("reset@example.test", testPassword), /^\+OK/);
    await srv.store.directory.updateAccount(await idOf("raw@example.test"), {
      passwordHash: await hashPassword("a brand new secret"),
    });
    await srv.store.directory.updateAccount(await idOf("reset@example.test"), { disabled: true });
    // No command sent: the BYE comes unasked (RFC 9051 7.1.5), well before the 60 s recheck.
    assert.equal(await imap.line(2000), IMAP_BYE);
    assert.equal(
      await pop.readLine(2000),
      "-ERR [AUTH] credentials changed or account disabled, closing connection",
    );
    imap.close();
    pop.close();
  });

  test("revoking an app password ends that device's idle sessions at once, not the others'", async () => {
    const id = await idOf("app@example.test");
    const phone = await srv.ctx.appPasswords.create(id, { name: "Phone", scopes: ["imap", "smtp", "jmap"] });
    const laptop = await srv.ctx.appPasswords.create(id, { name: "Laptop", scopes: ["imap"] });
    const user = "app@example.test";
    const flow = await imapflow(user, phone.secret);
    const flowClosed = closedOf(flow);
    void flow.idle().catch(() => {});
    const smtp = await submission(user, phone.secret);
    const smtpGone = smtpEnded(smtp);
    const push = await eventSource(user, phone.secret);
    const kept = await imapflow(user, laptop.secret);
    assert.equal(await srv.store.appPasswords.revoke(id, phone.appPassword.id), true);
    await within(flowClosed, PROMPTLY_MS, "the phone's IMAP IDLE closed");
    await within(smtpGone, PROMPTLY_MS, "the phone's submission connection closed");
    await within(push.ended, PROMPTLY_MS, "the phone's push stream ended");
    assert.ok((await kept.noop().then(() => true)) && kept.usable, "the laptop's session goes on");
    await kept.logout();
  });
});
