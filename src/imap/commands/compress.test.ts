// RFC 4978 COMPRESS=DEFLATE over a real socket: a raw client that inflates and deflates, the
// refusals, real compression on the wire, backpressure through the compressor, and imapflow.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";

describe("IMAP COMPRESS=DEFLATE", () => {
  let t: ImapTestServer;
  let aliceId: number;
  const clients: RawClient[] = [];
  const connect = async () => {
    const c = await RawClient.connect(t.port.implicit, { tls: true });
    clients.push(c);
    await c.line();
    return c;
  };
  const login = async () => {
    const c = await connect();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    return c;
  };
  const compressed = async () => {
    const c = await login();
    assert.deepEqual(await c.cmd("z", "COMPRESS DEFLATE"), ["z OK DEFLATE active"]);
    c.compress();
    return c;
  };
  before(async () => {
    // The bodies below are megabytes of random base64: indexing them for search (a million
    // distinct trigrams each) is no part of this and would compete with the FETCH for the CPU.
    t = await startImapTestServer({ server: { config: { storage: { fullTextMaxBytes: 4096 } } } });
    aliceId = t.server.users.find((u) => u.address === ALICE)!.id;
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.stop();
  });

  test("only after login, DEFLATE only, advertised until active", async () => {
    const c = await connect();
    assert.doesNotMatch((await c.cmd("a", "CAPABILITY"))[0]!, /COMPRESS/);
    assert.deepEqual(await c.cmd("b", "COMPRESS DEFLATE"), ["b BAD COMPRESS not allowed now"]);
    const login = await c.cmd("c", `LOGIN ${ALICE} "${PASSWORD}"`);
    assert.match(login[0]!, / COMPRESS=DEFLATE\] Logged in$/);
    assert.deepEqual(await c.cmd("d", "COMPRESS LZW"), ["d BAD Unknown compression mechanism"]);
    assert.deepEqual(await c.cmd("e", "COMPRESS"), ["e BAD Expected a space"]);
  });

  test("a whole session compressed both ways; a second COMPRESS is refused", async () => {
    await t.deliver(ALICE, "Subject: squeeze\r\n\r\nhello compressed world\r\n", { mailbox: "INBOX" });
    const c = await compressed();
    assert.deepEqual(await c.cmd("a", "NOOP"), ["a OK NOOP completed"]);
    assert.deepEqual(await c.cmd("b", "COMPRESS DEFLATE"), [
      "b NO [COMPRESSIONACTIVE] Compression already active",
    ]);
    const caps = (await c.cmd("c", "CAPABILITY"))[0]!;
    assert.match(caps, /^\* CAPABILITY IMAP4rev1 IMAP4rev2 /);
    assert.doesNotMatch(caps, /COMPRESS/);
    const sel = await c.cmd("d", "EXAMINE INBOX");
    assert.equal(sel.at(-1), "d OK [READ-ONLY] EXAMINE completed");
    const body = "Subject: squeeze\r\n\r\nhello compressed world\r\n";
    const n = sel.find((l) => / EXISTS$/.test(l))!.split(" ")[1];
    assert.deepEqual(await c.cmd("e", `FETCH ${n} BODY.PEEK[]`), [
      `* ${n} FETCH (BODY[] {${body.length}}\r\n${body})`,
      "e OK FETCH completed",
    ]);
    // A literal from the client, through the client's compressor.
    const msg = "Subject: up\r\n\r\nuploaded\r\n";
    const appended = await c.cmd("f", `APPEND INBOX {${msg.length}+}\r\n${msg}`);
    assert.match(appended.at(-1)!, /^f OK \[APPENDUID \d+ \d+\] APPEND completed$/);
    assert.deepEqual(await c.cmd("g", "LOGOUT"), ["* BYE Logging out", "g OK LOGOUT completed"]);
    // The server finishes the deflate stream and closes.
    for (let i = 0; i < 50 && !c.closed; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(c.closed, true);
  });

  test("responses really are compressed on the wire", async () => {
    const mail = t.server.store.mail;
    await mail.createMailbox(aliceId, "Squash");
    const text = `Subject: repetitive\r\n\r\n${"all work and no play\r\n".repeat(5000)}`;
    await t.deliver(ALICE, text, { mailbox: "Squash" });
    const c = await compressed();
    await c.cmd("a", "EXAMINE Squash");
    const before = c.wireBytesIn;
    const lines = await c.cmd("b", "FETCH 1 BODY.PEEK[]");
    assert.equal(lines[0], `* 1 FETCH (BODY[] {${text.length}}\r\n${text})`);
    const wire = c.wireBytesIn - before;
    assert.ok(wire < text.length / 20, `${wire} octets on the wire for ${text.length} of text`);
  });

  test("FETCH waits for a compressed client that stops reading", async () => {
    const mail = t.server.store.mail;
    await mail.createMailbox(aliceId, "Big");
    // Random base64 compresses only to about 3/4: the compressor cannot hide the backlog.
    const count = 24;
    for (let i = 0; i < count; i++) {
      const b64 = randomBytes(768 * 1024)
        .toString("base64")
        .replace(/.{76}/g, "$&\r\n");
      await t.deliver(ALICE, `Subject: big ${i}\r\n\r\n${b64}\r\n`, { mailbox: "Big" });
    }
    const c = await compressed();
    await c.cmd("a", "EXAMINE Big");
    const original = mail.readBody.bind(mail);
    let reads = 0;
    mail.readBody = (id: string) => {
      reads++;
      return original(id);
    };
    try {
      c.pause();
      c.write("f FETCH 1:* BODY.PEEK[]\r\n");
      await new Promise((r) => setTimeout(r, 700));
      assert.ok(
        reads < count * 0.7,
        `server read ${reads} of ${count} bodies for a client that reads nothing`,
      );
      c.resume();
      const lines = await c.until("f", 20_000);
      assert.equal(lines.length, count + 1);
      assert.equal(lines.at(-1), "f OK FETCH completed");
      assert.equal(reads, count);
    } finally {
      mail.readBody = original;
    }
  });

  test("imapflow negotiates COMPRESS (and IMAP4rev2) and works through it", async () => {
    const flow = new ImapFlow({
      host: "127.0.0.1",
      port: t.port.implicit,
      secure: true,
      auth: { user: ALICE, pass: PASSWORD },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await flow.connect();
    try {
      // imapflow keeps its inflater on a private field; it is the only sign compression is on.
      assert.ok((flow as unknown as { _inflate?: object })._inflate, "imapflow did not compress");
      assert.equal(flow.enabled.has("IMAP4REV2"), true);
      await flow.mailboxCreate("FlowZ");
      const msg = "Subject: through zlib\r\n\r\nsqueezed\r\n";
      const r = await flow.append("FlowZ", msg);
      assert.ok(r);
      const lock = await flow.getMailboxLock("FlowZ");
      try {
        const m = await flow.fetchOne("1", { source: true, emailId: true, threadId: true });
        assert.ok(m);
        assert.equal(m.source?.toString(), msg);
        const meta = (
          await t.server.store.mail.listMessages((await t.server.store.mail.getMailbox(aliceId, "FlowZ"))!.id)
        )[0]!;
        assert.equal(m.emailId, `M${meta.id}`);
        assert.equal(m.threadId, `T${meta.threadId}`);
        assert.deepEqual(await flow.search({ subject: "zlib" }, { uid: true }), [meta.uid]);
      } finally {
        lock.release();
      }
    } finally {
      await flow.logout();
    }
  });
});
