// Temporary failures over time: a destination that keeps answering 451 earns the sender one
// delay notice (RFC 3464 Action: delayed) once outbound.delayNoticeAfterMs has passed, only for
// recipients whose NOTIFY asks for it (RFC 3461 4.1), and a bounce with 4.4.7 (RFC 3463
// "delivery time expired") when outbound.maxQueueTimeMs runs out. Timers are milliseconds here.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { rfc5322Date } from "./dsn.js";
import { inboxBodies, outboundConfig, sleep, waitFor } from "./test-helpers.js";
import { type Sink, startSink } from "./test-sink.js";

const busy = "451 4.3.0 mailbox busy, try later";

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The per-recipient blocks of the message/delivery-status part, keyed by Final-Recipient. */
function dsnBlocks(dsn: string): Map<string, string> {
  const part = /Content-Type: message\/delivery-status\r\n\r\n([\s\S]*?)\r\n\r\n--/.exec(dsn)?.[1] ?? "";
  const blocks = part.split("\r\n\r\n").slice(1);
  return new Map(blocks.map((b) => [/^Final-Recipient: rfc822; (\S+)/.exec(b)?.[1] ?? "", b]));
}

describe("outbound: delay notices and expiry", () => {
  let dns: DnsServer;
  let sink: Sink;
  const started: TestServer[] = [];
  const instance = async (extra: Record<string, unknown>) => {
    const a = await startTestServer({
      domains: ["a.test"],
      users: [{ address: "alice@a.test", password: testPassword }],
      config: outboundConfig(dns, sink.port, extra),
    });
    started.push(a);
    return a;
  };

  before(async () => {
    dns = await startDnsServer([
      { name: "sink.test", type: "MX", exchange: "mx.sink.test", priority: 10 },
      { name: "mx.sink.test", type: "A", value: "127.0.0.1" },
    ]);
    sink = await startSink({ rcpt: () => busy });
  });
  after(async () => {
    for (const s of started) await s.stop();
    await sink.stop();
    await dns.stop();
  });

  test("one delay notice after delayNoticeAfterMs, only to recipients whose NOTIFY includes DELAY", async () => {
    // Attempts at 0, 100, 200, 300 ms ...: the one at 300 is the first past 250.
    const a = await instance({
      retryBaseMs: 100,
      retryMaxMs: 100,
      delayNoticeAfterMs: 250,
      maxQueueTimeMs: 60_000,
    });
    const wanted = await a.store.queue.enqueue({
      body: Buffer.from("Subject: slow one\r\n\r\nwaiting\r\n"),
      mailFrom: "alice@a.test",
      envId: "slow-1",
      recipients: [
        { address: "d1@sink.test" }, // no NOTIFY: FAILURE,DELAY by default (RFC 3461 4.1)
        { address: "d2@sink.test", notify: ["SUCCESS", "DELAY"] },
      ],
    });
    const silent = await a.store.queue.enqueue({
      body: Buffer.from("Subject: quiet one\r\n\r\nwaiting\r\n"),
      mailFrom: "alice@a.test",
      envId: "slow-2",
      recipients: [
        { address: "n1@sink.test", notify: ["NEVER"] },
        { address: "n2@sink.test", notify: ["FAILURE"] },
      ],
    });
    a.ctx.kickQueue?.();
    // Twice as many attempts as the notice needed: a second notice would have been sent by now.
    for (const id of [wanted.id, silent.id])
      await waitFor("eight attempts", async () => ((await a.store.queue.getQueued(id))?.attempts ?? 0) >= 8);

    const inbox = await inboxBodies(a, "alice@a.test");
    assert.equal(inbox.length, 1, "exactly one notice, for the first message only");
    const dsn = inbox[0]!.toString("utf8");
    assert.match(
      dsn,
      /^Return-Path: <>\r\nReceived: by mail\.example\.test \(Yubin\) id \w+\r\n\tfor <[^>]+>;\r\n\t[^\r]+\r\nFrom: Mail Delivery System <MAILER-DAEMON@mail\.example\.test>\r\n/,
    );
    assert.match(dsn, /\r\nSubject: Delayed Mail \(still being retried\)\r\n/);
    assert.match(dsn, /\r\nContent-Type: multipart\/report; report-type=delivery-status;/);
    assert.match(dsn, /\r\nReporting-MTA: dns; mail\.example\.test\r\nOriginal-Envelope-Id: slow-1\r\n/);
    const entry = (await a.store.queue.getQueued(wanted.id))!;
    const until = reEscape(rfc5322Date(new Date(entry.createdAt.getTime() + 60_000)));
    const blocks = dsnBlocks(dsn);
    assert.deepEqual([...blocks.keys()], ["d1@sink.test", "d2@sink.test"]);
    for (const [rcpt, block] of blocks) {
      assert.match(
        block,
        new RegExp(
          `^Final-Recipient: rfc822; ${rcpt}\r\nAction: delayed\r\nStatus: 4\\.3\\.0\r\nRemote-MTA: dns; mx\\.sink\\.test\r\nDiagnostic-Code: smtp; ${reEscape(busy)}\r\nLast-Attempt-Date: [^\r]+\r\nWill-Retry-Until: ${until}$`,
        ),
      );
    }
    assert.match(dsn, /Subject: slow one\r\n\r\nwaiting\r\n/, "the original is returned");
    // Still queued and still being tried.
    assert.deepEqual(
      entry.recipients.map((r) => [r.address, r.state]),
      [
        ["d1@sink.test", "pending"],
        ["d2@sink.test", "pending"],
      ],
    );
    assert.equal(entry.lastError, `d2@sink.test: ${busy}`);
    assert.equal(sink.transactions.length, 0);
  });

  test("after maxQueueTimeMs of 451s: a 4.4.7 bounce when the time is up, and the entry leaves the queue", async () => {
    // Attempts at 0 and 1.5 s, then the third would be at 16.5 s: the queue time (3 s) ends
    // before it, so the last attempt is made at 3 s and the message bounces then. The steps are
    // far apart so that a loaded machine cannot blur them: with 0.6 s / 1 s / 6.6 s a loaded CI
    // run took 2.1 s of the 2.5 s bound, and an attempt due at 0.6 s that ran past 1 s would
    // have been the last.
    const a = await instance({
      retryBaseMs: 1500,
      retryFactor: 10,
      retryMaxMs: 100_000,
      maxQueueTimeMs: 3000,
      delayNoticeAfterMs: 0,
    });
    // The RCPTs the sink saw for the bounced recipient: the attempts made (the first test's
    // server still retries its own recipients here, which keep their answer).
    let lateAttempts = 0;
    sink.script.rcpt = (address, n) => {
      if (address === "late@sink.test") lateAttempts = n;
      return busy;
    };
    const start = Date.now();
    const q = await a.store.queue.enqueue({
      body: Buffer.from("Subject: too late\r\n\r\nexpired\r\n"),
      mailFrom: "alice@a.test",
      envId: "late-1",
      recipients: [{ address: "late@sink.test", orcpt: "rfc822;Late@sink.test" }],
    });
    const quiet = await a.store.queue.enqueue({
      body: Buffer.from("Subject: too late, quietly\r\n\r\nexpired\r\n"),
      mailFrom: "alice@a.test",
      recipients: [{ address: "late2@sink.test", notify: ["NEVER"] }],
    });
    a.ctx.kickQueue?.();
    const [bounce] = await waitFor("bounce", async () => {
      const m = await inboxBodies(a, "alice@a.test");
      return m.length > 0 && m;
    });
    const elapsed = Date.now() - start;
    assert.ok(elapsed >= 3000, `not before the queue time is up (${elapsed} ms)`);
    assert.ok(
      elapsed < 16_500,
      `bounced when the queue time was up, not at the next backoff step (16.5 s; ${elapsed} ms)`,
    );
    // Three normally (0, 1.5 s, 3 s); two when the machine was so slow that the attempt due at
    // 1.5 s ended after 3 s, which made it the last. Never one: the queue time is up at 3 s.
    assert.ok(lateAttempts === 3 || lateAttempts === 2, `${lateAttempts} attempts`);
    const dsn = bounce!.toString("utf8");
    assert.match(dsn, /\r\nSubject: Undelivered Mail Returned to Sender\r\n/);
    assert.match(dsn, /\r\nOriginal-Envelope-Id: late-1\r\n/);
    assert.match(
      dsn,
      new RegExp(
        `\r\nFinal-Recipient: rfc822; late@sink\\.test\r\nOriginal-Recipient: rfc822; Late@sink\\.test\r\nAction: failed\r\nStatus: 4\\.4\\.7\r\nRemote-MTA: dns; mx\\.sink\\.test\r\nDiagnostic-Code: X-Yubin; message expired after ${lateAttempts} attempts; last: ${reEscape(busy)}\r\n`,
      ),
    );
    assert.doesNotMatch(dsn, /Will-Retry-Until/);
    await waitFor("both entries gone", async () => {
      const left = await Promise.all([q.id, quiet.id].map((id) => a.store.queue.getQueued(id)));
      return left.every((e) => e === null);
    });
    await sleep(200);
    assert.equal((await inboxBodies(a, "alice@a.test")).length, 1, "NOTIFY=NEVER: expired without a bounce");
    assert.equal(sink.transactions.length, 0);
  });
});
