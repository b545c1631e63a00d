// Two-factor web login (issue 15) over real HTTPS with the real forms: an authenticator app is
// set up from the settings page (the QR's key read from the page, codes computed with otpauth as
// a phone would), then the login asks for a code before any session exists; recovery codes log in
// once each; a wrong code is refused and counted in the throttle; auth.require2fa=all sends an
// account without 2FA to enrolment before it gets a session. Protocols: once 2FA is on, imapflow,
// nodemailer and POP3 with the account password hear that an app password is needed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect } from "node:tls";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { encodePending } from "../auth/2fa/pending.js";
import { totpCode } from "../auth/2fa/totp.js";
import { credentialStamp } from "../auth/credential.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { csrfFrom, send, WebClient } from "./test-client.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";

/** The key typed out under the QR code. */
function secretFrom(page: string): string {
  const m = /class="totp-secret">([A-Z2-7 ]+)</.exec(page);
  assert.ok(m?.[1], "the page shows the key");
  return m[1].replace(/ /g, "");
}

function recoveryCodesFrom(page: string): string[] {
  return [...page.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]!);
}

/** A code for the step after the current one (±1 step is accepted): never the step a code
 *  was just used for, whatever the clock did in between. */
const nextCode = (secret: string, stepsAhead = 1) => totpCode(secret, Date.now() + stepsAhead * 30_000);

describe("two-factor web login: TOTP and recovery codes", () => {
  let srv: TestServer;
  let secret = "";
  let recovery: string[] = [];
  before(async () => {
    srv = await startTestServer({
      users: [
        { address: ALICE, password: testPassword },
        { address: BOB, password: testPassword },
      ],
    });
  });
  after(() => srv.stop());
  const web = () => new WebClient(srv.ports.https!, srv.certPem);

  /** Password step; returns the client, now holding only the pending cookie. */
  async function passwordStep(user = ALICE): Promise<WebClient> {
    const c = web();
    const r = await c.login(user, testPassword);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, "/login/2fa");
    assert.ok(c.cookies.has("__Host-yubin_2fa"), "pending cookie set");
    assert.ok(!c.cookies.has("__Host-yubin_session"), "no session before the second step");
    return c;
  }

  async function secondStep(c: WebClient, code: string) {
    const page = await c.get("/login/2fa");
    assert.equal(page.status, 200);
    return c.post("/login/2fa", { _csrf: csrfFrom(page.body), code });
  }

  test("without 2FA the password alone logs in; imapflow logs in with the account password", async () => {
    const c = web();
    const r = await c.login(ALICE, testPassword);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, "/settings");
    assert.ok(c.cookies.has("__Host-yubin_session"));
    const imap = imapClient(srv, testPassword);
    await imap.connect();
    await imap.logout();
  });

  test("set up an authenticator app from the settings page: a wrong code is refused, a right one turns it on and shows ten recovery codes", async () => {
    const c = web();
    assert.equal((await c.login(ALICE, testPassword)).status, 303);
    const status = await c.get("/settings/2fa");
    assert.equal(status.status, 200);
    assert.match(status.body, /Two-factor login is <strong>off<\/strong>/);
    const setup = await c.get("/settings/2fa/totp");
    assert.equal(setup.status, 200);
    assert.match(setup.body, /<svg[^>]*>/, "the QR code is an inline SVG");
    secret = secretFrom(setup.body);
    const sealed = /name="sealed" value="([^"]+)"/.exec(setup.body)?.[1];
    assert.ok(sealed);
    const wrong = await c.post("/settings/2fa/totp", { _csrf: csrfFrom(setup.body), sealed, code: "000000" });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /Wrong code/);
    assert.equal(await srv.ctx.store.secondFactors.totp(srv.users[0]!.id), null, "nothing stored yet");
    const right = await c.post("/settings/2fa/totp", {
      _csrf: csrfFrom(setup.body),
      sealed,
      code: totpCode(secret, Date.now()),
    });
    assert.equal(right.status, 200);
    recovery = recoveryCodesFrom(right.body);
    assert.equal(recovery.length, 10);
    assert.equal(new Set(recovery).size, 10);
    assert.match((await c.get("/settings/2fa")).body, /Two-factor login is <strong>on<\/strong>/);
    // At rest the secret is sealed: the database does not hold it.
    const row = await srv.ctx.store.secondFactors.totp(srv.users[0]!.id);
    assert.ok(row?.confirmed);
    assert.ok(!row.sealedSecret.includes(secret));
  });

  test("login: password, then the code; no session before; a replayed code is refused", async () => {
    const c = await passwordStep();
    // Without the second step nothing is open.
    const settings = await c.get("/settings");
    assert.equal(settings.status, 303);
    assert.match(String(settings.headers.location), /^\/login/);
    const code = nextCode(secret);
    const ok = await secondStep(c, code);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.location, "/settings");
    assert.ok(c.cookies.has("__Host-yubin_session"));
    assert.ok(!c.cookies.has("__Host-yubin_2fa"), "pending cookie cleared");
    assert.equal((await c.get("/settings")).status, 200);

    const again = await passwordStep();
    const replay = await secondStep(again, code);
    assert.equal(replay.status, 401, "each code once (RFC 6238 §5.2)");
    assert.match(replay.body, /Wrong or already used code/);
    assert.ok(!again.cookies.has("__Host-yubin_session"));
  });

  test("a wrong code is refused and counted as a failed login of the account's second step", async () => {
    const failures = async () => {
      const entries = await srv.ctx.auth.throttle.list(100);
      const pair = entries.find((e) => e.kind === "pair" && e.account === `2fa:id:${srv.users[0]!.id}`);
      return pair?.kind === "pair" ? pair.failures : 0;
    };
    const before = await failures();
    const c = await passwordStep();
    const r = await secondStep(c, "123456" === nextCode(secret) ? "654321" : "123456");
    assert.equal(r.status, 401);
    assert.equal(await failures(), before + 1);
  });

  test("a recovery code logs in once; used again it is refused", async () => {
    const code = recovery[0]!;
    const c = await passwordStep();
    const ok = await secondStep(c, code.toUpperCase());
    assert.equal(ok.status, 303);
    assert.ok(c.cookies.has("__Host-yubin_session"));
    assert.deepEqual(await srv.ctx.store.secondFactors.recoveryCodeCount(srv.users[0]!.id), {
      unused: 9,
      total: 10,
    });
    const again = await passwordStep();
    const refused = await secondStep(again, code);
    assert.equal(refused.status, 401);
    assert.ok(!again.cookies.has("__Host-yubin_session"));
  });

  test("a forged or tampered pending cookie opens nothing", async () => {
    const c = await passwordStep();
    const v = c.cookies.get("__Host-yubin_2fa")!;
    c.cookies.set("__Host-yubin_2fa", `${v.slice(0, -2)}xx`);
    const r = await c.get("/login/2fa");
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, "/login");
  });

  test("with 2FA on, protocols refuse the account password and say to use an app password; an app password works", async () => {
    const imap = imapClient(srv, testPassword);
    imap.on("error", () => {});
    await assert.rejects(
      imap.connect(),
      (e: Error & { responseText?: string; serverResponseCode?: string }) => {
        assert.equal(e.serverResponseCode, "AUTHENTICATIONFAILED");
        assert.equal(e.responseText, "Two-factor authentication is on: use an app password");
        return true;
      },
    );
    // The raw line, as any client sees it.
    assert.match(
      await imapRawLogin(srv, ALICE, testPassword),
      /^a NO \[AUTHENTICATIONFAILED\] Two-factor authentication is on: use an app password\r\n$/,
    );
    // A wrong password still gets the plain refusal: 2FA is only revealed to the right password.
    assert.match(
      await imapRawLogin(srv, ALICE, "wrong"),
      /^a NO \[AUTHENTICATIONFAILED\] Authentication failed\r\n$/,
    );
    await assert.rejects(
      smtpSend(srv, testPassword),
      (e: Error & { responseCode?: number; response?: string }) => {
        assert.equal(e.responseCode, 534);
        assert.match(String(e.response), /^534 5\.7\.9 Two-factor authentication is on: use an app password/);
        return true;
      },
    );
    assert.equal(
      await pop3RawLogin(srv, ALICE, testPassword),
      "-ERR [AUTH] two-factor authentication is on: use an app password\r\n",
    );
    const jmap = await send({
      port: srv.ports.https!,
      ca: srv.certPem,
      host: `localhost:${srv.ports.https}`,
      path: "/.well-known/jmap",
      headers: { Authorization: `Basic ${Buffer.from(`${ALICE}:${testPassword}`).toString("base64")}` },
    });
    assert.equal(jmap.status, 401);
    assert.equal(jmap.headers["content-type"], "application/problem+json");
    assert.equal(JSON.parse(jmap.body).detail, "Two-factor authentication is on: use an app password");
    const app = await srv.ctx.appPasswords.create(srv.users[0]!.id, {
      name: "Phone",
      scopes: ["imap", "smtp"],
    });
    const ok = imapClient(srv, app.secret);
    await ok.connect();
    await ok.logout();
    await smtpSend(srv, app.secret);
    // Bob has no 2FA: his password still opens IMAP.
    const bob = imapClient(srv, testPassword, BOB);
    await bob.connect();
    await bob.logout();
  });

  test("with 2FA on, replacing the authenticator or the recovery codes takes the password again", async () => {
    const c = await passwordStep();
    assert.equal((await secondStep(c, recovery[3]!)).status, 303);
    const setup = await c.get("/settings/2fa/totp");
    assert.match(setup.body, /name="password"/);
    const other = secretFrom(setup.body);
    const sealed = /name="sealed" value="([^"]+)"/.exec(setup.body)?.[1] ?? "";
    const before = (await srv.ctx.store.secondFactors.totp(srv.users[0]!.id))?.sealedSecret;
    const noPassword = await c.post("/settings/2fa/totp", {
      _csrf: csrfFrom(setup.body),
      sealed,
      code: totpCode(other, Date.now()),
    });
    assert.equal(noPassword.status, 400);
    assert.match(noPassword.body, /Wrong password: nothing was changed/);
    assert.equal((await srv.ctx.store.secondFactors.totp(srv.users[0]!.id))?.sealedSecret, before);
    const regen = await c.submit("/settings/2fa", "/settings/2fa/recovery", { password: "wrong" });
    assert.equal(regen.status, 401);
    assert.deepEqual(await srv.ctx.store.secondFactors.recoveryCodeCount(srv.users[0]!.id), {
      unused: 8,
      total: 10,
    });
    const replaced = await c.post("/settings/2fa/totp", {
      _csrf: csrfFrom(setup.body),
      sealed,
      password: testPassword,
      code: totpCode(other, Date.now()),
    });
    assert.equal(replaced.status, 303, "the old recovery codes stay: none shown");
    assert.notEqual((await srv.ctx.store.secondFactors.totp(srv.users[0]!.id))?.sealedSecret, before);
    secret = other;
  });

  test("turning it off needs the password and a code; afterwards the password alone logs in everywhere", async () => {
    const c = await passwordStep();
    assert.equal((await secondStep(c, recovery[1]!)).status, 303);
    const bad = await c.submit("/settings/2fa", "/settings/2fa/disable", {
      password: "wrong",
      code: recovery[2]!,
    });
    assert.equal(bad.status, 401);
    const off = await c.submit("/settings/2fa", "/settings/2fa/disable", {
      password: testPassword,
      code: recovery[2]!,
    });
    assert.equal(off.status, 303);
    assert.equal(await srv.ctx.secondFactors.enabled(srv.users[0]!.id), false);
    const again = web();
    const r = await again.login(ALICE, testPassword);
    assert.equal(r.headers.location, "/settings");
    const imap = imapClient(srv, testPassword);
    await imap.connect();
    await imap.logout();
  });
});

describe("two-factor web login: auth.require2fa", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({
      config: { auth: { require2fa: "all" } },
      users: [{ address: ALICE, password: testPassword }],
    });
  });
  after(() => srv.stop());

  test("require2fa=all: an account without 2FA is sent to enrolment after the password, and gets its session with its first code", async () => {
    const c = new WebClient(srv.ports.https!, srv.certPem);
    const r = await c.login(ALICE, testPassword);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, "/login/2fa");
    assert.ok(!c.cookies.has("__Host-yubin_session"));
    const enrol = await c.get("/login/2fa");
    assert.equal(enrol.status, 200);
    assert.match(enrol.body, /Set up two-factor login/);
    const secret = secretFrom(enrol.body);
    // Reloading keeps the same key (it travels sealed in the pending cookie).
    const reload = await c.get("/login/2fa");
    assert.equal(secretFrom(reload.body), secret);
    const wrong = await c.post("/login/2fa", { _csrf: csrfFrom(reload.body), code: "000000" });
    assert.equal(wrong.status, 401);
    assert.ok(!c.cookies.has("__Host-yubin_session"));
    const ok = await c.post("/login/2fa", {
      _csrf: csrfFrom(wrong.body),
      code: totpCode(secret, Date.now()),
    });
    assert.equal(ok.status, 200);
    assert.equal(recoveryCodesFrom(ok.body).length, 10);
    assert.ok(c.cookies.has("__Host-yubin_session"));
    assert.equal((await c.get("/settings")).status, 200);
    assert.equal(await srv.ctx.secondFactors.enabled(srv.users[0]!.id), true);
    // Required: it cannot be turned off.
    const off = await c.submit("/settings/2fa", "/settings/2fa/disable", {
      password: testPassword,
      code: "x",
    });
    assert.equal(off.status, 403);
  });

  test("an enrolment begun before the account got 2FA elsewhere cannot replace it", async () => {
    // Alice has 2FA now (the test above). A second browser that began enrolling earlier would
    // hold an "enroll" pending cookie; made here as the password step made it then.
    const c = new WebClient(srv.ports.https!, srv.certPem);
    const before = (await srv.ctx.store.secondFactors.totp(srv.users[0]!.id))?.sealedSecret;
    const key = await srv.ctx.secondFactors.keys();
    const account = (await srv.ctx.store.directory.getAccount(srv.users[0]!.id))!;
    const t = await srv.ctx.secondFactors.newTotp({ accountId: account.id, address: ALICE, issuer: "Yubin" });
    c.cookies.set(
      "__Host-yubin_2fa",
      encodePending(key, {
        accountId: account.id,
        stamp: credentialStamp(account.passwordHash),
        purpose: "enroll",
        expiresAt: Date.now() + 60_000,
        next: "/settings",
        sealedSecret: t.sealed,
      }),
    );
    const page = await c.get("/login/2fa");
    assert.equal(page.status, 303);
    assert.equal(page.headers.location, "/login");
    // The form token double-submitted as the page would have set it: only the pending state decides.
    c.cookies.set("__Host-yubin_login", "token-token-token");
    const post = await c.post("/login/2fa", {
      _csrf: "token-token-token",
      code: totpCode(t.secret, Date.now()),
    });
    assert.equal(post.status, 303);
    assert.equal(post.headers.location, "/login");
    assert.ok(!c.cookies.has("__Host-yubin_session"));
    assert.equal((await srv.ctx.store.secondFactors.totp(srv.users[0]!.id))?.sealedSecret, before);
  });
});

function imapClient(srv: TestServer, pass: string, user = ALICE): ImapFlow {
  return new ImapFlow({
    host: "127.0.0.1",
    port: srv.ports.imaps!,
    secure: true,
    tls: { ca: srv.certPem, servername: "mail.example.test" },
    auth: { user, pass },
    logger: false,
  });
}

/** LOGIN over implicit TLS; the tagged reply line. */
function imapRawLogin(srv: TestServer, user: string, pass: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      ca: srv.certPem,
      servername: "mail.example.test",
    });
    let buf = "";
    let sent = false;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`timeout: ${buf}`));
    }, 15_000);
    s.on("error", reject);
    s.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      if (!sent && buf.includes("\r\n")) {
        sent = true;
        buf = "";
        s.write(`a LOGIN "${user}" "${pass}"\r\n`);
        return;
      }
      const tagged = /^a .*\r\n/m.exec(buf);
      if (sent && tagged) {
        clearTimeout(timer);
        s.end();
        resolve(tagged[0]);
      }
    });
  });
}

/** USER and PASS over POP3S; the reply to PASS. */
function pop3RawLogin(srv: TestServer, user: string, pass: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({
      host: "127.0.0.1",
      port: srv.ports.pop3s!,
      ca: srv.certPem,
      servername: "mail.example.test",
    });
    const lines: string[] = [];
    let buf = "";
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`timeout: ${lines.join("|")}`));
    }, 15_000);
    s.on("error", reject);
    s.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      let nl = buf.indexOf("\r\n");
      while (nl >= 0) {
        lines.push(buf.slice(0, nl + 2));
        buf = buf.slice(nl + 2);
        nl = buf.indexOf("\r\n");
        if (lines.length === 1) s.write(`USER ${user}\r\n`);
        else if (lines.length === 2) s.write(`PASS ${pass}\r\n`);
        else if (lines.length === 3) {
          clearTimeout(timer);
          s.end();
          resolve(lines[2]!);
        }
      }
    });
  });
}

function smtpSend(srv: TestServer, pass: string) {
  const t = nodemailer.createTransport({
    host: "127.0.0.1",
    port: srv.ports.submissions,
    secure: true,
    tls: { ca: srv.certPem, servername: "mail.example.test" },
    auth: { user: ALICE, pass },
  });
  return t.sendMail({ from: ALICE, to: ALICE, subject: "2fa", text: "hello" });
}
