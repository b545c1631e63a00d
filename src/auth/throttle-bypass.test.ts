// Finding 8 of issue 18, over real sockets: the login throttle cannot be sidestepped by opening
// many connections at once, nor by spelling one account's name in several ways (quoted,
// backslash-escaped, upper case) that all log in to it.
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { after, before, describe, test } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { createLogger } from "../log/logger.js";
import { b64, RawSmtpClient } from "../smtp/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

const MAX_FAILURES = 4;

/** One IMAP AUTHENTICATE PLAIN (SASL-IR) over implicit TLS from a chosen loopback address;
 *  returns the tagged reply line. */
function imapAuth(port: number, from: string, user: string, pass: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const tcp = netConnect({ host: "127.0.0.1", port, localAddress: from });
    const s = tlsConnect({ socket: tcp, rejectUnauthorized: false });
    let buf = "";
    let sent = false;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no reply; got ${JSON.stringify(buf)}`));
    }, 20_000);
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
        resolve(tagged[0].trimEnd());
      }
    });
    s.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function smtpAuth(port: number, user: string, pass: string): Promise<string> {
  const c = await RawSmtpClient.connect({ port, tls: true, timeoutMs: 30_000 });
  try {
    await c.reply(); // greeting
    await c.cmd("EHLO client.example");
    return await c.cmd(`AUTH PLAIN ${b64(`\0${user}\0${pass}`)}`);
  } finally {
    c.send("QUIT\r\n");
  }
}

describe("login throttle bypasses (issue 18, finding 8)", () => {
  let srv: TestServer;
  const lines: Record<string, unknown>[] = [];
  const checked = () => lines.filter((l) => l.msg === "login failed").length;

  before(async () => {
    srv = await startTestServer({
      users: [
        { address: "t2@example.test", password: testPassword },
        { address: "u3@example.test", password: testPassword },
      ],
      // No delays (they would only slow the test down); refusal after MAX_FAILURES.
      config: {
        auth: {
          throttleMaxFailures: MAX_FAILURES,
          throttleFreeFailures: MAX_FAILURES,
          throttleBaseDelayMs: 0,
        },
      },
      log: createLogger({ format: "json", level: "info", write: (l) => lines.push(JSON.parse(l)) }),
    });
  });
  after(() => srv.stop());

  test("20 parallel wrong AUTH PLAIN on one account from one IP: at most maxFailures are checked", async () => {
    const before = checked();
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => smtpAuth(srv.ports.submissions, "u3@example.test", `guess ${i}`)),
    );
    const invalid = replies.filter((r) => r.startsWith("535 5.7.8 "));
    const throttled = replies.filter((r) => r.startsWith("454 4.7.0 "));
    assert.equal(invalid.length + throttled.length, 20, replies.join("\n"));
    assert.equal(checked() - before, invalid.length);
    assert.ok(invalid.length <= MAX_FAILURES, `${invalid.length} passwords checked, limit ${MAX_FAILURES}`);
    // The right password is refused too now from this IP: the pair's budget is spent.
    assert.match(await smtpAuth(srv.ports.submissions, "u3@example.test", testPassword), /^454 4\.7\.0 /);
  });

  test("quoted, backslash and upper-case spellings share the account's counter", async () => {
    const port = srv.ports.imaps!;
    // Every guess from one loopback address: were the spellings counted apart, each would be a
    // fresh (IP, account) pair with a budget of its own.
    const spellings = ['"t2"@example.test', '"t\\2"@example.test', "T2@Example.Test", "t2@example.test"];
    for (const [i, user] of spellings.entries()) {
      assert.equal(spellings.length, MAX_FAILURES);
      assert.equal(
        await imapAuth(port, "127.0.0.20", user, `wrong ${i}`),
        "a NO [AUTHENTICATIONFAILED] Authentication failed",
      );
    }
    // Every spelling now meets the pair's spent budget, even with the right password.
    for (const user of spellings)
      assert.equal(
        await imapAuth(port, "127.0.0.20", user, testPassword),
        "a NO [UNAVAILABLE] Too many failed logins, try again later",
        user,
      );
    // Only that pair: the owner logs in from another address (src/auth/throttle.ts).
    assert.match(await imapAuth(port, "127.0.0.30", "t2@example.test", testPassword), /^a OK /);
  });
});
