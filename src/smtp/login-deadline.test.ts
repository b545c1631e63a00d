// Issue 18: on submission (587/465) a client that never authenticates could keep its connection
// for smtp.maxSessionSec by sending a command before each commandTimeoutSec. AUTH must now
// succeed within smtp.submissionLoginDeadlineSec of connecting; inbound MX (port 25) has no AUTH
// and no such deadline. Raw client, exact replies.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TestServer } from "../testing/harness.js";
import { b64, RawSmtpClient } from "./test-client.js";
import { startSmtpTestServer } from "./test-server.js";

const LATE = "421 4.7.0 Authentication took too long, closing connection";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("smtp.submissionLoginDeadlineSec", () => {
  let s: TestServer;
  before(async () => {
    s = await startSmtpTestServer({ config: { smtp: { submissionLoginDeadlineSec: 1 } } });
  });
  after(() => s.stop());

  test("EHLO every 150 ms does not keep an unauthenticated submission connection past the deadline", async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.submission });
    try {
      assert.match(await c.reply(), /^220 /);
      let r = "";
      let answered = 0;
      for (let i = 0; i < 40 && !r.startsWith("421"); i++) {
        r = await c.cmd("EHLO client.example");
        if (!r.startsWith("421")) answered++;
        await sleep(150);
      }
      assert.equal(r, LATE);
      // At the 1 s deadline: at least 150 ms between commands, so at most ~7 are answered before
      // it (fewer on a loaded machine, never more); 20 would take 3 s. Counted, not timed, so load
      // cannot fail it. A deadline that each command restarted would never come (the loop ends).
      assert.ok(answered < 20, `closed at the deadline, not later (${answered} commands answered)`);
      await c.waitClosed();
    } finally {
      c.close();
    }
  });

  test("a silent client is told at the deadline, not at commandTimeoutSec", async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.submissions, tls: true });
    const t0 = Date.now();
    try {
      assert.match(await c.reply(), /^220 /);
      assert.equal(await c.reply(), LATE);
      // The reply names the login deadline; commandTimeoutSec (300 s) would end it otherwise.
      assert.ok(Date.now() - t0 < 60_000, "at the deadline, not at commandTimeoutSec");
      await c.waitClosed();
    } finally {
      c.close();
    }
  });

  test("after AUTH the deadline no longer applies; port 25 never had one", async () => {
    const u = s.users[0]!;
    const sub = await RawSmtpClient.connect({ port: s.ports.submissions, tls: true });
    const mx = await RawSmtpClient.connect({ port: s.ports.smtp });
    try {
      assert.match(await sub.reply(), /^220 /);
      assert.match(await mx.reply(), /^220 /);
      await sub.cmd("EHLO client.example");
      assert.equal(
        await sub.cmd(`AUTH PLAIN ${b64(`\0${u.address}\0${u.password}`)}`),
        "235 2.7.0 Authentication successful",
      );
      await sleep(1500);
      assert.equal(await sub.cmd("NOOP"), "250 2.0.0 OK");
      assert.equal(await mx.cmd("NOOP"), "250 2.0.0 OK");
    } finally {
      sub.close();
      mx.close();
    }
  });
});
