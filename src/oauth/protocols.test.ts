// OAuth 2.0 logins over IMAP, SMTP submission and POP3 against a real OpenID Connect provider
// (oidc-provider, src/oauth/testing/provider.ts): tokens come from its authorization code flow
// with PKCE as JWT access tokens for the mail audience. imapflow logs in with OAUTHBEARER (it
// prefers it when advertised), nodemailer submits with XOAUTH2, POP3 and the XOAUTH2 IMAP path
// are driven raw. An expired token, a wrong-audience token and a token for another user are
// refused with each protocol's exact failure, after the JSON error challenge (RFC 7628 §3.2.2).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { RawClient } from "../imap/test-client.js";
import { Pop3TestClient } from "../pop3/test-client.js";
import { b64, RawSmtpClient } from "../smtp/test-client.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";
import { startTestProvider, type TestProvider } from "./testing/provider.js";

const ALICE = "alice@example.test";

/** imaplib.authenticate and smtplib.auth with the authenticator callables their docs describe:
 *  the SASL message first, then on a challenge (the JSON error) the closing answer. */
const pythonClients = String.raw`
import imaplib, json, smtplib, ssl, sys
a = json.load(sys.stdin)
ctx = ssl.create_default_context(cafile=a["cafile"])
out = {}
def message(mech, token):
    if mech == "XOAUTH2":
        return "user=%s\x01auth=Bearer %s\x01\x01" % (a["user"], token)
    return "n,a=%s,\x01auth=Bearer %s\x01\x01" % (a["user"], token)
for mech in ["XOAUTH2", "OAUTHBEARER"]:
    for label in ["good", "bad"]:
        token = a["token"] if label == "good" else a["bad"]
        def cb(challenge, mech=mech, token=token):
            if challenge:
                return b"\x01" if mech == "OAUTHBEARER" else b""
            return message(mech, token).encode()
        m = imaplib.IMAP4_SSL("127.0.0.1", a["imaps"], ssl_context=ctx, timeout=10)
        try:
            typ, _ = m.authenticate(mech, cb)
            m.select("INBOX")
            out["imap %s %s" % (mech, label)] = typ
            m.logout()
        except imaplib.IMAP4.error as e:
            out["imap %s %s" % (mech, label)] = str(e)
for label in ["good", "bad"]:
    token = a["token"] if label == "good" else a["bad"]
    s = smtplib.SMTP_SSL("127.0.0.1", a["smtps"], context=ctx, timeout=10)
    s.ehlo("client.test")
    def scb(challenge=None, token=token):
        return message("XOAUTH2", token) if challenge is None else ""
    try:
        code, _ = s.auth("XOAUTH2", scb)
        out["smtp XOAUTH2 %s" % label] = str(code)
    except smtplib.SMTPAuthenticationError as e:
        out["smtp XOAUTH2 %s" % label] = "%d %s" % (e.smtp_code, e.smtp_error.decode())
    s.close()
print(json.dumps(out))
`;

function python(script: string, input: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-c", script], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
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
const BOB = "bob@example.test";
const bearer = (user: string | null, token: string) =>
  b64(`n,${user ? `a=${user}` : ""},\x01host=127.0.0.1\x01auth=Bearer ${token}\x01\x01`);
const xoauth2 = (user: string, token: string) => b64(`user=${user}\x01auth=Bearer ${token}\x01\x01`);
const json = (line: string, prefix: string) =>
  JSON.parse(Buffer.from(line.slice(prefix.length), "base64").toString()) as Record<string, string>;

describe("OAuth 2.0 SASL (OAUTHBEARER, XOAUTH2) with tokens from a real OIDC provider", () => {
  let idp: TestProvider;
  let srv: TestServer;
  let aliceToken: string;

  before(async () => {
    idp = await startTestProvider();
    srv = await startTestServer({
      users: [
        { address: ALICE, password: "alice password 1" },
        { address: BOB, password: "bob password 1" },
      ],
      config: {
        oauth: { issuer: idp.issuer, audience: idp.audience, clockSkewSec: 0 },
        // Short delays: the throttle test below fails a few times on purpose.
        auth: { throttleMaxFailures: 5, throttleBaseDelayMs: 50 },
      },
    });
    aliceToken = await idp.accessToken(ALICE);
  });
  after(async () => {
    await srv?.stop();
    await idp?.close();
  });

  test("IMAP advertises both mechanisms and imapflow logs in with OAUTHBEARER", async () => {
    const raw = await RawClient.connect(srv.ports.imaps!, { tls: true });
    const caps = (await raw.cmd("a", "CAPABILITY")).join("\n");
    assert.match(caps, /AUTH=PLAIN AUTH=OAUTHBEARER AUTH=XOAUTH2/);
    raw.close();

    const client = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: ALICE, accessToken: aliceToken },
      logger: false,
    });
    await client.connect();
    const box = await client.mailboxOpen("INBOX");
    assert.equal(box.path, "INBOX");
    await client.logout();
  });

  test("before TLS nothing is offered and a token is not taken (PRIVACYREQUIRED)", async () => {
    const raw = await RawClient.connect(srv.ports.imap!);
    const caps = (await raw.cmd("a", "CAPABILITY")).join("\n");
    assert.doesNotMatch(caps, /OAUTHBEARER|XOAUTH2/);
    assert.equal(
      (await raw.cmd("b", `AUTHENTICATE XOAUTH2 ${xoauth2(ALICE, aliceToken)}`)).at(-1),
      "b NO [PRIVACYREQUIRED] Use STARTTLS first",
    );
    raw.close();
  });

  test("IMAP XOAUTH2 with the initial response on the command line (SASL-IR)", async () => {
    const raw = await RawClient.connect(srv.ports.imaps!, { tls: true });
    const lines = await raw.cmd("a", `AUTHENTICATE XOAUTH2 ${xoauth2(ALICE, aliceToken)}`);
    assert.match(lines.at(-1) ?? "", /^a OK \[CAPABILITY .*\] Logged in$/);
    raw.close();
  });

  test("SMTP submission: EHLO offers them and nodemailer sends with XOAUTH2", async () => {
    const raw = await RawSmtpClient.connect({ port: srv.ports.submissions, tls: true });
    await raw.reply();
    assert.match(await raw.cmd("EHLO client.test"), /^250[- ]AUTH PLAIN LOGIN OAUTHBEARER XOAUTH2$/m);
    raw.close();

    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: srv.ports.submissions,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { type: "OAuth2", user: ALICE, accessToken: aliceToken },
    });
    const info = await t.sendMail({ from: ALICE, to: BOB, subject: "oauth", text: "sent with a token" });
    assert.deepEqual(info.accepted, [BOB]);
    t.close();
  });

  test("POP3: CAPA lists them; AUTH OAUTHBEARER in the continuation logs in", async () => {
    const pop = await Pop3TestClient.connect(srv.ports.pop3s, { tls: true, ca: srv.certPem });
    await pop.readLine();
    const capa = await pop.multi("CAPA");
    assert.match(capa.body?.toString() ?? "", /^SASL PLAIN OAUTHBEARER XOAUTH2\r$/m);
    // RFC 5034 §4: a response longer than a command line goes in the continuation.
    assert.equal(await pop.cmd("AUTH OAUTHBEARER"), "+ ");
    assert.equal(await pop.cmd(bearer(ALICE, aliceToken)), "+OK logged in");
    assert.match(await pop.cmd("STAT"), /^\+OK \d+ \d+$/);
    pop.close();
  });

  test("Python's imaplib and smtplib with custom authenticators (XOAUTH2, OAUTHBEARER)", async (t) => {
    const skip = commandSkip("python3");
    if (skip) return t.skip(skip);
    const cafile = `${srv.dataDir}/oauth-test-ca.pem`;
    await writeFile(cafile, srv.certPem);
    const wrongAudience = await idp.accessToken(ALICE, { resource: "https://calendar.test.example" });
    const out = JSON.parse(
      await python(pythonClients, {
        cafile,
        imaps: srv.ports.imaps,
        smtps: srv.ports.submissions,
        user: ALICE,
        token: aliceToken,
        bad: wrongAudience,
      }),
    ) as Record<string, string>;
    assert.deepEqual(out, {
      "imap XOAUTH2 good": "OK",
      "imap XOAUTH2 bad": "[AUTHENTICATIONFAILED] Authentication failed",
      "imap OAUTHBEARER good": "OK",
      "imap OAUTHBEARER bad": "[AUTHENTICATIONFAILED] Authentication failed",
      "smtp XOAUTH2 good": "235",
      "smtp XOAUTH2 bad": "535 5.7.8 Authentication credentials invalid",
    });
  });

  test("an expired token: IMAP sends the invalid_token challenge, then NO [AUTHENTICATIONFAILED]", async () => {
    const token = await idp.accessToken(ALICE, { resource: "https://mail.test.example/short", ttlSec: 1 });
    // Valid for the other audience only; wait until it is past its exp by the clock, not a guess.
    const exp = (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { exp: number })
      .exp;
    for (let i = 0; i < 50 && Date.now() / 1000 <= exp + 1; i++) await new Promise((r) => setTimeout(r, 100));
    const expiredSrv = await startTestServer({
      users: [{ address: ALICE, password: "alice password 1" }],
      config: { oauth: { issuer: idp.issuer, audience: "https://mail.test.example/short", clockSkewSec: 0 } },
    });
    try {
      const raw = await RawClient.connect(expiredSrv.ports.imaps!, { tls: true });
      await raw.line(); // greeting
      raw.write(`a AUTHENTICATE OAUTHBEARER ${bearer(ALICE, token)}\r\n`);
      const challenge = await raw.line();
      assert.equal(challenge.slice(0, 2), "+ ", challenge);
      assert.deepEqual(json(challenge, "+ "), {
        status: "invalid_token",
        scope: "openid email profile",
        "openid-configuration": `${idp.issuer}/.well-known/openid-configuration`,
      });
      raw.write("AQ==\r\n");
      assert.equal(await raw.line(), "a NO [AUTHENTICATIONFAILED] Authentication failed");
      raw.close();
    } finally {
      await expiredSrv.stop();
    }
  });

  test("a wrong-audience token: SMTP 334 with the challenge, then 535 5.7.8", async () => {
    const other = await idp.accessToken(ALICE, { resource: "https://calendar.test.example" });
    const raw = await RawSmtpClient.connect({ port: srv.ports.submissions, tls: true });
    await raw.reply();
    await raw.cmd("EHLO client.test");
    const challenge = await raw.cmd(`AUTH OAUTHBEARER ${bearer(ALICE, other)}`);
    assert.equal(json(challenge, "334 ").status, "invalid_token");
    assert.equal(await raw.cmd("AQ=="), "535 5.7.8 Authentication credentials invalid");
    // A token longer than smtp.maxLineLength (4096) on the AUTH line is read and checked, not
    // refused as a long line (RFC 4954 §4): here a made-up one, so the challenge follows.
    const long = `${"a".repeat(2000)}.${"b".repeat(2000)}.${"c".repeat(1000)}`;
    assert.match(await raw.cmd(`AUTH OAUTHBEARER ${bearer(ALICE, long)}`), /^334 /);
    assert.equal(await raw.cmd("AQ=="), "535 5.7.8 Authentication credentials invalid");
    // XOAUTH2's challenge is Google's shape; the client answers with an empty line.
    const x = await raw.cmd(`AUTH XOAUTH2 ${xoauth2(ALICE, other)}`);
    assert.equal(json(x, "334 ").status, "401");
    assert.equal(await raw.cmd(""), "535 5.7.8 Authentication credentials invalid");
    raw.close();
  });

  test("a token for another user: POP3 challenge, then -ERR [AUTH]; a forged token likewise", async () => {
    const pop = await Pop3TestClient.connect(srv.ports.pop3s, { tls: true, ca: srv.certPem });
    await pop.readLine();
    // The token is longer than a POP3 command line: it goes in the continuation (RFC 5034 §4).
    assert.equal(await pop.cmd("AUTH OAUTHBEARER"), "+ ");
    const challenge = await pop.cmd(bearer(BOB, aliceToken));
    assert.equal(json(challenge, "+ ").status, "invalid_token");
    assert.equal(await pop.cmd("AQ=="), "-ERR [AUTH] invalid user name or password");
    // Alice's token with its signature's last bytes changed.
    const forged = `${aliceToken.slice(0, -4)}${aliceToken.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    assert.equal(await pop.cmd("AUTH XOAUTH2"), "+ ");
    assert.equal(json(await pop.cmd(xoauth2(ALICE, forged)), "+ ").status, "401");
    assert.equal(await pop.cmd(""), "-ERR [AUTH] invalid user name or password");
    pop.close();
  });

  test("bad tokens count in the login throttle like wrong passwords", async () => {
    const maxFailures = srv.config.auth.throttleMaxFailures;
    let last = "";
    // Bounded: the pair is refused after maxFailures (plus the free ones' slack).
    for (let i = 0; i < maxFailures + 2; i++) {
      const raw = await RawClient.connect(srv.ports.imaps!, { tls: true });
      await raw.line(); // greeting
      raw.write(`a AUTHENTICATE OAUTHBEARER ${bearer(BOB, "not.a.validtoken")}\r\n`);
      const first = await raw.line(15_000);
      if (first.startsWith("+ ")) {
        raw.write("AQ==\r\n");
        last = await raw.line(15_000);
      } else last = first;
      raw.close();
      if (last.includes("UNAVAILABLE")) break;
    }
    assert.equal(last, "a NO [UNAVAILABLE] Too many failed logins, try again later");
  });
});

describe("OAuth off (no [oauth] issuer)", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ users: [{ address: ALICE, password: "alice password 1" }] });
  });
  after(async () => srv?.stop());

  test("no protocol advertises or accepts the mechanisms", async () => {
    const raw = await RawClient.connect(srv.ports.imaps!, { tls: true });
    const caps = (await raw.cmd("a", "CAPABILITY")).join("\n");
    assert.doesNotMatch(caps, /OAUTHBEARER|XOAUTH2/);
    assert.equal(
      (await raw.cmd("b", "AUTHENTICATE OAUTHBEARER AQ==")).at(-1),
      "b NO [CANNOT] Unsupported mechanism",
    );
    raw.close();
    const smtp = await RawSmtpClient.connect({ port: srv.ports.submissions, tls: true });
    await smtp.reply();
    assert.match(await smtp.cmd("EHLO client.test"), /^250[- ]AUTH PLAIN LOGIN$/m);
    assert.match(await smtp.cmd("AUTH XOAUTH2 AQ=="), /^504 5\.5\.4 /);
    smtp.close();
    const pop = await Pop3TestClient.connect(srv.ports.pop3s, { tls: true, ca: srv.certPem });
    await pop.readLine();
    assert.match((await pop.multi("CAPA")).body?.toString() ?? "", /^SASL PLAIN\r$/m);
    pop.close();
  });
});

describe("OAuth provider unreachable", () => {
  let srv: TestServer;
  before(async () => {
    // A loopback port nobody listens on (bound, then closed).
    const { createServer } = await import("node:net");
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    srv = await startTestServer({
      users: [{ address: ALICE, password: "alice password 1" }],
      config: { oauth: { issuer: `http://127.0.0.1:${port}`, audience: "https://mail.test.example" } },
    });
  });
  after(async () => srv?.stop());

  test("a token that cannot be checked gets a temporary failure, not the invalid-token one", async () => {
    const token = `${b64url('{"alg":"RS256","kid":"k"}')}.${b64url('{"email":"alice@example.test"}')}.c2ln`;
    const raw = await RawClient.connect(srv.ports.imaps!, { tls: true });
    await raw.line(); // greeting
    raw.write(`a AUTHENTICATE XOAUTH2 ${xoauth2(ALICE, token)}\r\n`);
    assert.equal(await raw.line(10_000), "a NO [UNAVAILABLE] Cannot check the token now, try again later");
    raw.close();
    const smtp = await RawSmtpClient.connect({ port: srv.ports.submissions, tls: true });
    await smtp.reply();
    await smtp.cmd("EHLO client.test");
    assert.equal(
      await smtp.cmd(`AUTH XOAUTH2 ${xoauth2(ALICE, token)}`),
      "454 4.7.0 Temporary authentication failure, try again later",
    );
    smtp.close();
  });
});

function b64url(s: string): string {
  return Buffer.from(s).toString("base64url");
}
