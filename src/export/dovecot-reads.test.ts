// Our Maildir export read by a real Dovecot: an account exported into a private Dovecot user's
// (empty) Maildir, then Dovecot's IMAP shows the same folders, UIDVALIDITY, UIDs, UIDNEXT, flags,
// keywords, internal dates and bytes as our store, so a user moving from Yubin to Dovecot keeps
// every client's cache.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ImapFlow } from "imapflow";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import { DOVECOT_MAIL_OWNER, dovecotSkip, startDovecot } from "../testing/dovecot.js";
import { exportAccount } from "./export.js";

const ANN = "ann@example.test";
const PASSWORD = "export to dovecot";
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

interface View {
  uidValidity: number;
  uidNext: number;
  messages: { uid: number; flags: string[]; date: string; sha: string }[];
}

test("Dovecot serves our exported Maildir with our UIDVALIDITY, UIDs, flags, keywords and dates", async (t) => {
  const skip = dovecotSkip();
  if (skip) return t.skip(skip);
  const dir = await mkdtemp(join(tmpdir(), "yubin-export-dovecot-"));
  const store = await openSqliteStore({ dataDir: join(dir, "data"), notifier: new LocalNotifier() });
  const dv = await startDovecot({ users: [{ name: ANN, password: PASSWORD }] });
  try {
    await store.directory.addDomain("example.test");
    const a = await store.directory.createAccount({ address: ANN, passwordHash: "x" });
    await store.mail.createMailbox(a.id, "Work/Caf\u00e9");
    const put = async (folder: string, subject: string, flags: string[], date: string) => {
      const mb = (await store.mail.getMailbox(a.id, folder))!;
      const body = Buffer.from(
        `From: b@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@x>\r\n\r\nhi\r\n`,
      );
      await store.mail.append(a.id, mb.id, { body, flags, internalDate: new Date(date) });
    };
    await put("INBOX", "one", ["\\Seen", "\\Answered", "$Forwarded", "work"], "2021-05-06T07:08:09Z");
    await put("INBOX", "two", [], "1999-12-31T23:59:59Z");
    await put("INBOX", "three", ["\\Flagged", "\\Deleted", "\\Draft", "later"], "2010-01-01T00:00:00Z");
    await put("Work/Caf\u00e9", "four", ["\\Seen"], "2024-02-29T12:00:00Z");
    // A gap in the UIDs: Dovecot must keep ours, not renumber.
    const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
    await store.mail.expunge(inbox.id, [2]);

    const ours = new Map<string, View>();
    for (const mb of await store.mail.listMailboxes(a.id)) {
      const messages: View["messages"] = [];
      for (const m of await store.mail.listMessages(mb.id))
        messages.push({
          uid: m.uid,
          flags: [...m.flags].sort(),
          date: m.internalDate.toISOString(),
          sha: sha(await store.mail.readBody(m.blobId)),
        });
      ours.set(mb.name, { uidValidity: mb.uidValidity, uidNext: mb.uidNext, messages });
    }

    await exportAccount(store, a.id, dv.maildir(ANN), { format: "maildir" });
    execFileSync("chown", ["-R", `${DOVECOT_MAIL_OWNER.uid}:${DOVECOT_MAIL_OWNER.gid}`, dv.maildir(ANN)]);

    const client = new ImapFlow({
      host: "127.0.0.1",
      port: dv.imapPort,
      secure: false,
      auth: { user: ANN, pass: PASSWORD },
      logger: false,
    });
    await client.connect();
    const theirs = new Map<string, View>();
    try {
      for (const f of await client.list()) {
        const lock = await client.getMailboxLock(f.path, { readOnly: true });
        try {
          const box = client.mailbox;
          assert.ok(box);
          const messages: View["messages"] = [];
          if (box.exists > 0)
            for await (const m of client.fetch("1:*", {
              uid: true,
              flags: true,
              internalDate: true,
              source: true,
            }))
              messages.push({
                uid: m.uid,
                flags: [...(m.flags ?? [])].filter((x) => x !== "\\Recent").sort(),
                date: new Date(m.internalDate ?? 0).toISOString(),
                sha: sha(m.source ?? Buffer.alloc(0)),
              });
          theirs.set(f.path, { uidValidity: Number(box.uidValidity), uidNext: box.uidNext, messages });
        } finally {
          lock.release();
        }
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
    assert.deepEqual(theirs, ours);
    assert.deepEqual(
      ours.get("INBOX")!.messages.map((m) => m.uid),
      [1, 3],
    );
  } finally {
    await dv.remove();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
