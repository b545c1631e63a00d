// Issue 20: an APPEND with a synchronizing literal sent as Python's imaplib sends it (the literal,
// then its closing CRLF in another write) took 44 ms: the client's Nagle algorithm held the CRLF
// until the literal was acknowledged, and the server's kernel delayed that ACK. The server now
// sets TCP_QUICKACK whenever it has read part of a command (server/quick-ack.ts). Not timed: the
// test watches the setsockopt calls the connection makes, over a real socket, and
// server/quick-ack.test.ts shows what the call does to the kernel's ACK mode. The latency itself
// is measured by `npm run bench:imap -- --phases 4` (and beside Dovecot's by bench:imap:compare).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { quickAckAvailable } from "../server/quick-ack.js";
import { RawClient } from "./test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "./test-server.js";

const ALICE = "alice@example.test";
const TCP_QUICKACK = 12;
const MESSAGE = "From: a@example.test\r\nSubject: literal\r\n\r\nHello.\r\n";

interface SockOpt {
  setsockopt(socket: Socket, level: number, name: number, value: number): void;
}

describe("IMAP acknowledges a partly read command at once (TCP_QUICKACK)", {
  skip: quickAckAvailable ? false : "TCP_QUICKACK needs Linux and the sockopt addon",
}, () => {
  let t: ImapTestServer;
  let c: RawClient;
  // Every TCP_QUICKACK the server sets, through the same addon module object quick-ack.ts uses.
  const sockopt = createRequire(import.meta.url)("sockopt") as SockOpt;
  const original = sockopt.setsockopt;
  let acks = 0;

  before(async () => {
    t = await startImapTestServer({ server: { users: [{ address: ALICE, password: PASSWORD }] } });
    sockopt.setsockopt = (socket, level, name, value) => {
      if (name === TCP_QUICKACK && value === 1) acks++;
      original(socket, level, name, value);
    };
  });
  after(async () => {
    sockopt.setsockopt = original;
    c?.close();
    await t.stop();
  });
  beforeEach(async () => {
    c?.close();
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
  });

  /** Waits (bounded) until the server has set TCP_QUICKACK more than `n` times. */
  async function ackedAfter(n: number): Promise<boolean> {
    for (let i = 0; i < 500 && acks <= n; i++) await new Promise((r) => setTimeout(r, 10));
    return acks > n;
  }

  test("APPEND: the literal read without its closing CRLF is acknowledged before the CRLF comes", async () => {
    c.write(`A APPEND INBOX {${MESSAGE.length}}\r\n`);
    assert.equal(await c.line(), "+ Ready for literal data");
    const before = acks;
    c.write(MESSAGE); // the CRLF that ends the command is not sent yet
    assert.ok(await ackedAfter(before), "no TCP_QUICKACK after the literal");
    c.write("\r\n");
    const done = (await c.until("A")).at(-1);
    assert.match(done!, /^A OK \[APPENDUID \d+ \d+\] APPEND completed$/);
  });

  test("SEARCH with a literal likewise; a command read whole is not (nothing waits on it)", async () => {
    await c.cmd("E", "EXAMINE INBOX");
    let before = acks;
    await c.cmd("N", "NOOP");
    assert.equal(acks, before, "a command read whole needs no early ACK");
    c.write("S SEARCH SUBJECT {7}\r\n");
    assert.equal(await c.line(), "+ Ready for literal data");
    before = acks;
    c.write("literal");
    assert.ok(await ackedAfter(before), "no TCP_QUICKACK after the SEARCH literal");
    c.write("\r\n");
    const lines = await c.until("S");
    assert.equal(lines.at(-1), "S OK SEARCH completed");
  });
});
