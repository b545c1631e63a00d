// JMAP end to end on a real HTTP server (127.0.0.1, ephemeral port) over a real Yubin:
// raw requests checked against RFC 8620/8621, a third-party client (jmap-jam), IMAP↔JMAP
// change consistency, submission and push.
// biome-ignore-all lint/suspicious/noExplicitAny: JSON responses are read as untyped data; each field used is asserted.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { createJmapHttpHandler, type JmapHttpHandler } from "./http/handler.js";
import { type JmapTest, loadJam } from "./test-support.js";

let ts: TestServer;
let http: Server;
let base: string;
let jmap: JmapHttpHandler;
let alice: { id: number; address: string };
let basic: string;

before(async () => {
  ts = await startTestServer();
  alice = ts.users[0]!;
  basic = `Basic ${Buffer.from(`${alice.address}:${testPassword}`).toString("base64")}`;
  jmap = createJmapHttpHandler(ts.ctx);
  http = createServer((req, res) => {
    void jmap(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

after(async () => {
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  await ts.stop();
});

const USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail", "urn:ietf:params:jmap:submission"];

async function api(methodCalls: unknown[], using = USING, auth = basic) {
  const r = await fetch(`${base}/jmap/api`, {
    method: "POST",
    headers: { Authorization: auth, "Content-Type": "application/json" },
    body: JSON.stringify({ using, methodCalls }),
  });
  return {
    status: r.status,
    body: (await r.json()) as { methodResponses: [string, any, string][] } & Record<string, any>,
  };
}

const acc = () => `A${alice.id}`;

describe("JMAP over HTTP", () => {
  test("authentication: 401 without credentials or with a wrong password; the Session with them", async () => {
    assert.equal((await fetch(`${base}/.well-known/jmap`)).status, 401);
    const wrong = `Basic ${Buffer.from(`${alice.address}:nope`).toString("base64")}`;
    assert.equal(
      (await fetch(`${base}/.well-known/jmap`, { headers: { Authorization: wrong } })).status,
      401,
    );
    const r = await fetch(`${base}/.well-known/jmap`, { headers: { Authorization: basic } });
    assert.equal(r.status, 200);
    const s = (await r.json()) as any;
    assert.equal(s.apiUrl, `${base}/jmap/api`);
    assert.equal(s.primaryAccounts["urn:ietf:params:jmap:mail"], acc());
    assert.equal(s.accounts[acc()].accountCapabilities["urn:ietf:params:jmap:mail"].maxMailboxesPerEmail, 1);
    assert.equal(s.capabilities["urn:ietf:params:jmap:core"].maxCallsInRequest, 32);
    assert.equal((await fetch(`${base}/other`)).status, 404, "not JMAP's: handler returns false");
  });

  test("RFC 8620 3.6.1 request errors: notJSON, notRequest, unknownCapability, limit", async () => {
    const post = (body: string) =>
      fetch(`${base}/jmap/api`, { method: "POST", headers: { Authorization: basic }, body });
    let r = await post("{nope");
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as any).type, "urn:ietf:params:jmap:error:notJSON");
    r = await post(JSON.stringify({ using: [], methodCalls: {} }));
    assert.equal(((await r.json()) as any).type, "urn:ietf:params:jmap:error:notRequest");
    r = await post(JSON.stringify({ using: ["urn:example:nope"], methodCalls: [] }));
    assert.equal(((await r.json()) as any).type, "urn:ietf:params:jmap:error:unknownCapability");
    const calls = Array.from({ length: 33 }, (_, i) => ["Core/echo", {}, `c${i}`]);
    r = await post(JSON.stringify({ using: USING, methodCalls: calls }));
    const p = (await r.json()) as any;
    assert.deepEqual([p.type, p.limit], ["urn:ietf:params:jmap:error:limit", "maxCallsInRequest"]);
  });

  test("RFC 8620 3.6.2 method errors and 4 Core/echo, 3.7 back-references", async () => {
    const { body } = await api([
      ["Core/echo", { hello: true, high: 5 }, "b3ba8"],
      ["Mailbox/frobnicate", {}, "x"],
      ["Mailbox/get", { accountId: "A999999" }, "y"],
      ["Mailbox/query", { accountId: acc(), filter: { role: "inbox" } }, "q"],
      [
        "Mailbox/get",
        {
          accountId: acc(),
          "#ids": { resultOf: "q", name: "Mailbox/query", path: "/ids" },
          properties: ["name", "role"],
        },
        "g",
      ],
      [
        "Mailbox/get",
        { accountId: acc(), "#ids": { resultOf: "q", name: "Email/query", path: "/ids" } },
        "bad",
      ],
    ]);
    const r = body.methodResponses;
    assert.deepEqual(r[0], ["Core/echo", { hello: true, high: 5 }, "b3ba8"]);
    assert.deepEqual(r[1], [
      "error",
      { type: "unknownMethod", description: "unknown method Mailbox/frobnicate" },
      "x",
    ]);
    assert.equal(r[2]![1].type, "accountNotFound");
    assert.equal(r[3]![1].ids.length, 1);
    assert.deepEqual(r[4]![1].list, [{ id: r[3]![1].ids[0], name: "INBOX", role: "inbox" }]);
    assert.equal(r[5]![0], "error");
    assert.equal(r[5]![1].type, "invalidResultReference");
    // Without the mail capability in "using", mail methods are unknown (RFC 8620 3.3).
    const only = await api([["Mailbox/get", { accountId: acc() }, "0"]], ["urn:ietf:params:jmap:core"]);
    assert.equal(only.body.methodResponses[0]![1].type, "unknownMethod");
  });

  test("jmap-jam: mailboxes, create a draft, query, get with body values, threads, changes", async () => {
    const jam = await loadJam({ ts, base, jmap, user: alice } as JmapTest);
    const accountId = (await jam.getPrimaryAccount())!;
    assert.equal(accountId, acc());
    const [boxes] = await jam.api.Mailbox.get({ accountId });
    const drafts = boxes.list.find((m: any) => m.role === "drafts")!;
    assert.ok(drafts);
    const [created] = await jam.api.Mailbox.set({
      accountId,
      create: { k: { name: "Projects", parentId: null } },
    });
    const projects = created.created!.k!.id!;
    const before = (await jam.api.Email.changes({ accountId, sinceState: "0" }))[0].newState;
    const [set] = await jam.api.Email.set({
      accountId,
      create: {
        d1: {
          mailboxIds: { [drafts.id]: true },
          keywords: { $draft: true },
          from: [{ name: "Alice Ä", email: alice.address }],
          to: [{ name: null, email: "bob@example.test" }],
          subject: "Grüße from JMAP",
          textBody: [{ partId: "t", type: "text/plain" }],
          bodyValues: { t: { value: "Hello Bob,\nthis is a test.\n" } },
        } as any,
      },
    });
    const emailId = set.created!.d1!.id!;
    const [q] = await jam.api.Email.query({ accountId, filter: { inMailbox: drafts.id } });
    assert.deepEqual(q.ids, [emailId]);
    const [got] = await jam.api.Email.get({
      accountId,
      ids: [emailId],
      properties: [
        "subject",
        "from",
        "to",
        "keywords",
        "mailboxIds",
        "textBody",
        "bodyValues",
        "preview",
        "threadId",
      ],
      fetchTextBodyValues: true,
    });
    const e = got.list[0]!;
    assert.equal(e.subject, "Grüße from JMAP");
    assert.deepEqual(e.from, [{ name: "Alice Ä", email: alice.address }]);
    assert.deepEqual(e.keywords, { $draft: true });
    assert.deepEqual(e.mailboxIds, { [drafts.id]: true });
    const partId = e.textBody![0]!.partId!;
    assert.equal(e.bodyValues![partId]!.value, "Hello Bob,\r\nthis is a test.\r\n");
    assert.equal(e.preview, "Hello Bob, this is a test.");
    const [th] = await jam.api.Thread.get({ accountId, ids: [e.threadId!] });
    assert.deepEqual(th.list[0]!.emailIds, [emailId]);
    // Move it and flag it: one update in Email/changes.
    await jam.api.Email.set({
      accountId,
      update: { [emailId]: { mailboxIds: { [projects]: true }, "keywords/$flagged": true } as any },
    });
    const [ch] = await jam.api.Email.changes({ accountId, sinceState: before });
    assert.deepEqual([ch.created, ch.updated, ch.destroyed], [[emailId], [], []]);
    const [ch2] = await jam.api.Email.changes({ accountId, sinceState: set.newState });
    assert.deepEqual([ch2.created, ch2.updated], [[], [emailId]]);
    const [after] = await jam.api.Email.get({
      accountId,
      ids: [emailId],
      properties: ["mailboxIds", "keywords"],
    });
    assert.deepEqual(after.list[0], {
      id: emailId,
      mailboxIds: { [projects]: true },
      keywords: { $draft: true, $flagged: true },
    });
  });

  test("blobs: upload, Email/import, download of the message and of a part", async () => {
    const raw = Buffer.from(
      "From: Carol <carol@example.org>\r\nTo: alice@example.test\r\nSubject: imported\r\nMessage-ID: <imp1@example.org>\r\n" +
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n' +
        '--b\r\nContent-Type: application/octet-stream; name="x.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b--\r\n',
    );
    const up = await fetch(`${base}/jmap/upload/${acc()}/`, {
      method: "POST",
      headers: { Authorization: basic, "Content-Type": "message/rfc822" },
      body: raw,
    });
    assert.equal(up.status, 201);
    const u = (await up.json()) as any;
    assert.equal(u.size, raw.length);
    const { body } = await api([
      ["Mailbox/query", { accountId: acc(), filter: { role: "inbox" } }, "q"],
      ["Email/import", { accountId: acc(), emails: { i: { blobId: u.blobId } } }, "bad"],
    ]);
    assert.equal(body.methodResponses[1]![1].notCreated.i.type, "invalidProperties");
    const inbox = body.methodResponses[0]![1].ids[0];
    const imp = await api([
      [
        "Email/import",
        {
          accountId: acc(),
          emails: { i: { blobId: u.blobId, mailboxIds: { [inbox]: true }, keywords: { $seen: true } } },
        },
        "0",
      ],
      [
        "Email/get",
        { accountId: acc(), ids: ["#i"], properties: ["attachments", "hasAttachment", "subject", "blobId"] },
        "1",
      ],
    ]);
    const g = imp.body.methodResponses[1]![1].list[0];
    assert.equal(g.subject, "imported");
    assert.equal(g.hasAttachment, true);
    assert.equal(g.attachments[0].name, "x.bin");
    const whole = await fetch(`${base}/jmap/download/${acc()}/${g.blobId}/m.eml`, {
      headers: { Authorization: basic },
    });
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), raw);
    const part = await fetch(`${base}/jmap/download/${acc()}/${g.attachments[0].blobId}/x.bin`, {
      headers: { Authorization: basic },
    });
    assert.equal(part.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), Buffer.from([0, 1, 2, 3]));
    // Another account cannot read it.
    const bob = `Basic ${Buffer.from(`${ts.users[1]!.address}:${testPassword}`).toString("base64")}`;
    const other = await fetch(`${base}/jmap/download/A${ts.users[1]!.id}/${g.blobId}/m.eml`, {
      headers: { Authorization: bob },
    });
    assert.equal(other.status, 404);
  });

  test("IMAP-side flag changes show in Email/changes, JMAP keyword changes in IMAP modseq", async () => {
    const store = ts.store.mail;
    const inbox = (await store.getMailbox(alice.id, "INBOX"))!;
    const [copy] = await store.deliver(Buffer.from("From: x@example.org\r\nSubject: s\r\n\r\nhi\r\n"), [
      { accountId: alice.id },
    ]);
    const { body } = await api([["Email/get", { accountId: acc(), ids: [], properties: ["id"] }, "0"]]);
    const state = body.methodResponses[0]![1].state;
    await store.setFlags(inbox.id, [copy!.uid], { mode: "add", flags: ["\\Seen"] });
    const ch = await api([["Email/changes", { accountId: acc(), sinceState: state }, "0"]]);
    assert.deepEqual(ch.body.methodResponses[0]![1].updated, [`M${copy!.messageId}`]);
    const modseq = (await store.getMailboxById(inbox.id))!.highestModseq;
    await api([
      [
        "Email/set",
        {
          accountId: acc(),
          update: { [`M${copy!.messageId}`]: { "keywords/$seen": null, "keywords/$answered": true } },
        },
        "0",
      ],
    ]);
    const changes = await store.changesSince(inbox.id, modseq);
    assert.deepEqual(
      changes.map((c) => [c.kind, c.uid]),
      [["flags", copy!.uid]],
    );
    const meta = (await store.getMessage(inbox.id, copy!.uid))!.meta;
    assert.deepEqual(meta.flags, ["\\Answered"]);
  });

  test("EmailSubmission/set delivers locally with onSuccessUpdateEmail; foreign From is refused", async () => {
    const bob = ts.users[1]!;
    const boxes = (await api([["Mailbox/get", { accountId: acc(), properties: ["role"] }, "0"]])).body
      .methodResponses[0]![1].list;
    const drafts = boxes.find((b: any) => b.role === "drafts").id;
    const sent = boxes.find((b: any) => b.role === "sent").id;
    const mk = (from: string) => ({
      mailboxIds: { [drafts]: true },
      keywords: { $draft: true },
      from: [{ email: from }],
      to: [{ email: bob.address }],
      subject: `to bob from ${from}`,
      textBody: [{ partId: "1" }],
      bodyValues: { "1": { value: "hi" } },
    });
    const primary = `I${(await ts.store.settings.listIdentities(alice.id))[0]!.id}`;
    const { body } = await api([
      [
        "Email/set",
        { accountId: acc(), create: { ok: mk(alice.address), spoof: mk("ceo@example.test") } },
        "0",
      ],
      [
        "EmailSubmission/set",
        {
          accountId: acc(),
          create: {
            s1: { identityId: primary, emailId: "#ok" },
            s2: { identityId: primary, emailId: "#spoof" },
          },
          onSuccessUpdateEmail: { "#s1": { mailboxIds: { [sent]: true }, "keywords/$draft": null } },
        },
        "1",
      ],
    ]);
    const sub = body.methodResponses[1]![1];
    assert.equal(sub.created.s1.undoStatus, "final");
    assert.equal(sub.notCreated.s2.type, "forbiddenFrom");
    const implicit = body.methodResponses[2]!;
    assert.equal(implicit[0], "Email/set");
    assert.deepEqual(Object.keys(implicit[1].updated), [body.methodResponses[0]![1].created.ok.id]);
    const bobInbox = (await ts.store.mail.getMailbox(bob.id, "INBOX"))!;
    const got = await ts.store.mail.listMessages(bobInbox.id);
    assert.equal(got.length, 1);
    const text = (await ts.store.mail.readBody(got[0]!.blobId)).toString();
    assert.match(text, /^Return-Path: <alice@example\.test>\r\n/);
    assert.match(text, new RegExp(`Subject: to bob from ${alice.address.replace(".", "\\.")}`));
  });

  test("EventSource push: a delivery sends a StateChange with Email and EmailDelivery", async () => {
    const ac = new AbortController();
    const r = await fetch(`${base}/jmap/eventsource?types=*&closeafter=state&ping=0`, {
      headers: { Authorization: basic },
      signal: ac.signal,
    });
    assert.equal(r.headers.get("content-type"), "text/event-stream");
    const reader = r.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /^: yubin/);
    await ts.store.mail.deliver(Buffer.from("Subject: push\r\n\r\nx\r\n"), [{ accountId: alice.id }]);
    let text = "";
    const deadline = Date.now() + 3000;
    while (!text.includes("\n\n") && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    const data = JSON.parse(/data: (.*)\n/.exec(text)![1]!);
    assert.equal(data["@type"], "StateChange");
    assert.deepEqual(Object.keys(data.changed[acc()]).sort(), [
      "Email",
      "EmailDelivery",
      "Mailbox",
      "Thread",
    ]);
    ac.abort();
  });
});
