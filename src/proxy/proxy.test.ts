// The PROXY protocol end to end (issue 17): a real HAProxy (TCP mode, send-proxy and
// send-proxy-v2) in front of a real server whose listeners all have proxyProtocol = true, real
// clients connecting to HAProxy from 127.0.0.2 and 127.0.0.3: the server must see those
// addresses, not HAProxy's 127.0.0.1 — in the Received field, the logs, the login throttle, and
// through TLS. Then raw sockets: what an untrusted peer, an overlong or huge header and a slow
// drip get (the connection ends, nothing is sent, the server goes on serving).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { promisify } from "node:util";
import { createLogger } from "../log/logger.js";
import { haproxySkip, type PrivateHaproxy, startHaproxy } from "../testing/haproxy.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { inbox } from "../testing/mailbox.js";
import { commandSkip } from "../testing/requires.js";
import { V2_SIGNATURE } from "./header.js";

const run = promisify(execFile);

const skip = haproxySkip() || commandSkip("swaks") || commandSkip("curl");

describe("PROXY protocol", { skip }, () => {
  let s: TestServer;
  let ha: PrivateHaproxy;
  const logs: Record<string, unknown>[] = [];
  // HAProxy's frontends: [smtp v1, smtp v2, imap v2, https v2, imaps v1, pop3 v1, managesieve v2]
  let smtpV1: number;
  let smtpV2: number;
  let imapV2: number;
  let httpsV2: number;
  let imapsV1: number;
  let pop3V1: number;
  let sieveV2: number;

  before(async () => {
    s = await startTestServer({
      proxyProtocol: true,
      config: {
        proxy: { trustedSources: ["127.0.0.1"], headerTimeoutMs: 1000 },
        imap: { allowPlaintextAuth: true },
        pop3: { allowPlaintextAuth: true },
        managesieve: { allowPlaintextAuth: true },
        // Two failures of one (IP, account) pair refuse that pair: the test of the real IP.
        auth: {
          throttleFreeFailures: 0,
          throttleMaxFailures: 2,
          throttleBaseDelayMs: 1,
          popBeforeSmtp: true,
        },
      },
      log: createLogger({
        format: "json",
        level: "debug",
        write: (l) => {
          if (logs.length < 10_000) logs.push(JSON.parse(l) as Record<string, unknown>);
        },
      }),
    });
    ha = await startHaproxy([
      { target: s.ports.smtp, proxy: "v1" },
      { target: s.ports.smtp, proxy: "v2" },
      { target: s.ports.imap!, proxy: "v2" },
      { target: s.ports.https!, proxy: "v2" },
      { target: s.ports.imaps!, proxy: "v1" },
      { target: s.ports.pop3, proxy: "v1" },
      { target: s.ports.managesieve!, proxy: "v2" },
    ]);
    [smtpV1, smtpV2, imapV2, httpsV2, imapsV1, pop3V1, sieveV2] = ha.ports as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
  });
  after(async () => {
    await ha?.stop();
    await s?.stop();
  });

  for (const version of ["v1", "v2"] as const)
    test(`swaks from 127.0.0.2 through HAProxy (${version}): Received and the log name 127.0.0.2`, async () => {
      const marker = `proxy-${version}-${Date.now()}`;
      const port = version === "v1" ? smtpV1 : smtpV2;
      const from = logs.length;
      const r = await run(
        "swaks",
        [
          ...["--server", `127.0.0.1:${port}`, "--local-interface", "127.0.0.2", "--helo", "client.example"],
          ...[
            "--from",
            "sender@remote.example",
            "--to",
            "alice@example.test",
            "--header",
            `Subject: ${marker}`,
          ],
          ...["--body", "hello", "--timeout", "20"],
        ],
        { timeout: 30_000 },
      );
      assert.match(r.stdout, /<- {2}250 2\.0\.0 OK: queued as/);
      const got = (await inbox(s.store, s.users[0]!.id)).filter((b) => b.includes(marker));
      assert.equal(got.length, 1);
      assert.match(
        got[0]!.toString("latin1"),
        /^Return-Path: <sender@remote\.example>\r\nReceived: from client\.example \(\[127\.0\.0\.2\]\)\r\n/,
      );
      // HAProxy forwards the readiness probes of src/testing/haproxy.ts (made from 127.0.0.1) to
      // the SMTP listener too, and on a loaded machine their "connected" lines can land after
      // `from`; they are the only connections from 127.0.0.1, so they are left out. The swaks
      // connection logged with the socket's address instead of the header's would leave [].
      const connected = logs
        .slice(from)
        .filter((l) => l.msg === "connected" && l.proto === "smtp" && l.ip !== "127.0.0.1");
      assert.deepEqual(
        connected.map((l) => l.ip),
        ["127.0.0.2"],
      );
    });

  test("IMAP login throttling is keyed by the client's address behind HAProxy (imaplib)", async () => {
    const py = `
import imaplib, json, socket, sys
class From(imaplib.IMAP4):
    def __init__(self, src, port):
        self.src = src
        super().__init__("127.0.0.1", port, timeout=20)
    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self.src, 0))
def login(src, password):
    c = From(src, int(sys.argv[1]))
    try:
        typ, data = c.login("alice@example.test", password)
        out = typ + " " + data[0].decode()
    except imaplib.IMAP4.error as e:
        out = "NO " + str(e)
    c.logout()
    return out
print(json.dumps([login("127.0.0.2", "wrong"), login("127.0.0.2", "wrong"),
                  login("127.0.0.2", sys.argv[2]), login("127.0.0.3", sys.argv[2])]))
`;
    const r = await run("python3", ["-c", py, String(imapV2), testPassword], { timeout: 60_000 });
    const [f1, f2, refused, other] = JSON.parse(r.stdout) as string[];
    assert.match(f1!, /^NO .*AUTHENTICATIONFAILED/);
    assert.match(f2!, /^NO .*AUTHENTICATIONFAILED/);
    // 127.0.0.2 guessed twice: even the right password is refused from there now...
    assert.match(refused!, /^NO /);
    // ...and not from 127.0.0.3, though both reach the server from HAProxy's 127.0.0.1.
    assert.match(other!, /^OK /);
    const refusal = logs.find((l) => l.msg === "login refused: too many failures");
    assert.equal(refusal?.ip, "127.0.0.2");
  });

  test("HTTPS through HAProxy (header before the TLS handshake): the webmail login sees 127.0.0.3", async () => {
    const r = await run(
      "curl",
      [
        ...["-sS", "-k", "--interface", "127.0.0.3", "-o", "/dev/null", "-w", "%{http_code}"],
        ...["-H", "Content-Type: application/json", "--data-binary"],
        JSON.stringify({ username: "bob@example.test", password: testPassword }),
        `https://127.0.0.1:${httpsV2}/webmail/login`,
      ],
      { timeout: 30_000 },
    );
    assert.equal(r.stdout, "200");
    const login = logs.filter((l) => l.msg === "webmail login").at(-1);
    assert.deepEqual([login?.user, login?.ip], ["bob@example.test", "127.0.0.3"]);
  });

  test("implicit-TLS IMAP through HAProxy (v1): the connection's address is the client's", async () => {
    const py = `
import imaplib, socket, ssl, sys
class From(imaplib.IMAP4_SSL):
    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout, source_address=("127.0.0.2", 0))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
c = From("127.0.0.1", int(sys.argv[1]), ssl_context=ctx, timeout=20)
print(c.login("bob@example.test", sys.argv[2])[0])
c.logout()
`;
    const r = await run("python3", ["-c", py, String(imapsV1), testPassword], { timeout: 30_000 });
    assert.equal(r.stdout.trim(), "OK");
    const login = logs
      .filter((l) => l.msg === "login" && l.user === "bob@example.test" && l.protocol === "imap")
      .at(-1);
    assert.equal(login?.ip, "127.0.0.2");
  });

  test("POP3 (poplib) and ManageSieve through HAProxy: the login is the client's, and opens POP-before-SMTP for it", async () => {
    const py = `
import poplib, socket, sys
class From(poplib.POP3):
    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=("127.0.0.3", 0))
c = From("127.0.0.1", int(sys.argv[1]), timeout=20)
c.user("bob@example.test"); print(c.pass_(sys.argv[2]).decode()); c.quit()
`;
    const r = await run("python3", ["-c", py, String(pop3V1), testPassword], { timeout: 30_000 });
    assert.match(r.stdout, /^\+OK /);
    const login = logs.filter((l) => l.msg === "login" && l.protocol === "pop3").at(-1);
    assert.equal(login?.ip, "127.0.0.3");
    assert.equal(await s.ctx.auth.popBeforeSmtpAllowed("127.0.0.3"), true);
    assert.equal(await s.ctx.auth.popBeforeSmtpAllowed("127.0.0.1"), false);

    const c = connect({ host: "127.0.0.1", port: sieveV2, localAddress: "127.0.0.2" });
    const plain = Buffer.from(`\0bob@example.test\0${testPassword}`).toString("base64");
    let got = "";
    c.on("data", (d: Buffer) => {
      got += d.toString("latin1");
      if (/\r\nOK "Yubin ManageSieve ready"\r\n$/.test(got))
        c.write(`AUTHENTICATE "PLAIN" "${plain}"\r\nLOGOUT\r\n`);
    });
    const { received } = await untilClosed(c);
    assert.match(got + received, /\r\nOK "logged in"\r\n/);
    const sieveLogin = logs.filter((l) => l.msg === "login" && l.protocol === "managesieve").at(-1);
    assert.equal(sieveLogin?.ip, "127.0.0.2");
  });

  // Raw sockets straight to the server's SMTP port (no HAProxy).
  function raw(localAddress = "127.0.0.1"): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const c = connect({ host: "127.0.0.1", port: s.ports.smtp, localAddress }, () => resolve(c));
      c.on("error", reject);
    });
  }

  /** Everything the server sent until it closed the connection (bounded by timeoutMs). */
  function untilClosed(c: Socket, timeoutMs = 10_000): Promise<{ received: string; closed: boolean }> {
    return new Promise((resolve) => {
      let received = "";
      c.on("data", (d: Buffer) => {
        received += d.toString("latin1");
      });
      c.on("error", () => {});
      const timer = setTimeout(() => {
        c.destroy();
        resolve({ received, closed: false });
      }, timeoutMs);
      c.on("close", () => {
        clearTimeout(timer);
        resolve({ received, closed: true });
      });
    });
  }

  test("a trusted peer gets no greeting before its header, then the greeting", async () => {
    const c = await raw();
    let received = "";
    c.on("data", (d: Buffer) => {
      received += d.toString("latin1");
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(received, "");
    c.write("PROXY TCP4 192.0.2.9 127.0.0.1 40000 25\r\n");
    const deadline = Date.now() + 10_000;
    while (!received.includes("\r\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(received, "220 mail.example.test ESMTP Yubin\r\n");
    c.destroy();
  });

  test("a header and a pipelined command in one segment: the command is not lost", async () => {
    const c = await raw();
    const done = untilClosed(c);
    c.write("PROXY TCP4 192.0.2.9 127.0.0.1 40000 25\r\nQUIT\r\n");
    const { received } = await done;
    assert.equal(received, "220 mail.example.test ESMTP Yubin\r\n221 2.0.0 Bye\r\n");
  });

  test("HTTPS: a header and the TLS ClientHello in one segment, then a request: served as the header's client", async () => {
    const sock = await new Promise<Socket>((resolve, reject) => {
      const c = connect({ host: "127.0.0.1", port: s.ports.https! }, () => resolve(c));
      c.on("error", reject);
    });
    // Corked: the header and the ClientHello leave together.
    sock.cork();
    sock.write("PROXY TCP4 192.0.2.44 127.0.0.1 40000 443\r\n");
    const secure = tlsConnect({ socket: sock, rejectUnauthorized: false, servername: "localhost" });
    process.nextTick(() => sock.uncork());
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", resolve);
      secure.once("error", reject);
    });
    const body = JSON.stringify({ username: "alice@example.test", password: testPassword });
    secure.write(
      `POST /webmail/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    let got = "";
    secure.on("data", (d: Buffer) => {
      got += d.toString("latin1");
    });
    await new Promise((r) => secure.once("close", r));
    assert.match(got, /^HTTP\/1\.1 200 /);
    const login = logs.filter((l) => l.msg === "webmail login").at(-1);
    assert.deepEqual([login?.user, login?.ip], ["alice@example.test", "192.0.2.44"]);
  });

  test("a direct connection from an untrusted address is closed, nothing sent, logged", async () => {
    const { received, closed } = await untilClosed(await raw("127.0.0.4"));
    assert.deepEqual({ received, closed }, { received: "", closed: true });
    const line = logs.find(
      (l) => l.msg === "PROXY protocol: connection from an untrusted source closed" && l.ip === "127.0.0.4",
    );
    assert.ok(line, "the untrusted connection from 127.0.0.4 is logged with its address");
    assert.ok(
      !logs.some((l) => l.msg === "PROXY protocol: connection from an untrusted source closed" && !l.ip),
      "a connection gone before it was seen is not logged as an untrusted source",
    );
  });

  test("a 200-octet v1 header, a v2 header announcing 65,535 octets, a header-less client: closed", async () => {
    const cases = [
      `PROXY TCP4 ${"1".repeat(190)}\r\n`,
      Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x11, 0xff, 0xff]), Buffer.alloc(1000)]),
      "EHLO client.example\r\n",
    ];
    for (const input of cases) {
      const c = await raw();
      const done = untilClosed(c);
      c.write(input);
      assert.deepEqual(await done, { received: "", closed: true });
    }
    assert.ok(
      logs.some((l) => l.msg === "PROXY protocol: connection closed" && l.reason === "v1 line too long"),
    );
    assert.ok(
      logs.some(
        (l) =>
          l.msg === "PROXY protocol: connection closed" &&
          l.reason === "v2 header of 65551 octets over the limit",
      ),
    );
  });

  test("a header dripped a byte at a time is cut at headerTimeoutMs; the server still serves", async () => {
    const c = await raw();
    const done = untilClosed(c, 20_000);
    const header = "PROXY TCP4 192.0.2.9 127.0.0.1 40000 25\r\n";
    let i = 0;
    const drip = setInterval(() => {
      if (i < header.length && !c.destroyed) c.write(header[i++]!);
    }, 200);
    const r = await done;
    clearInterval(drip);
    // 42 octets at 5 a second would take 8.4 s; headerTimeoutMs is 1 s.
    assert.deepEqual(r, { received: "", closed: true });
    assert.ok(i < header.length, "closed before the header was whole");
    assert.ok(
      logs.some(
        (l) =>
          l.msg === "PROXY protocol: connection closed" && /^no PROXY header within/.test(String(l.reason)),
      ),
    );

    const again = await raw();
    const next = untilClosed(again);
    again.write("PROXY TCP4 192.0.2.9 127.0.0.1 40000 25\r\nQUIT\r\n");
    assert.equal((await next).received, "220 mail.example.test ESMTP Yubin\r\n221 2.0.0 Bye\r\n");
  });
});
