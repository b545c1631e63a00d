// The login throttle refuses the attacker, never the user (issue 15), over real sockets from
// several loopback source addresses:
//   127.0.0.20  the office NAT: alice and bob work there; alice's phone there has a stale password
//   127.0.0.21  an attacker guessing alice's password (later alice's laptop in the same café)
//   127.0.0.22  alice's own phone elsewhere, with a stale password after a change
//   127.0.0.23  an address spraying one password over many accounts
// Real clients: imapflow and nodemailer from the office, Python's poplib for the phones, a raw
// IMAP client where the exact reply matters, HTTPS to the webmail login for the device cookie.
// Delays are asserted on what the server decided (its "login delayed" log lines), not on the
// wall clock, which is noisy on a shared machine.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { createLogger } from "../log/logger.js";
import { b64 } from "../smtp/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";

const OFFICE = "127.0.0.20";
const ATTACKER = "127.0.0.21";
const PHONE = "127.0.0.22";
const SPRAYER = "127.0.0.23";
const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const NEW_PASSWORD = "a brand new password for alice";

// Small numbers so the test is quick: delays of 100, 200, 400 ms, capped at 1 s for a NAT's others.
const AUTH = {
  throttleWindowSec: 120,
  throttleFreeFailures: 2,
  throttleMaxFailures: 5,
  throttleBaseDelayMs: 100,
  throttleIpDelayCapMs: 1000,
  throttleMaxAccountsPerIp: 3,
  verifiedLoginCacheSec: 0,
};

const pythonSkip = commandSkip("python3");

describe("login throttle: the office, the attacker and the phones", () => {
  let srv: TestServer;
  let caFile: string;
  const lines: Record<string, unknown>[] = [];
  const delays = (user: string, ip: string) =>
    lines.filter((l) => l.msg === "login delayed" && l.user === user && l.ip === ip).map((l) => l.delayMs);
  let deviceCookie = "";

  before(async () => {
    srv = await startTestServer({
      users: [
        { address: ALICE, password: testPassword },
        { address: BOB, password: testPassword },
        ...["c1", "c2", "c3", "c4", "c5"].map((n) => ({
          address: `${n}@example.test`,
          password: testPassword,
        })),
      ],
      config: { auth: AUTH },
      log: createLogger({ format: "json", level: "debug", write: (l) => lines.push(JSON.parse(l)) }),
    });
    caFile = join(tmpdir(), `yubin-throttle-ca-${process.pid}.pem`);
    writeFileSync(caFile, srv.certPem);
  });
  after(() => srv.stop());

  /** An imapflow login from `from`; "OK" or the server's response code (UNAVAILABLE, ...). */
  async function imapflowLogin(from: string, user: string, pass: string): Promise<string> {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      auth: { user, pass },
      logger: false,
      transport: {
        connect: (o, onConnect) =>
          tlsConnect(
            {
              socket: netConnect({ host: o.host, port: o.port, localAddress: from }),
              ca: srv.certPem,
              servername: "mail.example.test",
            },
            onConnect,
          ),
      },
    });
    try {
      await c.connect();
      await c.logout();
      return "OK";
    } catch (e) {
      c.close();
      const err = e as { serverResponseCode?: string; authenticationFailed?: boolean; message: string };
      return err.serverResponseCode ?? (err.authenticationFailed ? "AUTHENTICATIONFAILED" : err.message);
    }
  }

  /** AUTH PLAIN over submission from `from` with nodemailer; "OK" or the SMTP reply. */
  async function smtpLogin(from: string, user: string, pass: string): Promise<string> {
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: srv.ports.submissions!,
      secure: true,
      localAddress: from,
      auth: { user, pass },
      tls: { ca: srv.certPem, servername: "mail.example.test" },
    });
    try {
      await t.verify();
      return "OK";
    } catch (e) {
      return (e as { response?: string }).response ?? (e as Error).message;
    } finally {
      t.close();
    }
  }

  /** One IMAP AUTHENTICATE PLAIN from `from`: the tagged reply line, exactly. */
  function imapRaw(from: string, user: string, pass: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const tcp = netConnect({ host: "127.0.0.1", port: srv.ports.imaps!, localAddress: from });
      const s = tlsConnect({ socket: tcp, ca: srv.certPem, servername: "mail.example.test" });
      let buf = "";
      let sent = false;
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`no reply; got ${JSON.stringify(buf)}`));
      }, 30_000);
      s.on("data", (d: Buffer) => {
        buf += d.toString("utf8");
        if (!sent && buf.includes("\r\n")) {
          sent = true;
          s.write(`a AUTHENTICATE PLAIN ${b64(`\0${user}\0${pass}`)}\r\n`);
        }
        const tagged = /^a .*$/m.exec(buf);
        if (tagged) {
          clearTimeout(timer);
          s.destroy();
          resolve(tagged[0].replace(/^a OK \[CAPABILITY [^\]]*\]/, "a OK").trimEnd());
        }
      });
      s.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** A phone polling over POP3 (Python's poplib) from `from`, once per password: the replies. */
  async function popPhone(from: string, user: string, passwords: string[]): Promise<string[]> {
    const script = `
import json, poplib, socket, ssl, sys
src, port, ca, user = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
real = socket.create_connection
socket.create_connection = lambda addr, timeout=None, source_address=None: real(addr, timeout, (src, 0))
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
out = []
for pw in json.loads(sys.stdin.read()):
    p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=30)
    try:
        p.user(user)
        out.append(p.pass_(pw).decode())
    except poplib.error_proto as e:
        out.append(e.args[0].decode())
    finally:
        try:
            p.quit()
        except Exception:
            pass
print(json.dumps(out))
`;
    // Asynchronously: the server runs in this process and must keep answering.
    const child = spawn("python3", ["-c", script, from, String(srv.ports.pop3s), caFile, user], {
      timeout: 120_000,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
    child.stdin.end(JSON.stringify(passwords));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, err);
    return JSON.parse(out) as string[];
  }

  /** The webmail's JSON login from `from`, with the device cookie if given. */
  function webLogin(
    from: string,
    user: string,
    pass: string,
    cookie = "",
  ): Promise<{ status: number; device: string }> {
    const body = JSON.stringify({ username: user, password: pass });
    return new Promise((resolve, reject) => {
      const req = request({
        host: "127.0.0.1",
        port: srv.ports.https!,
        localAddress: from,
        path: "/webmail/login",
        method: "POST",
        ca: srv.certPem,
        servername: "mail.example.test",
        agent: false,
        headers: {
          Host: "mail.example.test",
          "Content-Type": "application/json",
          "Content-Length": String(Buffer.byteLength(body)),
          ...(cookie ? { Cookie: cookie } : {}),
        },
      });
      req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.on("response", (res) => {
        res.resume();
        const set = (res.headers["set-cookie"] ?? []).find((c) => c.startsWith("__Host-yubin_device="));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, device: set?.split(";")[0] ?? "" }));
      });
      req.end(body);
    });
  }

  test("the office logs in: alice and bob over IMAP and SMTP, alice on the web (device cookie)", async () => {
    assert.equal(await imapflowLogin(OFFICE, ALICE, testPassword), "OK");
    assert.equal(await imapflowLogin(OFFICE, BOB, testPassword), "OK");
    assert.equal(await smtpLogin(OFFICE, BOB, testPassword), "OK");
    const web = await webLogin(OFFICE, ALICE, testPassword);
    assert.equal(web.status, 200);
    assert.match(web.device, /^__Host-yubin_device=[A-Za-z0-9_-]{32}$/);
    deviceCookie = web.device;
  });

  test("alice's stale phone behind the office keeps failing; bob is not slowed, alice's desk at most the cap", {
    skip: pythonSkip,
  }, async () => {
    const replies = await popPhone(
      OFFICE,
      ALICE,
      Array.from({ length: 8 }, (_, i) => `old password ${i}`),
    );
    // A known pair (alice logged in from the office): never refused, only delayed (capped).
    assert.deepEqual(replies, Array(8).fill("-ERR [AUTH] invalid user name or password"));
    assert.ok(Math.max(...delays(ALICE, OFFICE).map(Number)) <= AUTH.throttleIpDelayCapMs);
    // bob, behind the same address: no delay at all, over IMAP and SMTP.
    assert.equal(await imapflowLogin(OFFICE, BOB, testPassword), "OK");
    assert.equal(await smtpLogin(OFFICE, BOB, testPassword), "OK");
    assert.deepEqual(delays(BOB, OFFICE), []);
    // A colleague logging in from the office for the first time: at most the cap (1 s).
    assert.equal(await imapflowLogin(OFFICE, "c5@example.test", testPassword), "OK");
    assert.deepEqual(delays("c5@example.test", OFFICE), [AUTH.throttleIpDelayCapMs]);
    // alice's desk: served, delayed by her own phone's failures at most the cap.
    assert.equal(await imapflowLogin(OFFICE, ALICE, testPassword), "OK");
  });

  test("the attacker guessing alice is delayed, then refused; alice still logs in from the office and the web", async () => {
    const before = delays(ALICE, ATTACKER).length;
    const replies: string[] = [];
    for (let i = 0; i < 7; i++) replies.push(await imapRaw(ATTACKER, ALICE, `guess ${i}`));
    assert.deepEqual(replies, [
      ...Array(5).fill("a NO [AUTHENTICATIONFAILED] Authentication failed"),
      ...Array(2).fill("a NO [UNAVAILABLE] Too many failed logins, try again later"),
    ]);
    // Growing delays before the refusal: 100, 200, 400 ms after the two free failures.
    assert.deepEqual(delays(ALICE, ATTACKER).slice(before), [100, 200, 400]);
    // Refused for that pair even with the right password, over every protocol.
    assert.equal(
      await imapRaw(ATTACKER, ALICE, testPassword),
      "a NO [UNAVAILABLE] Too many failed logins, try again later",
    );
    assert.match(await smtpLogin(ATTACKER, ALICE, testPassword), /^454 4\.7\.0 /);
    assert.equal((await webLogin(ATTACKER, ALICE, testPassword)).status, 429);
    // alice is not locked out: from the office (a known address), over IMAP and SMTP...
    assert.equal(await imapflowLogin(OFFICE, ALICE, testPassword), "OK");
    assert.equal(await smtpLogin(OFFICE, ALICE, testPassword), "OK");
    // ...and her laptop's browser, now in the attacker's café, with its device cookie.
    assert.equal((await webLogin(ATTACKER, ALICE, testPassword, deviceCookie)).status, 200);
    // bob at the attacker's address is a stranger there, but not refused (delayed at most the cap).
    assert.equal(await imapflowLogin(ATTACKER, BOB, testPassword), "OK");
    assert.ok(delays(BOB, ATTACKER).every((d) => Number(d) <= AUTH.throttleIpDelayCapMs));
  });

  test("alice's own phone, known, fails after a password change and is never locked out", {
    skip: pythonSkip,
  }, async () => {
    assert.deepEqual(await popPhone(PHONE, ALICE, [testPassword]), ["+OK logged in"]);
    const alice = srv.users.find((u) => u.address === ALICE)!;
    const { hashPassword } = await import("./password.js");
    await srv.store.directory.updateAccount(alice.id, { passwordHash: await hashPassword(NEW_PASSWORD) });
    const stale = await popPhone(PHONE, ALICE, Array(7).fill(testPassword));
    assert.deepEqual(stale, Array(7).fill("-ERR [AUTH] invalid user name or password"));
    // The owner types the new password into the phone: logged in at once, not told to wait.
    assert.deepEqual(await popPhone(PHONE, ALICE, [NEW_PASSWORD]), ["+OK logged in"]);
  });

  test("an address spraying one password over many accounts is refused as an address", async () => {
    // c1 logged in from there before (a known pair), then the spraying starts.
    assert.equal(await imapflowLogin(SPRAYER, "c1@example.test", testPassword), "OK");
    const replies: string[] = [];
    for (const n of ["c2", "c3", "c4", "c5"])
      replies.push(await smtpLogin(SPRAYER, `${n}@example.test`, "Summer2026!"));
    assert.deepEqual(replies.slice(0, 3), Array(3).fill("535 5.7.8 Authentication credentials invalid"));
    assert.equal(replies[3], "454 4.7.0 Too many failed authentication attempts, try again later");
    // A fresh account is refused from there even with the right password...
    assert.equal(await imapflowLogin(SPRAYER, BOB, testPassword), "UNAVAILABLE");
    // ...but the known pair is still served, and the accounts log in from anywhere else.
    assert.equal(await imapflowLogin(SPRAYER, "c1@example.test", testPassword), "OK");
    assert.equal(await smtpLogin(OFFICE, "c2@example.test", testPassword), "OK");
  });
});
