// The post office's extension point: filters given to the app (AppDeps.filters, here through the
// test harness) run for every door they name. One that tags (adds a header field), one that
// rejects (port 25 and submission: 550 5.7.1 in the SMTP dialogue, no bounce; JMAP: a SetError),
// one that files into Junk, one that discards, and one for the "system" door only.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { RawSmtpClient } from "../smtp/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { type JmapSendResult, jmapSend, startJmapHttp } from "./test-jmap-send.js";
import type { Door, Filter } from "./types.js";

const subjectOf = (body: Buffer) => /^Subject: ([^\r\n]*)/m.exec(body.toString("latin1"))?.[1] ?? "";

const filters: Filter[] = [
  {
    name: "tag",
    check: (m) => ({ kind: "accept", headers: [`X-Test-Filter: tagged at the ${m.door} door`] }),
  },
  {
    name: "reject",
    check: (m) =>
      subjectOf(m.body).includes("reject-me")
        ? { kind: "reject", reason: "test filter says no" }
        : { kind: "accept" },
  },
  {
    name: "junk",
    check: (m) =>
      subjectOf(m.body).includes("junk-me")
        ? {
            kind: "accept",
            folders: m.accountIds.map((accountId) => ({ accountId, folder: "junk" as const })),
          }
        : { kind: "accept" },
  },
  {
    name: "discard",
    check: (m) =>
      subjectOf(m.body).includes("discard-me") ? { kind: "discard", reason: "test" } : { kind: "accept" },
  },
  { name: "system", doors: ["system"], check: () => ({ kind: "accept", headers: ["X-Test-System: yes"] }) },
];

function message(subject: string, to = "carol@example.test"): string {
  return `From: <alice@example.test>\r\nTo: <${to}>\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@filters.test>\r\n\r\nbody of ${subject}\r\n`;
}

describe("post office filters, through each door", () => {
  let ts: TestServer;
  let jmapHttp: Awaited<ReturnType<typeof startJmapHttp>>;
  let jmapBase: string;
  let alice: number;
  let carol: number;

  before(async () => {
    ts = await startTestServer({
      users: [
        { address: "alice@example.test", password: testPassword },
        { address: "carol@example.test", password: testPassword },
      ],
      filters,
    });
    alice = ts.users[0]!.id;
    carol = ts.users[1]!.id;
    jmapHttp = await startJmapHttp(() => ts.ctx);
    jmapBase = jmapHttp.base;
  });
  after(async () => {
    await jmapHttp?.close();
    await ts?.stop();
  });

  /** Carol's copies with this subject, per special-use mailbox ("" for INBOX). */
  async function carolHas(subject: string): Promise<{ box: string; text: string; flags: string[] }[]> {
    const out: { box: string; text: string; flags: string[] }[] = [];
    for (const box of await ts.store.mail.listMailboxes(carol)) {
      for (const m of await ts.store.mail.listMessages(box.id)) {
        const text = (await ts.store.mail.readBody(m.blobId)).toString("utf8");
        if (text.includes(`Subject: ${subject}\r\n`))
          out.push({
            box: box.name === "INBOX" ? "INBOX" : (box.specialUse ?? box.name),
            text,
            flags: m.flags,
          });
      }
    }
    return out;
  }

  /** Port 25, raw: the reply to the end of DATA. */
  async function inbound(subject: string): Promise<string> {
    const c = await RawSmtpClient.connect({ port: ts.ports.smtp });
    try {
      await c.reply();
      await c.cmd("EHLO client.remote.test");
      assert.match(await c.cmd("MAIL FROM:<dave@remote.test>"), /^250/);
      assert.match(await c.cmd("RCPT TO:<carol@example.test>"), /^250/);
      assert.match(await c.cmd("DATA"), /^354/);
      c.send(`${message(subject).replace(/^From: <alice@example\.test>/, "From: <dave@remote.test>")}.\r\n`);
      return await c.reply();
    } finally {
      await c.cmd("QUIT").catch(() => "");
    }
  }

  /** Submission (465, AUTH) with nodemailer; the error's reply when refused, else "250". */
  async function submission(subject: string, to = ["carol@example.test"]): Promise<string> {
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: ts.ports.submissions,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: "alice@example.test", pass: testPassword },
    });
    try {
      await t.sendMail({ envelope: { from: "alice@example.test", to }, raw: message(subject, to[0]) });
      return "250";
    } catch (e) {
      return (e as { response?: string }).response ?? String(e);
    } finally {
      t.close();
    }
  }

  /** JMAP EmailSubmission/set of a new draft; the created submission or the SetError. */
  function jmap(subject: string): Promise<JmapSendResult> {
    const [address, password] = ["alice@example.test", testPassword];
    const to = ["carol@example.test"];
    return jmapSend({ base: jmapBase, store: ts.store, accountId: alice, address, password, to, subject });
  }

  test("a tagging filter adds its field below our trace fields, for each door", async () => {
    assert.match(await inbound("tag-inbound"), /^250 /);
    assert.equal(await submission("tag-submission", ["carol@example.test", "x@elsewhere.test"]), "250");
    assert.ok((await jmap("tag-jmap")).created);
    for (const door of ["inbound", "submission", "jmap"] as Door[]) {
      const copies = await carolHas(`tag-${door}`);
      assert.equal(copies.length, 1, door);
      assert.match(
        copies[0]!.text,
        new RegExp(
          `^Return-Path: <[^>]*>\\r\\nReceived: [\\s\\S]*?\\r\\nX-Test-Filter: tagged at the ${door} door\\r\\nFrom: `,
        ),
      );
      assert.doesNotMatch(copies[0]!.text, /X-Test-System/);
    }
    // The remote copy carries it too, once.
    const [queued] = await ts.store.queue.listQueue();
    const body = (await ts.store.mail.readBody(queued!.blobId)).toString("utf8");
    assert.equal(body.split("X-Test-Filter: tagged at the submission door").length, 2);
    await ts.store.queue.removeQueued(queued!.id);
  });

  test("a rejecting filter: 550 5.7.1 in the SMTP dialogue (no bounce), a SetError over JMAP", async () => {
    assert.equal(await inbound("reject-me-inbound"), "550 5.7.1 Message rejected: test filter says no");
    assert.match(
      await submission("reject-me-submission"),
      /^550 5\.7\.1 Message rejected: test filter says no/,
    );
    const j = await jmap("reject-me-jmap");
    assert.equal(j.created, undefined);
    assert.equal(j.notCreated?.type, "forbiddenToSend");
    for (const s of ["reject-me-inbound", "reject-me-submission", "reject-me-jmap"])
      assert.deepEqual(await carolHas(s), [], s);
    // Nothing was queued: no bounce to the sender.
    assert.deepEqual(await ts.store.queue.listQueue(), []);
  });

  test("a filter that moves to Junk files each door's copy there", async () => {
    assert.match(await inbound("junk-me-inbound"), /^250 /);
    assert.equal(await submission("junk-me-submission"), "250");
    assert.ok((await jmap("junk-me-jmap")).created);
    for (const s of ["junk-me-inbound", "junk-me-submission", "junk-me-jmap"]) {
      const copies = await carolHas(s);
      assert.deepEqual(
        copies.map((c) => c.box),
        ["\\Junk"],
        s,
      );
    }
  });

  test("a discarding filter: acknowledged, nothing filed", async () => {
    assert.match(await inbound("discard-me-inbound"), /^250 /);
    assert.equal(await submission("discard-me-submission"), "250");
    assert.ok((await jmap("discard-me-jmap")).created);
    for (const s of ["discard-me-inbound", "discard-me-submission", "discard-me-jmap"])
      assert.deepEqual(await carolHas(s), [], s);
  });

  test("a filter for the system door sees the vacation reply, the others do not", async () => {
    await ts.store.settings.setVacation(carol, {
      isEnabled: true,
      fromDate: null,
      toDate: null,
      subject: "Carol away",
      textBody: "Away.",
      htmlBody: null,
    });
    assert.equal(await submission("system-trigger"), "250");
    const box = (await ts.store.mail.getMailbox(alice, "INBOX"))!;
    const replies: string[] = [];
    for (const m of await ts.store.mail.listMessages(box.id)) {
      const text = (await ts.store.mail.readBody(m.blobId)).toString("utf8");
      if (text.includes("Subject: Carol away")) replies.push(text);
    }
    assert.equal(replies.length, 1);
    assert.match(replies[0]!, /^Return-Path: <>\r\nReceived: by [\s\S]*?\r\nX-Test-System: yes\r\nFrom: /);
    assert.doesNotMatch(replies[0]!, /X-Test-Filter/);
  });
});
