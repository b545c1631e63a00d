// Pull from a real Dovecot (Debian's package run privately, src/testing/dovecot.ts): mail
// delivered through its LMTP and appended with dates, flags and keywords set by an IMAP client,
// folders made by it. After the import an IMAP client sees in Yubin what it saw in Dovecot: the
// same folders and roles, UIDVALIDITY, UIDs and UIDNEXT, flags and keywords, internal dates and
// bodies byte for byte.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { dovecotSkip, type PrivateDovecot, startDovecot } from "../../testing/dovecot.js";
import { startTestServer, type TestServer } from "../../testing/harness.js";
import { snapshot } from "../../testing/imap-snapshot.js";
import { runImport } from "../engine.js";
import { openImapSource } from "./source.js";

const ANN = "ann@example.test";
const BOB = "bob@example.test";
const PASSWORD = "dovecot import password 1";
const skip = dovecotSkip();

describe("IMAP import from a private Dovecot", { skip, timeout: 120_000 }, () => {
  let dc: PrivateDovecot;
  let srv: TestServer;
  let ann: ImapFlow;

  before(async () => {
    dc = await startDovecot({ users: [{ name: ANN, password: PASSWORD }] });
    srv = await startTestServer({ users: [{ address: BOB, password: PASSWORD }] });
    const lmtp = nodemailer.createTransport({ host: "127.0.0.1", port: dc.lmtpPort, lmtp: true });
    for (let n = 0; n < 5; n++)
      await lmtp.sendMail({
        from: `sender${n}@example.org`,
        to: ANN,
        subject: `delivered ${n}`,
        text: `through LMTP ${n}\n`,
        messageId: `<lmtp${n}@example.org>`,
      });
    ann = new ImapFlow({
      host: "127.0.0.1",
      port: dc.imapPort,
      secure: false,
      auth: { user: ANN, pass: PASSWORD },
      logger: false,
    });
    await ann.connect();
    await ann.mailboxCreate("Work");
    await ann.mailboxCreate("Work/Projects");
    await ann.mailboxSubscribe("Work/Projects");
    // A child without its parent: Dovecot lists "Deep" as \\NonExistent (RFC 5258), not a folder.
    await ann.mailboxCreate("Deep/Child");
    await ann.append("Deep/Child", Buffer.from("Subject: deep\r\n\r\ndeep\r\n"), ["\\Flagged"]);
    await ann.append(
      "Work/Projects",
      Buffer.from("From: a@example.org\r\nSubject: old\r\n\r\nfrom 2017\r\n"),
      ["\\Seen", "$Label2"],
      new Date(Date.UTC(2017, 3, 4, 5, 6, 7)),
    );
    await ann.append("Sent", Buffer.from("From: ann@example.test\r\nSubject: sent\r\n\r\nsent\r\n"), [
      "\\Seen",
    ]);
    await ann.mailboxOpen("INBOX");
    await ann.messageDelete("4"); // a hole in the UIDs; before any other \\Deleted is set
    await ann.messageFlagsAdd("1:2", ["\\Seen"]);
    await ann.messageFlagsAdd("2", ["\\Flagged", "$Forwarded", "Work-Item"]);
    await ann.messageFlagsAdd("3", ["\\Answered", "\\Deleted"]);
    // No CLOSE: it would expunge UID 3 (RFC 3501 6.4.2), which is to arrive with its \\Deleted.
  });
  after(async () => {
    await ann?.logout().catch(() => undefined);
    await srv?.stop();
    await dc?.remove();
  });

  test("folders, roles, UIDVALIDITY, UIDs, flags, keywords, internal dates and bodies arrive", async () => {
    const source = await openImapSource({
      host: "127.0.0.1",
      port: dc.imapPort,
      tls: "none",
      user: ANN,
      password: PASSWORD,
    });
    let summary: Awaited<ReturnType<typeof runImport>>;
    try {
      summary = await runImport(srv.store, srv.users[0]!.id, source, {});
    } finally {
      await source.close();
    }
    assert.equal(summary.failed, 0, JSON.stringify(summary.failures));
    assert.equal(summary.imported, 4 + 1 + 1 + 1);
    const bob = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: BOB, pass: PASSWORD },
      logger: false,
    });
    await bob.connect();
    try {
      const want = await snapshot(ann);
      const got = await snapshot(bob);
      assert.ok(want.get("INBOX")!.messages.some((m) => m.flags.includes("Work-Item")));
      assert.ok(want.has("Deep/Child"));
      assert.equal(summary.folders, want.size, "the \\NonExistent Deep is no folder of the source");
      for (const [name, w] of want) {
        const g = got.get(name);
        assert.ok(g, `Yubin has ${name}`);
        assert.deepEqual(g, w, `${name} as an IMAP client sees it`);
      }
    } finally {
      await bob.logout();
    }
  });
});

describe("IMAP import from a Dovecot laid out as Courier (namespace INBOX., delimiter '.')", {
  skip,
  timeout: 120_000,
}, () => {
  let dc: PrivateDovecot;
  let srv: TestServer;

  before(async () => {
    dc = await startDovecot({
      users: [{ name: ANN, password: PASSWORD }],
      extraConfig: ["namespace inbox {", "  separator = .", "  prefix = INBOX.", "}"],
    });
    srv = await startTestServer({ users: [{ address: BOB, password: PASSWORD }] });
  });
  after(async () => {
    await srv?.stop();
    await dc?.remove();
  });

  test("the prefix is dropped and '.' becomes '/': INBOX.Work.Projects is Work/Projects", async () => {
    const ann = new ImapFlow({
      host: "127.0.0.1",
      port: dc.imapPort,
      secure: false,
      auth: { user: ANN, pass: PASSWORD },
      logger: false,
    });
    await ann.connect();
    try {
      assert.deepEqual(ann.namespace, { prefix: "INBOX.", delimiter: "." });
      await ann.mailboxCreate("INBOX.Work.Projects");
      await ann.append("INBOX.Work.Projects", Buffer.from("Subject: p\r\n\r\nproject\r\n"), ["$Label3"]);
      await ann.append("INBOX.Sent", Buffer.from("Subject: s\r\n\r\nsent\r\n"), ["\\Seen"]);
      await ann.append("INBOX", Buffer.from("Subject: i\r\n\r\ninbox\r\n"), []);
      const source = await openImapSource({
        host: "127.0.0.1",
        port: dc.imapPort,
        tls: "none",
        user: ANN,
        password: PASSWORD,
      });
      try {
        const summary = await runImport(srv.store, srv.users[0]!.id, source, {});
        assert.equal(summary.imported, 3);
      } finally {
        await source.close();
      }
      const bob = new ImapFlow({
        host: "127.0.0.1",
        port: srv.ports.imaps!,
        secure: true,
        tls: { ca: srv.certPem, servername: "mail.example.test" },
        auth: { user: BOB, pass: PASSWORD },
        logger: false,
      });
      await bob.connect();
      try {
        const want = await snapshot(ann);
        const got = await snapshot(bob);
        for (const [name, w] of want) {
          const ours = name === "INBOX" ? name : name.replace(/^INBOX\//, "");
          assert.deepEqual(got.get(ours), w, `${name} arrives as ${ours}`);
        }
        assert.equal(got.get("Sent")!.specialUse, "\\Sent");
        assert.equal(got.get("Work/Projects")!.messages.length, 1);
      } finally {
        await bob.logout();
      }
    } finally {
      await ann.logout();
    }
  });
});
