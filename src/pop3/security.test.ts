// Default configuration: no plaintext logins without TLS, STLS (RFC 2595) and implicit TLS
// (port 995), throttled failed logins, idle timeout, and UIDL stable across a restart.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TestServer } from "../testing/harness.js";
import { Pop3TestClient, unstuff } from "./test-client.js";
import { deliverTo, message, startPop3TestServer } from "./test-server.js";

const PASSWORD = "correct horse battery staple";

describe("pop3 with the default config", () => {
  let server: TestServer;
  before(async () => {
    server = await startPop3TestServer();
  });
  after(async () => {
    await server.stop();
  });

  test("plaintext USER, PASS and AUTH are refused on the plain port, pointing to STLS or 995", async () => {
    const c = await Pop3TestClient.connect(server.ports.pop3);
    try {
      assert.equal(await c.readLine(), "+OK Yubin POP3 server ready");
      const capa = (await c.multi("CAPA")).body!.toString();
      assert.match(capa, /^STLS\r\n/m);
      assert.doesNotMatch(capa, /^USER\r\n/m);
      assert.doesNotMatch(capa, /^SASL/m);
      const refusal =
        "-ERR [AUTH] plaintext authentication is disabled on unencrypted connections; use STLS or port 995 (POP3S)";
      assert.equal(await c.cmd("USER alice@example.test"), refusal);
      assert.equal(await c.cmd(`PASS ${PASSWORD}`), refusal);
      assert.equal(await c.cmd("AUTH PLAIN"), refusal);
      assert.equal(await c.cmd("AUTH PLAIN AGFsaWNlAHg="), refusal);
    } finally {
      c.close();
    }
  });

  test("STLS upgrades the plain port, then login works; STLS is not offered twice", async () => {
    const u = server.users[0]!;
    const body = message("over stls", [".dot", "end"]);
    await deliverTo(server, u.id, body);
    const c = await Pop3TestClient.connect(server.ports.pop3);
    try {
      await c.readLine();
      assert.equal(await c.stls(server.certPem), "+OK Begin TLS negotiation");
      const capa = (await c.multi("CAPA")).body!.toString();
      assert.doesNotMatch(capa, /^STLS/m);
      assert.match(capa, /^USER\r\n/m);
      assert.match(capa, /^SASL PLAIN\r\n/m);
      assert.equal(await c.cmd("STLS"), "-ERR TLS already active");
      assert.equal(await c.login(u.address, PASSWORD), "+OK logged in");
      assert.deepEqual(unstuff((await c.multi("RETR 1")).body!), body);
      assert.equal(await c.cmd("QUIT"), "+OK bye");
    } finally {
      c.close();
    }
  });

  test("commands pipelined after STLS in clear are discarded, not run over TLS", async () => {
    const c = await Pop3TestClient.connect(server.ports.pop3);
    try {
      await c.readLine();
      // The injected CAPA arrives in the same packet as STLS (CVE-2011-0411 style).
      c.send("STLS\r\nCAPA\r\n");
      assert.equal(await c.readLine(), "+OK Begin TLS negotiation");
      await c.upgrade(server.certPem);
      // Had the clear-text CAPA been kept, its listing would come first over TLS.
      assert.equal(await c.cmd("QUIT"), "+OK bye");
    } finally {
      c.close();
    }
  });

  test("implicit TLS on the 995-style port: AUTH PLAIN with an initial response", async () => {
    const u = server.users[1]!;
    const c = await Pop3TestClient.connect(server.ports.pop3s, { tls: true, ca: server.certPem });
    try {
      assert.equal(await c.readLine(), "+OK Yubin POP3 server ready");
      const capa = (await c.multi("CAPA")).body!.toString();
      assert.doesNotMatch(capa, /^STLS/m);
      assert.equal(await c.cmd("STLS"), "-ERR TLS already active");
      const creds = Buffer.from(`\0${u.address}\0${PASSWORD}`).toString("base64");
      assert.equal(await c.cmd(`AUTH PLAIN ${creds}`), "+OK logged in");
      assert.match(await c.cmd("STAT"), /^\+OK \d+ \d+$/);
    } finally {
      c.close();
    }
  });

  test("UIDL is the same across two sessions and a server restart", async () => {
    const u = server.users[1]!;
    await deliverTo(server, u.id, message("u1"));
    await deliverTo(server, u.id, message("u2"));
    const uidl = async () => {
      const c = await Pop3TestClient.connect(server.ports.pop3s, { tls: true, ca: server.certPem });
      try {
        await c.readLine();
        assert.equal(await c.login(u.address, PASSWORD), "+OK logged in");
        const r = (await c.multi("UIDL")).body!.toString();
        assert.equal(await c.cmd("QUIT"), "+OK bye");
        await c.waitClosed();
        return r;
      } finally {
        c.close();
      }
    };
    const first = await uidl();
    assert.match(first, /^1 \d+\.\d+\r\n2 \d+\.\d+\r\n$/);
    assert.equal(await uidl(), first);
    await server.restart();
    assert.equal(await uidl(), first);
  });
});

describe("pop3 login throttling and timeouts", () => {
  let server: TestServer;
  before(async () => {
    server = await startPop3TestServer({
      config: {
        auth: { throttleFreeFailures: 1, throttleMaxFailures: 2, throttleBaseDelayMs: 50 },
        pop3: { loginTimeoutSec: 1, maxAuthFailures: 3 },
      },
    });
  });
  after(async () => {
    await server.stop();
  });

  test("a wrong password is refused with [AUTH], then logins are throttled and the connection closed", async () => {
    const u = server.users[0]!;
    const c = await Pop3TestClient.connect(server.ports.pop3s, { tls: true, ca: server.certPem });
    try {
      await c.readLine();
      assert.equal(await c.login(u.address, "wrong"), "-ERR [AUTH] invalid user name or password");
      const t0 = Date.now();
      assert.equal(await c.login(u.address, "wrong again"), "-ERR [AUTH] invalid user name or password");
      // Past throttleFreeFailures the reply is delayed.
      assert.ok(Date.now() - t0 >= 45, "second failure delayed");
      // Past throttleMaxFailures even the right password is refused, without being checked.
      assert.match(
        await c.login(u.address, PASSWORD),
        /^-ERR \[SYS\/TEMP\] too many failed logins; try again in \d+ seconds$/,
      );
      // maxAuthFailures per connection reached: the server hangs up.
      assert.ok(await c.waitClosed());
    } finally {
      c.close();
    }
    // Only that (IP, account) pair is refused (src/auth/throttle.ts): another name from the same
    // IP is checked, and an unknown user gets exactly the answer of a wrong password.
    const d = await Pop3TestClient.connect(server.ports.pop3s, { tls: true, ca: server.certPem });
    try {
      await d.readLine();
      assert.equal(await d.login("nobody@example.test", "x"), "-ERR [AUTH] invalid user name or password");
    } finally {
      d.close();
    }
  });

  test("an idle client is disconnected before login after loginTimeoutSec", async () => {
    const c = await Pop3TestClient.connect(server.ports.pop3);
    try {
      await c.readLine();
      const t0 = Date.now();
      assert.equal(await c.readLine(3000), "-ERR [SYS/TEMP] idle too long, closing connection");
      assert.ok(Date.now() - t0 >= 900);
      assert.ok(await c.waitClosed());
    } finally {
      c.close();
    }
  });
});
