// The Maildir importer against mail a real Dovecot made: messages delivered through its LMTP,
// folders made, flags and keywords set, messages expunged and appended with old dates through
// its IMAP; Dovecot stopped; `yubin import maildir` (the real command, on a running server's data
// directory); then IMAP clients see in Yubin what they saw in Dovecot, folder by folder: the same
// UIDVALIDITY, UIDNEXT, UIDs, flags, keywords, internal dates, sizes and bytes. And mbsync, which
// had synced a local Maildir from Dovecot, pointed at Yubin afterwards finds nothing to download.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { runCommand, YUBIN_BIN } from "../../cli/test-cli.js";
import { sampleConfig } from "../../config/sample.js";
import { dovecotSkip, type PrivateDovecot, startDovecot } from "../../testing/dovecot.js";
import { startTestServer, type TestServer } from "../../testing/harness.js";
import { type FolderSnapshot, snapshot } from "../../testing/imap-snapshot.js";
import { commandSkip } from "../../testing/requires.js";

const ANN = "ann@example.test";
const PASSWORD = "maildir import password";
const skip = dovecotSkip();

function runMbsync(config: string, home: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("mbsync", ["-c", config, "-a"], { env: { ...process.env, HOME: home } });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => p.kill(), 30_000);
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`mbsync exited ${code}: ${out}`));
      else resolve(out);
    });
  });
}

function mbsyncConfig(o: { dir: string; port: number; tls: "None" | "IMAPS"; cert?: string }): string {
  return [
    "IMAPAccount old",
    "Host 127.0.0.1",
    `Port ${o.port}`,
    `User ${ANN}`,
    `Pass "${PASSWORD}"`,
    `SSLType ${o.tls}`,
    // Loopback only: the private Dovecot has no TLS, and mbsync sends no password in clear
    // unless told which mechanism to use.
    ...(o.cert ? [`CertificateFile ${o.cert}`] : ["AuthMechs LOGIN"]),
    "",
    "IMAPStore remote",
    "Account old",
    "",
    "MaildirStore local",
    `Path ${join(o.dir, "mail")}/`,
    `Inbox ${join(o.dir, "mail", "INBOX")}`,
    "SubFolders Verbatim",
    "",
    "Channel sync",
    "Far :remote:",
    "Near :local:",
    "Patterns *",
    "Create Near",
    "SyncState *",
    "",
  ].join("\n");
}

/** Every file under dir (relative path → content), .mbsyncstate files included. */
async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    out.set(p.slice(dir.length), await readFile(p, "utf8"));
  }
  return out;
}

for (const layout of ["maildir++", "fs"] as const)
  describe(`Dovecot Maildir (${layout}) → yubin import maildir`, { skip, timeout: 180_000 }, () => {
    let dc: PrivateDovecot;
    let dovecotView: Map<string, FolderSnapshot>;
    let srv: TestServer;
    let work: string;
    let mbsyncBefore: Map<string, string> | null = null;
    // mbsync once (with the default layout): what it checks does not depend on the layout.
    const withMbsync = layout === "maildir++";
    const mbsyncSkip = skip || commandSkip("mbsync", "isync");

    before(async () => {
      dc = await startDovecot({ users: [{ name: ANN, password: PASSWORD }], layout });
      work = join(dc.dir, "work");
      await mkdir(join(work, "mail"), { recursive: true });
      const lmtp = nodemailer.createTransport({ host: "127.0.0.1", port: dc.lmtpPort, lmtp: true });
      for (let i = 1; i <= 6; i++)
        await lmtp.sendMail({
          from: `sender${i}@example.org`,
          to: ANN,
          subject: `delivered ${i}`,
          messageId: `<d${i}@example.org>`,
          text: `body ${i}\nsecond line\n`,
        });
      const imap = new ImapFlow({
        host: "127.0.0.1",
        port: dc.imapPort,
        secure: false,
        auth: { user: ANN, pass: PASSWORD },
        logger: false,
      });
      await imap.connect();
      await imap.mailboxCreate("Archive/2024");
      await imap.mailboxCreate("Späße");
      await imap.mailboxSubscribe("Späße");
      await imap.mailboxOpen("INBOX");
      await imap.messageFlagsAdd("1", ["\\Seen", "$Forwarded", "project-x"], { uid: true });
      await imap.messageFlagsAdd("2", ["\\Flagged", "\\Answered", "\\Draft", "\\Deleted", "other"], {
        uid: true,
      });
      await imap.messageFlagsAdd("4", ["\\Seen", "$Junk"], { uid: true });
      await imap.messageCopy("1:2", "Archive/2024", { uid: true });
      // A gap in the UIDs, and the last UID gone: UIDNEXT is more than the highest UID.
      await imap.messageDelete("3,6", { uid: true });
      await imap.append(
        "Sent",
        "From: ann@example.test\r\nTo: x@example.org\r\nSubject: sent\r\n\r\nsent body\r\n",
        ["\\Seen"],
        new Date("2019-05-06T07:08:09Z"),
      );
      await imap.append(
        "Späße",
        "From: a@example.org\nSubject: bare LF\n\nkept as CRLF by both\n",
        ["\\Seen", "umlaut-kw"],
        new Date("2020-01-02T03:04:05Z"),
      );
      dovecotView = await snapshot(imap);
      await imap.logout();
      if (withMbsync && !mbsyncSkip) {
        await writeFile(join(work, "mbsyncrc"), mbsyncConfig({ dir: work, port: dc.imapPort, tls: "None" }));
        await runMbsync(join(work, "mbsyncrc"), work);
        mbsyncBefore = await tree(join(work, "mail"));
      }
      await dc.stop();

      srv = await startTestServer({ users: [{ address: ANN, password: PASSWORD }] });
    });
    after(async () => {
      await srv?.stop();
      await dc?.remove();
    });

    test("IMAP clients see the same folders, UIDVALIDITY, UIDs, flags, keywords, dates and bytes", async () => {
      assert.deepEqual([...dovecotView.keys()].sort(), [
        "Archive/2024",
        "Drafts",
        "INBOX",
        "Junk",
        "Sent",
        "Späße",
        "Trash",
      ]);
      assert.deepEqual(
        dovecotView.get("INBOX")!.messages.map((m) => m.uid),
        [1, 2, 4, 5],
      );
      const configPath = join(srv.dataDir, "cli.toml");
      await writeFile(configPath, sampleConfig({ hostname: "mail.example.test", dataDir: srv.dataDir }));
      const r = await runCommand(process.execPath, [
        YUBIN_BIN,
        ...["--config", configPath, "import", "maildir", dc.maildir(ANN), "--account", ANN],
        // Given for one layout, detected for the other.
        ...(layout === "fs" ? ["--layout", "fs"] : []),
      ]);
      assert.equal(r.code, 0, `${r.out}\n${r.err}`);
      assert.match(r.out, /^imported 8 messages .* into 7 folders/);
      assert.match(r.out, /^kept UIDVALIDITY and UIDs in 7 folders$/m);

      const yubin = new ImapFlow({
        host: "127.0.0.1",
        port: srv.ports.imaps!,
        secure: true,
        tls: { ca: srv.certPem, servername: "mail.example.test" },
        auth: { user: ANN, pass: PASSWORD },
        logger: false,
      });
      await yubin.connect();
      const yubinView = await snapshot(yubin);
      await yubin.logout();
      for (const [name, d] of dovecotView) {
        const y = yubinView.get(name);
        assert.ok(y, `${name} missing in Yubin`);
        assert.equal(y.uidValidity, d.uidValidity, `${name} UIDVALIDITY`);
        assert.equal(y.uidNext, d.uidNext, `${name} UIDNEXT`);
        assert.deepEqual(y.messages, d.messages, `${name} messages`);
        assert.equal(y.specialUse, d.specialUse, `${name} special-use`);
        assert.equal(y.subscribed, d.subscribed, `${name} subscribed`);
      }
    });

    if (withMbsync)
      test("mbsync synced from Dovecot and pointed at Yubin downloads nothing", {
        skip: mbsyncSkip,
      }, async () => {
        assert.ok(mbsyncBefore);
        // The first sync fetched the messages (INBOX's four, Archive's two, ...).
        const files = (m: Map<string, string>) => [...m.keys()].filter((k) => /\/(cur|new)\//.test(k)).sort();
        assert.equal(files(mbsyncBefore).length, 8);
        const cert = join(work, "yubin.pem");
        await writeFile(cert, srv.certPem);
        await writeFile(
          join(work, "mbsyncrc"),
          mbsyncConfig({ dir: work, port: srv.ports.imaps!, tls: "IMAPS", cert }),
        );
        // Exits non-zero when a far folder's UIDVALIDITY is not the one in its sync state.
        await runMbsync(join(work, "mbsyncrc"), work);
        const afterSync = await tree(join(work, "mail"));
        // No message file added, removed or renamed; every sync state (which records the far side's
        // UIDVALIDITY and each far UID) as it was.
        assert.deepEqual(files(afterSync), files(mbsyncBefore));
        for (const [path, content] of mbsyncBefore) {
          if (path.endsWith(".mbsyncstate") || /\/(cur|new)\//.test(path))
            assert.equal(afterSync.get(path), content, path);
        }
      });
  });
