// Issue 20, SMTP side: a client that writes the message and then ".CRLF" apart (its Nagle
// algorithm holds the dot until the message is acknowledged) waited 40 ms per message for our
// delayed ACK. The server now sets TCP_QUICKACK whenever it has read part of a message or line
// (server/quick-ack.ts). Not timed: the test watches the setsockopt calls over a real socket;
// server/quick-ack.test.ts shows what the call does to the kernel's ACK mode.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { quickAckAvailable } from "../server/quick-ack.js";
import type { TestServer } from "../testing/harness.js";
import { RawSmtpClient } from "./test-client.js";
import { inbox, startSmtpTestServer } from "./test-server.js";

const TCP_QUICKACK = 12;

interface SockOpt {
  setsockopt(socket: Socket, level: number, name: number, value: number): void;
}

describe("SMTP acknowledges a partly read message at once (TCP_QUICKACK)", {
  skip: quickAckAvailable ? false : "TCP_QUICKACK needs Linux and the sockopt addon",
}, () => {
  let server: TestServer;
  const sockopt = createRequire(import.meta.url)("sockopt") as SockOpt;
  const original = sockopt.setsockopt;
  let acks = 0;

  before(async () => {
    server = await startSmtpTestServer({
      users: [{ address: "rcpt@example.test", password: "unused pw 1" }],
    });
    sockopt.setsockopt = (socket, level, name, value) => {
      if (name === TCP_QUICKACK && value === 1) acks++;
      original(socket, level, name, value);
    };
  });
  after(async () => {
    sockopt.setsockopt = original;
    await server.stop();
  });

  async function ackedAfter(n: number): Promise<boolean> {
    for (let i = 0; i < 500 && acks <= n; i++) await new Promise((r) => setTimeout(r, 10));
    return acks > n;
  }

  test("DATA: the message read without its final dot is acknowledged before the dot comes", async () => {
    const c = await RawSmtpClient.connect({ port: server.ports.smtp });
    try {
      assert.match(await c.reply(), /^220 /);
      assert.match(await c.cmd("EHLO client.example.net"), /^250-/);
      assert.match(await c.cmd("MAIL FROM:<>"), /^250 /);
      assert.match(await c.cmd("RCPT TO:<rcpt@example.test>"), /^250 /);
      assert.match(await c.cmd("DATA"), /^354 /);
      const n = acks;
      c.send("From: a@example.net\r\nSubject: quick ack\r\n\r\nHello.\r\n");
      assert.ok(await ackedAfter(n), "no TCP_QUICKACK after the message body");
      c.send(".\r\n");
      assert.match(await c.reply(), /^250 /);
      await c.cmd("QUIT");
    } finally {
      c.close();
    }
    const user = server.users.find((u) => u.address === "rcpt@example.test")!;
    const got = await inbox(server.store, user.id);
    assert.equal(got.length, 1);
  });
});
