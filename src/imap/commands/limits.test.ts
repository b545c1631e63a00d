// Limits over a real socket: long lines, oversize literals (synchronizing and not), deep nesting,
// and pipelined commands answered in order.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

describe("IMAP limits", () => {
  let t: ImapTestServer;
  let c: RawClient;
  before(async () => {
    t = await startImapTestServer({
      imap: { maxLineBytes: 1024, maxLiteralBytes: 1024, appendLimit: 4096, maxNestingDepth: 3 },
    });
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN alice@example.test "${PASSWORD}"`);
  });
  after(async () => {
    c.close();
    await t.stop();
  });

  test("a line over maxLineBytes gets BAD and the session goes on", async () => {
    assert.deepEqual(await c.cmd("a", `NOOP ${"x".repeat(2000)}`), ["a BAD Command line too long"]);
    assert.deepEqual(await c.cmd("b", "NOOP"), ["b OK NOOP completed"]);
  });

  test("literals over the limit: refused at once when synchronizing, skipped when not", async () => {
    c.write("a LOGIN {1025}\r\n");
    assert.equal(await c.line(), "a BAD [TOOBIG] Literal too big");
    assert.deepEqual(await c.cmd("b", `SELECT {1025+}\r\n${"y".repeat(1025)}`), [
      "b BAD [TOOBIG] Literal too big",
    ]);
    assert.deepEqual(await c.cmd("c", `APPEND INBOX {4097+}\r\n${"z".repeat(4097)}`), [
      "c NO [TOOBIG] Message too big",
    ]);
    assert.deepEqual(await c.cmd("d", "NOOP"), ["d OK NOOP completed"]);
    const caps = await c.cmd("e", "CAPABILITY");
    assert.match(caps[0]!, / APPENDLIMIT=4096 /);
  });

  test("nesting deeper than maxNestingDepth is BAD", async () => {
    await c.cmd("s", "SELECT INBOX");
    assert.deepEqual(await c.cmd("a", "SEARCH ((((UID 999999))))"), ["a BAD Too deeply nested"]);
    assert.deepEqual(await c.cmd("b", "SEARCH (((UID 999999)))"), ["* SEARCH", "b OK SEARCH completed"]);
  });

  test("garbage input never breaks the session", async () => {
    // Deterministic pseudo-random lines built from IMAP-ish pieces, literals announced with "+".
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = [
      "(",
      ")",
      "[",
      "]",
      "<",
      ">",
      '"',
      "\\",
      "*",
      "%",
      "1:*",
      "$",
      "BODY[",
      "UID",
      "FETCH",
      "SEARCH",
      "OR",
      "NOT",
      " ",
      "{3+}\r\nabc",
      "\u00e9",
      "~",
      "\x00",
      "NIL",
      "APPEND",
      "INBOX",
    ];
    for (let i = 0; i < 300; i++) {
      let line = `g${i} `;
      const n = 1 + rnd(12);
      for (let j = 0; j < n; j++) line += pieces[rnd(pieces.length)];
      c.write(line + "\r\n");
    }
    assert.deepEqual(await c.cmd("alive", "NOOP", 10000).then((l) => l.at(-1)), "alive OK NOOP completed");
  });

  test("pipelined commands are answered in order", async () => {
    const n = 200;
    let batch = "";
    for (let i = 0; i < n; i++) batch += `p${i} NOOP\r\n`;
    c.write(batch);
    for (let i = 0; i < n; i++) assert.equal(await c.line(), `p${i} OK NOOP completed`);
  });
});

describe("IMAP timeouts and connection limit", () => {
  test("autologout during IDLE", async () => {
    const t = await startImapTestServer({ imap: { idleTimeoutSec: 1 } });
    const a = await RawClient.connect(t.port.implicit, { tls: true });
    try {
      await a.line();
      assert.match((await a.cmd("L", `LOGIN alice@example.test "${PASSWORD}"`)).at(-1) ?? "", /^L OK /);
      assert.match((await a.cmd("S", "SELECT INBOX")).at(-1) ?? "", /^S OK /);
      a.write("i IDLE\r\n");
      assert.equal(await a.line(), "+ idling");
      const started = Date.now();
      assert.equal(await a.line(3000), "* BYE Autologout; idle for too long");
      assert.ok(Date.now() - started >= 800);
      await a.quiet(100);
      assert.equal(a.closed, true);
    } finally {
      a.close();
      await t.stop();
    }
  });

  test("autologout before login; connections beyond maxConnections get BYE", async () => {
    const t = await startImapTestServer({ imap: { preAuthTimeoutSec: 1, maxConnections: 1 } });
    const a = await RawClient.connect(t.port.none);
    try {
      assert.match(await a.line(), /^\* OK \[CAPABILITY /);
      const b = await RawClient.connect(t.port.none);
      assert.equal(await b.line(), "* BYE [UNAVAILABLE] Too many connections, try again later");
      b.close();
      const started = Date.now();
      assert.equal(await a.line(3000), "* BYE Autologout; idle for too long");
      assert.ok(Date.now() - started >= 800);
      await a.quiet(100);
      assert.equal(a.closed, true);
    } finally {
      a.close();
      await t.stop();
    }
  });
});
