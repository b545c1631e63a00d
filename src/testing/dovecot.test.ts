// The private Dovecot (dovecot.ts) starts, takes mail over LMTP into the user's Maildir, serves
// it over IMAP, and stops by its PID leaving the Maildir behind.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { dovecotSkip, startDovecot } from "./dovecot.js";

const skip = dovecotSkip();

test("private Dovecot: LMTP delivery lands in Maildir and IMAP serves it", {
  skip,
  timeout: 60_000,
}, async () => {
  const dc = await startDovecot({ users: [{ name: "ann@example.test", password: "pw one" }] });
  try {
    const lmtp = nodemailer.createTransport({ host: "127.0.0.1", port: dc.lmtpPort, lmtp: true });
    const info = await lmtp.sendMail({
      from: "bob@example.org",
      to: "ann@example.test",
      subject: "hello",
      text: "through LMTP",
    });
    assert.deepEqual(info.accepted, ["ann@example.test"]);
    const imap = new ImapFlow({
      host: "127.0.0.1",
      port: dc.imapPort,
      secure: false,
      auth: { user: "ann@example.test", pass: "pw one" },
      logger: false,
    });
    await imap.connect();
    const st = await imap.status("INBOX", { messages: true });
    assert.ok(st);
    assert.equal(st.messages, 1);
    const list = await imap.list();
    assert.equal(list.find((f) => f.path === "Sent")?.specialUse, "\\Sent");
    await imap.logout();
    await dc.stop();
    const cur = join(dc.maildir("ann@example.test"), "cur");
    const fresh = join(dc.maildir("ann@example.test"), "new");
    const files = [...(existsSync(cur) ? readdirSync(cur) : []), ...readdirSync(fresh)];
    assert.equal(files.length, 1);
    assert.ok(existsSync(join(dc.maildir("ann@example.test"), "dovecot-uidlist")));
  } finally {
    await dc.remove();
  }
});
