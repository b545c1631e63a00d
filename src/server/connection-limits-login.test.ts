// Per-IP caps that never lock an office out (issue 18): the per-IP cap counts only connections
// not logged in yet; a login moves its connection to a per-(account, IP) count, like Dovecot's
// mail_max_userip_connections. An office of many users behind one NAT address is served; an
// address holding idle anonymous connections is still refused; one account's connections from one
// address are capped with the protocol's reply. Loopback has the whole 127/8, so 127.0.0.2… are
// different clients. IMAP runs with the default caps (50 before login, 20 per account and IP).
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

/** A plaintext line client bound to a chosen local address. */
class LineClient {
  private buf = "";
  private waiter: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf += d.toString("latin1");
      this.waiter?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on("error", () => {});
  }

  static async open(port: number, localAddress: string): Promise<LineClient> {
    const socket = connect({ host: "127.0.0.1", port, localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new LineClient(socket);
  }

  /** The next line, without CRLF ("" once the server has closed). */
  async line(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.buf.indexOf("\r\n");
      if (nl >= 0) {
        const l = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 2);
        return l;
      }
      if (this.closed) return "";
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = null;
    }
  }

  /** Sends a command and returns the first line matching `last` (earlier lines are skipped). */
  async cmd(text: string, last: RegExp): Promise<string> {
    this.socket.write(`${text}\r\n`);
    for (let i = 0; i < 100; i++) {
      const l = await this.line();
      if (l === "" && this.closed) return l;
      if (last.test(l)) return l;
    }
    throw new Error(`no reply matching ${last} to ${text}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

const users = Array.from({ length: 10 }, (_, i) => ({
  address: `u${i}@example.test`,
  password: testPassword,
}));

describe("IMAP: per-IP caps count connections not logged in yet", () => {
  let s: TestServer;
  const held: LineClient[] = [];
  const port = () => s.ports.imap!;

  async function imapLogin(ip: string, user: string, tag = "a"): Promise<{ c: LineClient; reply: string }> {
    const c = await LineClient.open(port(), ip);
    held.push(c);
    assert.match(await c.line(), /^\* OK /, `greeting for a connection from ${ip}`);
    const reply = await c.cmd(`${tag} LOGIN ${user} "${testPassword}"`, new RegExp(`^${tag} `));
    return { c, reply };
  }

  before(async () => {
    s = await startTestServer({ users, config: { imap: { allowPlaintextAuth: true } } });
  });
  after(async () => {
    for (const c of held) c.close();
    await s.stop();
  });

  test("an office: 60 connections from one address, each logging in as one of 10 users, are all served", async () => {
    for (let i = 0; i < 60; i++) {
      const { reply } = await imapLogin("127.0.0.2", users[i % 10]!.address);
      assert.match(reply, /^a OK /, `connection ${i + 1}`);
    }
  });

  test("50 idle connections before login fill an address's cap; another address logs in meanwhile", async () => {
    const idle: LineClient[] = [];
    for (let i = 0; i < 50; i++) {
      const c = await LineClient.open(port(), "127.0.0.4");
      held.push(c);
      idle.push(c);
      assert.match(await c.line(), /^\* OK /, `idle connection ${i + 1}`);
    }
    const extra = await LineClient.open(port(), "127.0.0.4");
    held.push(extra);
    assert.match(await extra.line(), /^\* BYE \[UNAVAILABLE\] /);
    assert.equal(await extra.line(), ""); // and closed

    const other = await imapLogin("127.0.0.3", "u0@example.test");
    assert.match(other.reply, /^a OK /);

    // One of the idle ones logs in: its slot before login is free for the next newcomer.
    assert.match(await idle[0]!.cmd(`b LOGIN u1@example.test "${testPassword}"`, /^b /), /^b OK /);
    const next = await LineClient.open(port(), "127.0.0.4");
    held.push(next);
    assert.match(await next.line(), /^\* OK /);
  });

  test("the 21st login of one account from one address gets NO [LIMIT]; another account's does not", async () => {
    const twenty: LineClient[] = [];
    for (let i = 0; i < 20; i++) {
      const { c, reply } = await imapLogin("127.0.0.5", "u2@example.test");
      assert.match(reply, /^a OK /, `login ${i + 1}`);
      twenty.push(c);
    }
    const over = await imapLogin("127.0.0.5", "u2@example.test");
    assert.equal(over.reply, "a NO [LIMIT] Too many connections for this user from this address");
    // The refused connection stays open and unauthenticated.
    assert.match(await over.c.cmd("n NOOP", /^n /), /^n OK /);
    assert.match(await over.c.cmd("s SELECT INBOX", /^s /), /^s BAD /);

    const other = await imapLogin("127.0.0.5", "u3@example.test");
    assert.match(other.reply, /^a OK /);
    const elsewhere = await imapLogin("127.0.0.6", "u2@example.test");
    assert.match(elsewhere.reply, /^a OK /);

    // When one of the 20 leaves, the account may log in again from that address (the server
    // frees the slot when it sees the close: retried, bounded).
    twenty[0]!.close();
    let reply = "";
    for (let i = 0; i < 50; i++) {
      reply = await over.c.cmd(`r${i} LOGIN u2@example.test "${testPassword}"`, new RegExp(`^r${i} `));
      if (!reply.includes("[LIMIT]")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(reply, /^r\d+ OK /);
  });
});

describe("POP3 and submission: a login leaves the per-IP count", () => {
  const CAP = 3;
  let s: TestServer;
  const held: LineClient[] = [];

  before(async () => {
    s = await startTestServer({
      users,
      config: {
        pop3: { allowPlaintextAuth: true, maxConnectionsPerIp: CAP },
        smtp: { plaintextAuth: "loopback", maxConnectionsPerIp: CAP, maxConnectionsPerUserIp: 2 },
      },
    });
  });
  after(async () => {
    for (const c of held) c.close();
    await s.stop();
  });

  async function pop3Login(ip: string, user: string): Promise<string> {
    const c = await LineClient.open(s.ports.pop3, ip);
    held.push(c);
    const greeting = await c.line();
    if (!greeting.startsWith("+OK")) return greeting;
    assert.match(await c.cmd(`USER ${user}`, /^[+-]/), /^\+OK/);
    return c.cmd(`PASS ${testPassword}`, /^[+-]/);
  }

  async function submissionAuth(ip: string, user: string): Promise<string> {
    const c = await LineClient.open(s.ports.submission, ip);
    held.push(c);
    const greeting = await c.line();
    if (!greeting.startsWith("220 ")) return greeting;
    await c.cmd("EHLO client.example.test", /^250 /);
    const plain = Buffer.from(`\0${user}\0${testPassword}`).toString("base64");
    return c.cmd(`AUTH PLAIN ${plain}`, /^\d{3} /);
  }

  test(`POP3: ${CAP * 2} users from one address log in with a per-IP cap of ${CAP}`, async () => {
    for (let i = 0; i < CAP * 2; i++) {
      assert.match(await pop3Login("127.0.0.2", users[i]!.address), /^\+OK/, `user ${i}`);
    }
    // Connections that stay before login are still capped.
    const idle: LineClient[] = [];
    for (let i = 0; i < CAP; i++) {
      const c = await LineClient.open(s.ports.pop3, "127.0.0.2");
      held.push(c);
      idle.push(c);
      assert.match(await c.line(), /^\+OK/);
    }
    const extra = await LineClient.open(s.ports.pop3, "127.0.0.2");
    held.push(extra);
    assert.match(await extra.line(), /^-ERR \[SYS\/TEMP\] /);
  });

  test(`submission: ${CAP * 2} sessions from one address authenticate; a third of one account gets 454 4.7.0`, async () => {
    for (let i = 0; i < CAP * 2; i++) {
      const user = users[Math.floor(i / 2)]!.address; // two sessions each
      assert.match(await submissionAuth("127.0.0.3", user), /^235 /, `session ${i + 1} (${user})`);
    }
    assert.equal(
      await submissionAuth("127.0.0.3", users[0]!.address),
      "454 4.7.0 Too many connections for this user from this address, try again later",
    );
    assert.match(await submissionAuth("127.0.0.3", users[5]!.address), /^235 /);
  });
});
