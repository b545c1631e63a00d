// Issue 18, finding 5 (IMAP): before login a whole command has a byte budget
// (imap.preAuthCommandBytes), and a connection must log in within imap.loginDeadlineSec of
// connecting, whatever commands it sends meanwhile.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RawClient } from "./test-client.js";
import { PASSWORD, startImapTestServer } from "./test-server.js";

describe("IMAP pre-login budget", () => {
  test("a command over the budget before login gets BAD and BYE and is not read", async () => {
    const t = await startImapTestServer({ imap: { preAuthCommandBytes: 2048 } });
    try {
      // Non-synchronizing literals, each within maxLiteralBytes, together over the budget.
      const a = await RawClient.connect(t.port.none);
      await a.line();
      a.write(`a LOGIN {1500+}\r\n${"x".repeat(1500)} {1500+}\r\n${"y".repeat(1500)}\r\n`);
      assert.equal(await a.line(), "a BAD [TOOBIG] Command too big before login");
      assert.equal(await a.line(), "* BYE Too much data before login");
      assert.equal(await a.quiet(300), "");
      assert.equal(a.closed, true);
      // A synchronizing literal over the budget is refused before the client sends it.
      const b = await RawClient.connect(t.port.none);
      await b.line();
      b.write("b LOGIN {3000}\r\n");
      assert.equal(await b.line(), "b BAD [TOOBIG] Command too big before login");
      assert.equal(await b.line(), "* BYE Too much data before login");
      // Within the budget, commands before login work as usual.
      const c = await RawClient.connect(t.port.implicit, { tls: true });
      await c.line();
      assert.deepEqual(await c.cmd("c", `ID ("name" {1000+}\r\n${"n".repeat(1000)})`), [
        '* ID ("name" "Yubin")',
        "c OK ID completed",
      ]);
      // After login the budget no longer applies (maxLiteralBytes and maxLineBytes do).
      assert.match((await c.cmd("d", `LOGIN alice@example.test "${PASSWORD}"`)).at(-1)!, /^d OK /);
      const big = await c.cmd("e", `STATUS {3000+}\r\n${"z".repeat(3000)} (MESSAGES)`);
      assert.match(big.at(-1)!, /^e NO /);
      c.close();
    } finally {
      await t.stop();
    }
  });

  test("pipelined commands before login cannot queue more than the budget", async () => {
    const t = await startImapTestServer({ imap: { preAuthCommandBytes: 2048 } });
    try {
      const a = await RawClient.connect(t.port.none);
      await a.line();
      // Many small complete commands are fine: they are answered in order.
      a.write("x NOOP\r\n".repeat(200));
      const lines = await a.until("x", 5000);
      assert.equal(lines.at(-1), "x OK NOOP completed");
      a.close();
    } finally {
      await t.stop();
    }
  });
});

describe("IMAP login deadline", () => {
  test("NOOPs do not keep an unauthenticated connection alive past the deadline", async () => {
    const t = await startImapTestServer({ imap: { loginDeadlineSec: 1, preAuthTimeoutSec: 60 } });
    const a = await RawClient.connect(t.port.none);
    const ping = setInterval(() => {
      if (!a.closed) a.write("n NOOP\r\n");
    }, 150);
    try {
      await a.line();
      let line = "";
      let answered = 0;
      for (let i = 0; i < 100 && line !== "* BYE Login took too long"; i++) {
        line = await a.line(3000);
        if (line !== "* BYE Login took too long") {
          assert.equal(line, "n OK NOOP completed");
          answered++;
        }
      }
      assert.equal(line, "* BYE Login took too long");
      // At the 1 s deadline; NOOPs every 150 ms would keep a deadline that restarts at each
      // command from ever coming (the loop above ends after 100 of them, ~15 s). NOOPs at most
      // every 150 ms (fewer on a loaded machine, never more): ~7 answered before a 1 s deadline, 20
      // would take 3 s. Counted, not timed, so load cannot fail it.
      assert.ok(answered < 20, `the BYE comes at the deadline, not later (${answered} NOOPs answered)`);
      await a.quiet(300);
      assert.equal(a.closed, true);
    } finally {
      clearInterval(ping);
      a.close();
      await t.stop();
    }
  });

  test("after login the deadline no longer applies", async () => {
    const t = await startImapTestServer({ imap: { loginDeadlineSec: 1 } });
    const a = await RawClient.connect(t.port.implicit, { tls: true });
    try {
      await a.line();
      assert.match((await a.cmd("l", `LOGIN alice@example.test "${PASSWORD}"`)).at(-1)!, /^l OK /);
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(await a.cmd("n", "NOOP"), ["n OK NOOP completed"]);
    } finally {
      a.close();
      await t.stop();
    }
  });
});
