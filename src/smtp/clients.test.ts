// Real clients against a real server: nodemailer, Python's smtplib and swaks, over plain SMTP,
// STARTTLS and implicit TLS. swaks is the Debian package "swaks" (CI installs it).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import nodemailer from "nodemailer";
import type { TestServer } from "../testing/harness.js";
import { inbox, splitTrace, startSmtpTestServer } from "./test-server.js";

const run = promisify(execFile);
const PW = "correct horse battery staple";
const ACCEPTED = /^250 2\.0\.0 OK: queued as [0-9A-Z]{12}$/;

describe("real SMTP clients", () => {
  let s: TestServer;
  let alice: number;
  let bob: number;
  before(async () => {
    s = await startSmtpTestServer();
    alice = s.users[0]!.id;
    bob = s.users[1]!.id;
  });
  after(() => s.stop());
  const find = async (id: number, marker: string) =>
    (await inbox(s.store, id)).filter((b) => b.includes(marker));

  describe("nodemailer", () => {
    const cases = [
      { name: "inbound, plain", port: () => s.ports.smtp, secure: false, ignoreTLS: true, auth: false },
      { name: "inbound, STARTTLS", port: () => s.ports.smtp, secure: false, requireTLS: true, auth: false },
      {
        name: "submission 587, STARTTLS + AUTH",
        port: () => s.ports.submission,
        secure: false,
        requireTLS: true,
        auth: true,
      },
      {
        name: "submissions 465, implicit TLS + AUTH",
        port: () => s.ports.submissions,
        secure: true,
        auth: true,
      },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        const transport = nodemailer.createTransport({
          host: "127.0.0.1",
          port: c.port(),
          secure: c.secure,
          ignoreTLS: c.ignoreTLS ?? false,
          requireTLS: c.requireTLS ?? false,
          tls: { rejectUnauthorized: false },
          auth: c.auth ? { user: "alice@example.test", pass: PW } : undefined,
        });
        const marker = randomUUID();
        const info = await transport.sendMail({
          from: c.auth ? "alice@example.test" : "stranger@remote.example",
          to: "bob@example.test",
          subject: marker,
          text: "Hello from nodemailer\n.\n..two dots\n",
        });
        transport.close();
        assert.match(info.response, ACCEPTED);
        const [got] = await find(bob, marker);
        assert.ok(got);
        const body = splitTrace(got).rest.toString();
        assert.match(body, /Hello from nodemailer\r\n\.\r\n\.\.two dots\r\n/);
        const expectProto = c.auth ? "ESMTPSA" : c.ignoreTLS ? "ESMTP" : "ESMTPS";
        assert.match(splitTrace(got).trace, new RegExp(` with ${expectProto} id `));
      });
    }

    test("wrong password is refused", async () => {
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: s.ports.submissions,
        secure: true,
        tls: { rejectUnauthorized: false },
        auth: { user: "alice@example.test", pass: "not the password" },
      });
      await assert.rejects(
        transport.sendMail({ from: "alice@example.test", to: "bob@example.test", text: "x" }),
        (e: { responseCode?: number; response?: string }) =>
          e.responseCode === 535 && e.response === "535 5.7.8 Authentication credentials invalid",
      );
      transport.close();
    });

    test("SMTPUTF8 address", async () => {
      await s.store.directory.addAlias("pöstmeister@example.test", ["alice@example.test"]);
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: s.ports.smtp,
        ignoreTLS: true,
      });
      const marker = randomUUID();
      const info = await transport.sendMail({
        envelope: { from: "jörg@remote.example", to: ["pöstmeister@example.test"] },
        from: "jörg@remote.example",
        to: "pöstmeister@example.test",
        subject: marker,
        text: "grüße",
      });
      transport.close();
      assert.match(info.response, ACCEPTED);
      const [got] = await find(alice, marker);
      assert.match(splitTrace(got!).trace, /^Return-Path: <jörg@remote\.example>/);
    });
  });

  describe("python smtplib", () => {
    const py = async (script: string, args: string[]) => {
      const { stdout } = await run("python3", ["-c", script, ...args], { timeout: 20000 });
      return stdout.trim();
    };
    const script = `
import smtplib, ssl, sys
mode, port, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
msg = "From: alice@example.test\\r\\nTo: bob@example.test\\r\\nSubject: " + marker + "\\r\\n\\r\\nfrom python\\n.\\nend\\n"
if mode == "ssl":
    s = smtplib.SMTP_SSL("127.0.0.1", port, context=ctx)
else:
    s = smtplib.SMTP("127.0.0.1", port)
s.ehlo("py.example")
if mode == "starttls":
    s.starttls(context=ctx); s.ehlo("py.example")
if mode != "plain":
    s.login("alice@example.test", "${PW}")
code, resp = s.docmd("NOOP")
errs = s.sendmail("alice@example.test" if mode != "plain" else "x@remote.example", ["bob@example.test"], msg)
print("sent", len(errs), code)
s.quit()
`;
    for (const [mode, port] of [
      ["plain", () => s.ports.smtp],
      ["starttls", () => s.ports.submission],
      ["ssl", () => s.ports.submissions],
    ] as const) {
      test(mode, async () => {
        const marker = randomUUID();
        assert.equal(await py(script, [mode, String(port()), marker]), "sent 0 250");
        const [got] = await find(bob, marker);
        assert.ok(got);
        // smtplib turns bare LF into CRLF and dot-stuffs; we store CRLF lines, dots restored.
        assert.match(splitTrace(got).rest.toString(), /\r\n\r\nfrom python\r\n\.\r\nend\r\n$/);
      });
    }

    test("login failure and relay refusal", async () => {
      const out = await py(
        `
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx)
try:
    s.login("alice@example.test", "wrong")
except smtplib.SMTPAuthenticationError as e:
    print(e.smtp_code, e.smtp_error.decode())
s.quit()
m = smtplib.SMTP("127.0.0.1", int(sys.argv[2]))
try:
    m.sendmail("a@remote.example", ["victim@elsewhere.example"], "Subject: x\\r\\n\\r\\nx")
except smtplib.SMTPRecipientsRefused as e:
    c, t = e.recipients["victim@elsewhere.example"]
    print(c, t.decode())
m.quit()
`,
        [String(s.ports.submissions), String(s.ports.smtp)],
      );
      assert.equal(out, "535 5.7.8 Authentication credentials invalid\n554 5.7.1 Relay access denied");
    });
  });

  describe("swaks", () => {
    const swaks = async (args: string[]) => {
      const { stdout } = await run("swaks", ["--server", "127.0.0.1", "--helo", "swaks.example", ...args], {
        timeout: 20000,
      });
      return stdout;
    };
    test("inbound, pipelined", async () => {
      const marker = randomUUID();
      const out = await swaks([
        "--port",
        String(s.ports.smtp),
        "--pipeline",
        "--from",
        "s@remote.example",
        "--to",
        "alice@example.test",
        "--header",
        `Subject: ${marker}`,
      ]);
      assert.match(out, /<[-~] +250 2\.0\.0 OK: queued as [0-9A-Z]{12}/);
      assert.equal((await find(alice, marker)).length, 1);
    });
    test("587 STARTTLS + AUTH LOGIN", async () => {
      const marker = randomUUID();
      const out = await swaks([
        "--port",
        String(s.ports.submission),
        "--tls",
        "--auth",
        "LOGIN",
        "--auth-user",
        "alice@example.test",
        "--auth-password",
        PW,
        "--from",
        "alice@example.test",
        "--to",
        "bob@example.test",
        "--header",
        `Subject: ${marker}`,
        "--header",
        "From: alice@example.test",
      ]);
      assert.match(out, /<~ +235 2\.7\.0 Authentication successful/);
      assert.equal((await find(bob, marker)).length, 1);
    });
    test("465 implicit TLS + AUTH PLAIN", async () => {
      const marker = randomUUID();
      const out = await swaks([
        "--port",
        String(s.ports.submissions),
        "--tlsc",
        "--auth",
        "PLAIN",
        "--auth-user",
        "bob@example.test",
        "--auth-password",
        PW,
        "--from",
        "bob@example.test",
        "--to",
        "alice@example.test",
        "--header",
        `Subject: ${marker}`,
        "--header",
        "From: bob@example.test",
      ]);
      assert.match(out, /<~ +250 2\.0\.0 OK: queued as/);
      assert.equal((await find(alice, marker)).length, 1);
    });
    test("AUTH is not offered before STARTTLS", async () => {
      await assert.rejects(
        swaks([
          "--port",
          String(s.ports.submission),
          "--auth",
          "PLAIN",
          "--auth-user",
          "bob@example.test",
          "--auth-password",
          PW,
          "--from",
          "bob@example.test",
          "--to",
          "alice@example.test",
        ]),
        (e: { stdout?: string; stderr?: string }) =>
          /Host did not advertise authentication/.test(`${e.stdout}${e.stderr}`),
      );
    });
  });
});
