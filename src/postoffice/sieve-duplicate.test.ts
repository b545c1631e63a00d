// The duplicate test (RFC 7352) and the redirect's duplicate check at delivery, end to end with
// swaks on port 25 and imapflow: a delivery refused because the mailbox is full (452 4.2.2) and
// retried once there is room is delivered, not taken for a duplicate of itself (RFC 7352 3: the
// tracking list is updated only once the message is delivered), a redirect the failed attempt
// never sent is sent on the retry, and a real duplicate is still discarded. A global before
// script asking the same question as the user's does not make the user's answer true either.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";

const run = promisify(execFile);
const skip = commandSkip("swaks");

/** The message `data` to `to` over port 25 with swaks; the server's reply to the end of DATA. */
async function swaks(port: number, to: string, data: string): Promise<string> {
  const args = ["--server", `127.0.0.1:${port}`, "--helo", "client.remote.example"];
  args.push("--from", "news@remote.example", "--to", to, "--data", "-");
  const child = run("swaks", args, { timeout: 30_000 });
  child.child.stdin?.end(data);
  // swaks exits non-zero when the server refuses; its transcript is still on stdout.
  const { stdout } = await child.catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
  const lines = stdout.split("\n").map((l) => l.trimEnd());
  const quit = lines.findIndex((l) => /^\s*-> QUIT$/.test(l));
  const replies = lines
    .slice(0, quit < 0 ? lines.length : quit)
    .filter((l) => /^\s*(<-|<\*\*)\s+\d{3} /.test(l));
  return (replies.at(-1) ?? stdout).replace(/^\s*(<-|<\*\*)\s+/, "");
}

/** One message with a fixed Message-ID, as a sender's retry sends it again. */
function message(to: string, subject: string, messageId: string, body = "hello"): string {
  return [
    "From: <news@remote.example>",
    `To: <${to}>`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${messageId}`,
    "",
    body,
    "",
  ].join("\n");
}

describe("sieve duplicate memory across a failed delivery (port 25, swaks, imapflow)", { skip }, () => {
  let ts: TestServer;
  let dir: string;
  const id: Record<string, number> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "yubin-sieve-dup-"));
    // The global before script asks what the user's script asks (same id, no handle): its
    // question must not record the message before the user's script asks.
    await writeFile(
      join(dir, "before.sieve"),
      'require ["duplicate", "imap4flags"];\nif duplicate { addflag "$SeenBefore"; }\n',
    );
    ts = await startTestServer({
      users: [
        { address: "erin@example.test", password: testPassword, quotaBytes: 4000 },
        { address: "carol@example.test", password: testPassword },
      ],
      config: { sieve: { globalBefore: join(dir, "before.sieve") } },
    });
    for (const u of ts.users) id[u.address.split("@")[0]!] = u.id;
  });
  after(async () => {
    await ts?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The subjects and flags of the messages in one of the account's mailboxes, over IMAP. */
  async function imapList(user: string, box: string): Promise<{ subject: string; flags: string[] }[]> {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: ts.ports.imaps!,
      secure: true,
      tls: { ca: ts.certPem, servername: "mail.example.test" },
      auth: { user, pass: testPassword },
      logger: false,
    });
    await c.connect();
    try {
      const lock = await c.getMailboxLock(box);
      try {
        const out: { subject: string; flags: string[] }[] = [];
        if (c.mailbox && c.mailbox.exists > 0)
          for await (const m of c.fetch("1:*", { envelope: true, flags: true }))
            out.push({ subject: m.envelope?.subject ?? "", flags: [...(m.flags ?? [])].sort() });
        return out;
      } finally {
        lock.release();
      }
    } finally {
      await c.logout();
    }
  }

  test("a delivery refused for a full mailbox and retried is delivered, then a real duplicate is discarded", async () => {
    await ts.store.sieve.put(
      id.erin!,
      "rules",
      'require ["duplicate", "copy"];\nif duplicate { discard; stop; }\nredirect :copy "carol@example.test";\n',
      { maxScripts: 20, maxTotalBytes: 1 << 20 },
    );
    await ts.store.sieve.setActive(id.erin!, "rules");
    const subject = `retried ${randomUUID()}`;
    // Bigger than what is left of erin's quota: RCPT passes (she is not full), filing fails at
    // the end of DATA, after her scripts ran.
    const data = message("erin@example.test", subject, `<${randomUUID()}@remote.example>`, "x".repeat(6000));
    assert.equal(await swaks(ts.ports.smtp, "erin@example.test", data), "452 4.2.2 Mailbox full");
    await ts.store.directory.updateAccount(id.erin!, { quotaBytes: 0 });

    // The sender's retry: delivered, unflagged by the before script, and redirected this time.
    assert.match(await swaks(ts.ports.smtp, "erin@example.test", data), /^250 /);
    const inbox = (await imapList("erin@example.test", "INBOX")).filter((m) => m.subject === subject);
    assert.deepEqual(inbox, [{ subject, flags: [] }], "filed once, not taken for a duplicate");
    const redirected = (await imapList("carol@example.test", "INBOX")).filter((m) => m.subject === subject);
    assert.equal(redirected.length, 1, "the redirect the refused attempt never sent is sent now");

    // The same message once more is a duplicate now: discarded, and not redirected again.
    assert.match(await swaks(ts.ports.smtp, "erin@example.test", data), /^250 /);
    assert.equal(
      (await imapList("erin@example.test", "INBOX")).filter((m) => m.subject === subject).length,
      1,
    );
    assert.equal(
      (await imapList("carol@example.test", "INBOX")).filter((m) => m.subject === subject).length,
      1,
    );
  });

  test("a run that fails after asking records nothing", async () => {
    // RFC 7352 3: a script execution that ends in an error leaves no record. This one asks (with
    // its own handle: the global before script's own question is recorded, and rightly), then
    // fails (an include that does not exist is a runtime error; the message is kept).
    const put = async (text: string) => {
      await ts.store.sieve.put(id.carol!, "rules", text, { maxScripts: 20, maxTotalBytes: 1 << 20 });
      await ts.store.sieve.setActive(id.carol!, "rules");
    };
    await put(
      'require ["duplicate", "include"];\nif duplicate :handle "mine" { discard; stop; }\ninclude :personal "missing";\n',
    );
    const subject = `failing ${randomUUID()}`;
    const data = message("carol@example.test", subject, `<${randomUUID()}@remote.example>`);
    assert.match(await swaks(ts.ports.smtp, "carol@example.test", data), /^250 /);
    await put('require "duplicate";\nif duplicate :handle "mine" { discard; stop; }\n');
    assert.match(await swaks(ts.ports.smtp, "carol@example.test", data), /^250 /);
    const got = (await imapList("carol@example.test", "INBOX")).filter((m) => m.subject === subject);
    assert.equal(got.length, 2, "the failed run's question was not remembered");
    // This run completed: now it is remembered.
    assert.match(await swaks(ts.ports.smtp, "carol@example.test", data), /^250 /);
    assert.equal(
      (await imapList("carol@example.test", "INBOX")).filter((m) => m.subject === subject).length,
      2,
    );
  });
});
