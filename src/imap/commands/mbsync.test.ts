// A third real client: mbsync (Debian package isync) doing two-way Maildir sync over implicit TLS.
// It relies on UIDPLUS, UID FETCH of flags and bodies, UID STORE, EXPUNGE and LIST, so a fresh
// sync, a local flag change, a server-side move and a server-side expunge each go through it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

const SENT = [
  crlf("From: bob@example.test\nSubject: one\nMessage-ID: <one@example.test>\n\nfirst body\n"),
  crlf("From: carol@example.test\nSubject: two\nMessage-ID: <two@example.test>\n\nsecond\nbody\n"),
  crlf("From: dave@example.test\nSubject: three\nMessage-ID: <three@example.test>\n\nthird body\n"),
];

function runMbsync(config: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("mbsync", ["-c", config, "-a"], { env: { ...process.env, HOME: tmpdir() } });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => p.kill(), 20000);
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`mbsync exited ${code}: ${out}`));
      else resolve(out);
    });
  });
}

/** Every message file of a Maildir folder: name -> content. */
async function maildir(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const sub of ["new", "cur"]) {
    let names: string[] = [];
    try {
      names = await readdir(join(dir, sub));
    } catch {
      continue;
    }
    for (const n of names) out.set(`${sub}/${n}`, await readFile(join(dir, sub, n), "utf8"));
  }
  return out;
}

// mbsync writes Maildir files with LF line ends and adds its own X-TUID header (it journals every
// copy so an interrupted run can find it again); apart from that the bytes must be the server's.
const asLocal = (s: string) => s.replace(/\r\n/g, "\n");
const asSent = (s: string) => s.replace(/^X-TUID: \S+\n/m, "");
const MESSAGES = SENT.map(asLocal);
const sortedBodies = (m: Map<string, string>) => [...m.values()].map(asSent).sort();

describe("mbsync two-way sync", () => {
  let t: ImapTestServer;
  let dir: string;
  let config: string;
  let aliceId: number;

  before(async () => {
    t = await startImapTestServer();
    aliceId = t.server.users.find((u) => u.address === ALICE)!.id;
    dir = await mkdtemp(join(tmpdir(), "yubin-mbsync-"));
    const cert = join(dir, "cert.pem");
    await writeFile(cert, t.server.certPem);
    await mkdir(join(dir, "mail"));
    config = join(dir, "mbsyncrc");
    await writeFile(
      config,
      [
        "IMAPAccount yubin",
        "Host 127.0.0.1",
        `Port ${t.port.implicit}`,
        `User ${ALICE}`,
        `Pass "${PASSWORD}"`,
        "SSLType IMAPS",
        `CertificateFile ${cert}`,
        "",
        "IMAPStore remote",
        "Account yubin",
        "",
        "MaildirStore local",
        `Path ${join(dir, "mail")}/`,
        `Inbox ${join(dir, "mail", "INBOX")}`,
        "SubFolders Verbatim",
        "",
        "Channel sync",
        "Far :remote:",
        "Near :local:",
        "Patterns *",
        "Create Both",
        "Expunge Both",
        "SyncState *",
        "",
      ].join("\n"),
    );
  });
  after(async () => {
    await t.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("fresh sync, local flag change, server move, server expunge", async () => {
    const mail = t.server.store.mail;
    const inbox = (await mail.getMailbox(aliceId, "INBOX"))!;
    const archive = await mail.createMailbox(aliceId, "Archive2");
    const uids: number[] = [];
    for (const m of SENT) uids.push(await t.deliver(ALICE, m));

    // 1. A fresh sync downloads every message byte for byte.
    await runMbsync(config);
    const local = join(dir, "mail", "INBOX");
    let files = await maildir(local);
    assert.deepEqual(sortedBodies(files), [...MESSAGES].sort());
    assert.deepEqual([...(await maildir(join(dir, "mail", "Archive2"))).values()], []);

    // 2. Mark the first message seen locally (Maildir info ":2,S"); the next sync stores \Seen.
    const [firstName] = [...files].find(([, body]) => asSent(body) === MESSAGES[0])!;
    const base = firstName.replace(/^(new|cur)\//, "").replace(/:2,.*$/, "");
    await rename(join(local, firstName), join(local, "cur", `${base}:2,S`));
    await runMbsync(config);
    const afterFlag = await mail.listMessages(inbox.id);
    assert.deepEqual(
      afterFlag.map((m) => [m.uid, m.flags]),
      [
        [uids[0], ["\\Seen"]],
        [uids[1], []],
        [uids[2], []],
      ],
    );

    // 3. Move the second message on the server; the next sync moves it locally.
    await mail.move(inbox.id, [uids[1]!], archive.id);
    await runMbsync(config);
    files = await maildir(local);
    assert.deepEqual(sortedBodies(files), [MESSAGES[0]!, MESSAGES[2]!].sort());
    assert.deepEqual(sortedBodies(await maildir(join(dir, "mail", "Archive2"))), [MESSAGES[1]]);
    const seenFile = [...files.keys()].find((n) => asSent(files.get(n)!) === MESSAGES[0]);
    assert.match(seenFile!, /^cur\/.*:2,S$/);

    // 4. Expunge the third message on the server; it disappears locally.
    await mail.expunge(inbox.id, [uids[2]!]);
    await runMbsync(config);
    assert.deepEqual(sortedBodies(await maildir(local)), [MESSAGES[0]]);
    assert.deepEqual(
      (await mail.listMessages(inbox.id)).map((m) => m.uid),
      [uids[0]],
    );
  });
});
