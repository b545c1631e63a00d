// A script sent as a literal and the CRLF ending PUTSCRIPT in another write: the client's Nagle
// algorithm holds the CRLF until the literal is acknowledged, and a delayed ACK made each such
// upload wait ~45 ms (issue 20, found for IMAP). The server sets TCP_QUICKACK once a literal is
// read without the rest of its line (server/quick-ack.ts). Not timed: the test watches the
// setsockopt calls over a real socket, as src/imap/literal-ack.test.ts does.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { quickAckAvailable } from "../server/quick-ack.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { plainAuth, SieveTestClient } from "./test-client.js";

const TCP_QUICKACK = 12;
const SCRIPT = 'require "fileinto";\r\nfileinto "Lists";\r\n';

interface SockOpt {
  setsockopt(socket: Socket, level: number, name: number, value: number): void;
}

describe("ManageSieve acknowledges a literal read without its line end at once", {
  skip: quickAckAvailable ? false : "TCP_QUICKACK needs Linux and the sockopt addon",
}, () => {
  let ts: TestServer;
  const sockopt = createRequire(import.meta.url)("sockopt") as SockOpt;
  const original = sockopt.setsockopt;
  let acks = 0;

  before(async () => {
    ts = await startTestServer({
      users: [{ address: "alice@example.test", password: testPassword }],
      config: { managesieve: { allowPlaintextAuth: true } },
    });
    sockopt.setsockopt = (socket, level, name, value) => {
      if (name === TCP_QUICKACK && value === 1) acks++;
      original(socket, level, name, value);
    };
  });
  after(async () => {
    sockopt.setsockopt = original;
    await ts?.stop();
  });

  async function ackedAfter(n: number): Promise<boolean> {
    for (let i = 0; i < 500 && acks <= n; i++) await new Promise((r) => setTimeout(r, 10));
    return acks > n;
  }

  test("PUTSCRIPT: the literal, then (after the ACK) the CRLF", async () => {
    const c = await SieveTestClient.connect(ts.ports.managesieve!);
    try {
      await c.readResponse();
      assert.equal(await c.cmd(plainAuth("alice@example.test", testPassword)), 'OK "logged in"\r\n');
      const before = acks;
      c.send(`PUTSCRIPT "lists" {${Buffer.byteLength(SCRIPT)}+}\r\n${SCRIPT}`);
      assert.ok(await ackedAfter(before), "no TCP_QUICKACK after the literal");
      c.send("\r\n");
      assert.equal(await c.readResponse(), "OK\r\n");
      // A command read whole needs no early ACK.
      const whole = acks;
      assert.equal(await c.cmd("NOOP"), 'OK "Done"\r\n');
      assert.equal(acks, whole);
    } finally {
      c.close();
    }
  });
});
