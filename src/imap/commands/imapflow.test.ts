// A real client, imapflow (the Node IMAP client used by Nodemailer's authors), against the server
// over implicit TLS and STARTTLS: login, list, append, fetch, flags, search, copy/move, IDLE.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const MSG =
  "From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: =?UTF-8?Q?Caf=C3=A9?=\r\nMessage-ID: <m1@example.test>\r\n\r\nSee you at the café.\r\n";

describe("imapflow client", () => {
  let t: ImapTestServer;
  const clients: ImapFlow[] = [];
  const client = async (opts: { starttls?: boolean } = {}) => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: opts.starttls ? t.port.starttls : t.port.implicit,
      secure: !opts.starttls,
      doSTARTTLS: opts.starttls ? true : undefined,
      auth: { user: ALICE, pass: PASSWORD },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    clients.push(c);
    await c.connect();
    return c;
  };

  before(async () => {
    t = await startImapTestServer();
  });
  after(async () => {
    for (const c of clients) await c.logout().catch(() => c.close());
    await t.stop();
  });

  test("STARTTLS login, capabilities, LIST with special-use", async () => {
    const c = await client({ starttls: true });
    assert.equal(c.capabilities.has("IDLE"), true);
    assert.equal(c.capabilities.has("LOGINDISABLED"), false);
    const list = await c.list();
    const byPath = new Map(list.map((m) => [m.path, m]));
    assert.deepEqual([...byPath.keys()].sort(), ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"]);
    assert.equal(byPath.get("Sent")!.specialUse, "\\Sent");
    assert.equal(byPath.get("INBOX")!.specialUse, "\\Inbox");
  });

  test("append, fetch with envelope/bodystructure/source, flags, search, move", async () => {
    const c = await client();
    await c.mailboxCreate("Flow");
    const appended = await c.append("Flow", MSG, ["\\Flagged"], new Date("2024-03-01T10:00:00Z"));
    assert.ok(appended);
    assert.equal(appended.uid, 1);
    const lock = await c.getMailboxLock("Flow");
    try {
      assert.equal(c.mailbox ? c.mailbox.exists : -1, 1);
      const msg = await c.fetchOne("1", {
        envelope: true,
        bodyStructure: true,
        source: true,
        flags: true,
        internalDate: true,
        uid: true,
      });
      assert.ok(msg);
      assert.equal(msg.uid, 1);
      assert.equal(msg.envelope?.subject, "Café");
      assert.equal(msg.envelope?.from?.[0]?.address, "bob@example.test");
      assert.equal(msg.envelope?.messageId, "<m1@example.test>");
      assert.equal(msg.bodyStructure?.type, "text/plain");
      assert.equal(msg.source?.toString(), MSG);
      assert.deepEqual([...(msg.flags ?? [])], ["\\Flagged"]);
      assert.equal((msg.internalDate as Date).toISOString(), "2024-03-01T10:00:00.000Z");
      await c.messageFlagsAdd("1", ["\\Seen"]);
      const found = await c.search({ seen: true, subject: "café" });
      assert.deepEqual(found, [1]);
      const moved = await c.messageMove("1", "Trash");
      assert.ok(moved && moved.uidMap?.size === 1);
      assert.equal(c.mailbox ? c.mailbox.exists : -1, 0);
    } finally {
      lock.release();
    }
    const st = await c.status("Trash", { messages: true, unseen: true });
    assert.ok(st);
    assert.equal(st.messages, 1);
    assert.equal(st.unseen, 0);
  });

  test("IDLE: imapflow hears about a delivery", async () => {
    const c = await client();
    const lock = await c.getMailboxLock("INBOX");
    try {
      const before = c.mailbox ? c.mailbox.exists : 0;
      const seen = new Promise<number>((resolve) =>
        c.on("exists", (d: { count: number }) => resolve(d.count)),
      );
      void c.idle(); // resolves only when IDLE ends
      await new Promise((r) => setTimeout(r, 100));
      await t.deliver(ALICE, MSG);
      const count = await Promise.race([
        seen,
        new Promise<number>((_, rej) => setTimeout(() => rej(new Error("no EXISTS")), 2000)),
      ]);
      assert.equal(count, before + 1);
    } finally {
      lock.release();
    }
  });
});
