// The vacation auto-reply end to end: mail delivered over SMTP (a real server on 127.0.0.1) to
// an account whose VacationResponse is on gets one reply per sender, with the null sender,
// locally through the store or remotely through the queue; a failure never fails delivery.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { RawSmtpClient } from "../smtp/test-client.js";
import { inbox, startSmtpTestServer } from "../smtp/test-server.js";
import type { VacationResponse } from "../store/types.js";
import type { TestServer } from "../testing/harness.js";
import { isActive } from "./vacation.js";

let s: TestServer;
let alice: number;
let bob: number;

before(async () => {
  s = await startSmtpTestServer();
  alice = s.users[0]!.id;
  bob = s.users[1]!.id;
});
after(() => s.stop());

const away: VacationResponse = {
  isEnabled: true,
  fromDate: null,
  toDate: null,
  subject: null,
  textBody: "I am away.",
  htmlBody: null,
};

beforeEach(async () => {
  await s.store.settings.setVacation(alice, away);
  for (const q of await s.store.queue.listQueue()) await s.store.queue.removeQueued(q.id);
});

/** One message over port 25; returns the final reply line. */
async function send(from: string, to: string, text: string): Promise<string> {
  const c = await RawSmtpClient.connect({ port: s.ports.smtp });
  await c.reply();
  await c.cmd("EHLO client.example");
  assert.equal(await c.cmd(`MAIL FROM:<${from}>`), "250 2.1.0 Sender OK");
  assert.equal(await c.cmd(`RCPT TO:<${to}>`), "250 2.1.5 Recipient OK");
  await c.cmd("DATA");
  c.send(`${text}.\r\n`);
  const r = await c.reply();
  await c.cmd("QUIT");
  await c.waitClosed();
  return r;
}

const replies = async (accountId: number, marker: string) =>
  (await inbox(s.store, accountId)).map((b) => b.toString()).filter((b) => b.includes(`Auto: ${marker}`));

describe("vacation auto-reply over SMTP", () => {
  test("a local sender gets exactly one reply, null sender, threaded, Auto-Submitted", async () => {
    const m = randomUUID();
    const msg = `From: bob@example.test\r\nTo: alice@example.test\r\nSubject: ${m}\r\nMessage-ID: <${m}@example.test>\r\n\r\nhi\r\n`;
    assert.match(await send("bob@example.test", "alice@example.test", msg), /^250 /);
    const got = await replies(bob, m);
    assert.equal(got.length, 1);
    const r = got[0]!;
    assert.match(
      r,
      /^Return-Path: <>\r\nReceived: by mail\.example\.test \(Yubin\) id \w+\r\n\tfor <[^>]+>;\r\n\t[^\r]+\r\nFrom: <alice@example\.test>\r\nTo: <bob@example\.test>\r\n/,
    );
    assert.ok(r.includes(`\r\nSubject: Auto: ${m}\r\n`));
    assert.ok(r.includes(`\r\nIn-Reply-To: <${m}@example.test>\r\nReferences: <${m}@example.test>\r\n`));
    assert.ok(r.includes("\r\nAuto-Submitted: auto-replied\r\n"));
    assert.ok(r.endsWith("\r\n\r\nI am away.\r\n"));
    // Once per sender per interval, even for another message.
    const m2 = randomUUID();
    await send("bob@example.test", "alice@example.test", msg.replaceAll(m, m2));
    assert.deepEqual(await replies(bob, m2), []);
    assert.equal((await inbox(s.store, alice)).filter((b) => b.includes(m2)).length, 1);
  });

  test("a Sieve vacation's :from with an encoded-word name is decoded, not quoted (Pigeonhole vacation/utf-8.svtest)", async () => {
    const limits = { maxScripts: 10, maxTotalBytes: 1 << 20 };
    const script =
      'require "vacation";\nvacation :subject "Away" :from "=?utf-8?q?Al=C3=AFce?= M. Smith <alice@example.test>" "Gone";\n';
    await s.store.sieve.put(alice, "away", script, limits);
    await s.store.sieve.setActive(alice, "away");
    try {
      const m = randomUUID();
      const msg = `From: bob@example.test\r\nTo: alice@example.test\r\nSubject: ${m}\r\n\r\nhi\r\n`;
      assert.match(await send(`bob+${m}@example.test`, "alice@example.test", msg), /^250 /);
      const got = (await inbox(s.store, bob))
        .map((b) => b.toString())
        .filter((b) => b.includes("Subject: Away"));
      assert.equal(got.length, 1);
      // RFC 2047 5: an encoded word is never inside a quoted string.
      assert.match(got[0]!, /\r\nFrom: =\?UTF-8\?B\?[^?]+\?= <alice@example\.test>\r\n/);
    } finally {
      await s.store.sieve.setActive(alice, null);
      await s.store.sieve.remove(alice, "away");
    }
  });

  test("a remote sender's reply is queued with MAIL FROM:<> and the account's id", async () => {
    const m = randomUUID();
    const msg = `From: ann@remote.example\r\nTo: Alice <alice@example.test>\r\nSubject: ${m}\r\n\r\nhi\r\n`;
    await send("ann@remote.example", "alice@example.test", msg);
    const q = await s.store.queue.listQueue();
    assert.deepEqual(
      q.map((e) => [e.mailFrom, e.recipients.map((r) => r.address), e.accountId]),
      [["", ["ann@remote.example"], alice]],
    );
    const body = (await s.store.mail.readBody(q[0]!.blobId)).toString();
    assert.ok(body.includes(`\r\nSubject: Auto: ${m}\r\n`));
  });

  test("no reply outside the dates, when disabled, or to a mailing list", async () => {
    const cases: [Partial<VacationResponse>, string][] = [
      [{ fromDate: new Date(Date.now() + 3_600_000) }, ""],
      [{ toDate: new Date(Date.now() - 1000) }, ""],
      [{ isEnabled: false }, ""],
      [{}, "List-Id: <x.remote.example>\r\n"],
    ];
    for (const [patch, extra] of cases) {
      await s.store.settings.setVacation(alice, { ...away, ...patch });
      const m = randomUUID();
      await send(
        "carol@remote.example",
        "alice@example.test",
        `To: alice@example.test\r\nSubject: ${m}\r\n${extra}\r\nhi\r\n`,
      );
      assert.deepEqual(await s.store.queue.listQueue(), [], JSON.stringify(patch));
    }
  });

  test("a failing auto-reply is logged; the original is still delivered", async () => {
    // The once-per-sender memory (the store's duplicate memory, shared with Sieve's vacation).
    const sieve = s.store.sieve;
    const real = sieve.duplicate;
    sieve.duplicate = async () => {
      throw new Error("disk on fire");
    };
    try {
      const m = randomUUID();
      const r = await send(
        "dave@remote.example",
        "alice@example.test",
        `To: alice@example.test\r\nSubject: ${m}\r\n\r\nhi\r\n`,
      );
      assert.match(r, /^250 2\.0\.0 OK/);
      assert.equal((await inbox(s.store, alice)).filter((b) => b.includes(m)).length, 1);
      assert.deepEqual(await s.store.queue.listQueue(), []);
    } finally {
      sieve.duplicate = real;
    }
  });
});

test("isActive: on or after fromDate, before toDate (RFC 8621 8)", () => {
  const t = new Date("2030-06-01T00:00:00Z");
  const at = (iso: string) => new Date(iso);
  assert.equal(isActive({ ...away, fromDate: t }, t), true);
  assert.equal(isActive({ ...away, fromDate: t }, at("2030-05-31T23:59:59Z")), false);
  assert.equal(isActive({ ...away, toDate: t }, t), false);
  assert.equal(isActive({ ...away, toDate: t }, at("2030-05-31T23:59:59Z")), true);
  assert.equal(isActive({ ...away, isEnabled: false }, t), false);
});
