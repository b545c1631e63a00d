import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runImport } from "../import/engine.js";
import { openMaildirSource } from "../import/maildir/source.js";
import { openMboxSource } from "../import/mbox/source.js";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import type { Store } from "../store/types.js";
import { commandSkip } from "../testing/requires.js";
import { exportAccount } from "./export.js";

let dir: string;
const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function newStore(name: string): Promise<{ store: Store; accountId: number }> {
  const store = await openSqliteStore({ dataDir: join(dir, name), notifier: new LocalNotifier() });
  stores.push(store);
  await store.directory.addDomain("example.com");
  const a = await store.directory.createAccount({ address: "ann@example.com", passwordHash: "x" });
  return { store, accountId: a.id };
}

const crlf = (s: string) => s.replaceAll("\n", "\r\n");
/** Messages that exercise the formats: From lines at a body line's start (after an empty line
 *  and not), ">From" and ">>From" lines, a Return-Path, state fields a sender put in, non-ASCII. */
const MESSAGES: { folder: string; body: string; flags: string[]; date: string }[] = [
  {
    folder: "INBOX",
    body: crlf(
      "Return-Path: <bob@example.org>\nFrom: bob@example.org\nSubject: escapes\nMessage-ID: <1@x>\n\nFrom the top\n>From one\n>>From two\n\nFrom after an empty line\nend\n",
    ),
    flags: ["\\Seen", "\\Answered", "$Forwarded", "work"],
    date: "2021-05-06T07:08:09.000Z",
  },
  {
    folder: "INBOX",
    body: crlf("From: carol@example.org\nSubject: plain\nMessage-ID: <2@x>\n\nhi\n"),
    flags: [],
    date: "1999-12-31T23:59:59.000Z",
  },
  {
    folder: "Sent",
    body: crlf(
      "Return-Path: <>\nFrom: ann@example.com\nSubject: =?utf-8?q?caf=C3=A9?=\nMessage-ID: <3@x>\n\ncaf\u00e9\n",
    ),
    flags: ["\\Seen", "\\Flagged", "\\Draft", "$label1"],
    date: "2024-02-29T12:00:00.000Z",
  },
  {
    folder: "Work/Projects 2024",
    body: crlf("From: dan@example.org\nSubject: deleted\nMessage-ID: <4@x>\n\nbye\n"),
    flags: ["\\Deleted", "\\Seen"],
    date: "2010-01-01T00:00:00.000Z",
  },
];

async function fill(store: Store, accountId: number): Promise<void> {
  await store.mail.createMailbox(accountId, "Work/Projects 2024");
  await store.mail.createMailbox(accountId, "Empty", { subscribed: false });
  for (const m of MESSAGES) {
    const mb = (await store.mail.getMailbox(accountId, m.folder))!;
    await store.mail.append(accountId, mb.id, {
      body: Buffer.from(m.body, "utf8"),
      flags: m.flags,
      internalDate: new Date(m.date),
    });
  }
}

/** Every folder's messages as comparable records (flags sorted, dates to the second). */
async function snapshot(store: Store, accountId: number) {
  const out: Record<string, { body: string; flags: string[]; date: string; uid: number }[]> = {};
  for (const mb of await store.mail.listMailboxes(accountId)) {
    const list = await store.mail.listMessages(mb.id);
    out[mb.name] = [];
    for (const m of list) {
      out[mb.name]!.push({
        body: (await store.mail.readBody(m.blobId)).toString("latin1"),
        flags: [...m.flags].sort(),
        date: new Date(Math.floor(m.internalDate.getTime() / 1000) * 1000).toISOString(),
        uid: m.uid,
      });
    }
  }
  return out;
}

let source: { store: Store; accountId: number };
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "yubin-export-"));
  source = await newStore("source");
  await fill(source.store, source.accountId);
});

test("mbox: export → import gives byte-identical messages, flags, keywords, internal dates, folders", async () => {
  const out = join(dir, "out-mbox");
  const s = await exportAccount(source.store, source.accountId, out, { format: "mbox" });
  assert.equal(s.messages, MESSAGES.length);
  const folders = (await source.store.mail.listMailboxes(source.accountId)).map((m) => m.name);
  assert.deepEqual(
    (await readdir(out)).sort(),
    [...folders.filter((n) => !n.includes("/")), "Work.sbd"].sort(),
  );
  assert.deepEqual(await readdir(join(out, "Work.sbd")), ["Projects 2024"]);
  const text = await readFile(join(out, "INBOX"), "latin1");
  assert.match(text, /^From bob@example\.org Thu May {2}6 07:08:09 2021\n/);
  assert.match(text, /\n>From the top\n>>From one\n>>>From two\n\n>From after an empty line\n/);
  assert.match(text, /\nStatus: RO\nX-Status: A\nX-Keywords: \$Forwarded work\n\n/);
  assert.ok(!text.includes("\r"), "LF line ends");
  assert.match(await readFile(join(out, "Sent"), "latin1"), /^From MAILER-DAEMON /);
  const target = await newStore("from-mbox");
  const sum = await runImport(
    target.store,
    target.accountId,
    await openMboxSource(out, { maxMessageBytes: 1 << 20 }),
  );
  assert.equal(sum.failed, 0);
  assert.equal(sum.imported, MESSAGES.length);
  const a = await snapshot(source.store, source.accountId);
  const b = await snapshot(target.store, target.accountId);
  const strip = (x: typeof a) =>
    Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v.map(({ uid: _, ...r }) => r)]));
  assert.deepEqual(strip(b), strip(a));
});

test("Maildir: export → import keeps UIDVALIDITY, UIDs, bytes, flags, keywords, internal dates", async () => {
  const out = join(dir, "out-maildir");
  await exportAccount(source.store, source.accountId, out, { format: "maildir" });
  const names = (await readdir(out)).sort();
  assert.ok(
    names.includes(".Work.Projects 2024") && names.includes("cur") && names.includes("dovecot-uidlist"),
    String(names),
  );
  const inbox = (await source.store.mail.getMailbox(source.accountId, "INBOX"))!;
  const uidlist = await readFile(join(out, "dovecot-uidlist"), "utf8");
  assert.match(uidlist, new RegExp(`^3 V${inbox.uidValidity} N${inbox.uidNext}\n1 :\\d+\\.M`));
  const cur = await readdir(join(out, "cur"));
  assert.equal(cur.length, 2);
  const first = cur.find((n) => n.endsWith(":2,PRSab"));
  assert.ok(first, String(cur));
  assert.equal(await readFile(join(out, "dovecot-keywords"), "utf8"), "0 $Forwarded\n1 work\n");
  assert.equal((await stat(join(out, "cur", first))).mtime.toISOString(), MESSAGES[0]!.date);
  assert.match(await readFile(join(out, "subscriptions"), "utf8"), /^V\t2\n\nINBOX\n/);
  assert.doesNotMatch(await readFile(join(out, "subscriptions"), "utf8"), /Empty/);

  const target = await newStore("from-maildir");
  const sum = await runImport(
    target.store,
    target.accountId,
    await openMaildirSource(out, { maxMessageBytes: 1 << 20 }),
  );
  assert.equal(sum.failed, 0);
  assert.deepEqual(
    await snapshot(target.store, target.accountId),
    await snapshot(source.store, source.accountId),
  );
  for (const mb of await source.store.mail.listMailboxes(source.accountId)) {
    const t = (await target.store.mail.getMailbox(target.accountId, mb.name))!;
    assert.equal(t.uidValidity, mb.uidValidity, mb.name);
    assert.equal(t.uidNext, mb.uidNext, mb.name);
  }
});

test("only the folders asked for; a non-empty target and an unknown folder are refused", async () => {
  const out = join(dir, "some");
  const s = await exportAccount(source.store, source.accountId, out, {
    format: "mbox",
    folders: ["inbox", "Work/Projects 2024"],
  });
  assert.equal(s.folders, 2);
  assert.deepEqual((await readdir(out)).sort(), ["INBOX", "Work.sbd"]);
  await assert.rejects(
    exportAccount(source.store, source.accountId, out, { format: "mbox" }),
    /is not empty/,
  );
  await assert.rejects(
    exportAccount(source.store, source.accountId, join(dir, "none"), { format: "mbox", folders: ["Nope"] }),
    /no folder "Nope"/,
  );
});

const PY_READER = `
import json, mailbox, sys, hashlib
kind, path = sys.argv[1], sys.argv[2]
out = {}
if kind == "mbox":
    for name in sys.argv[3:]:
        box = mailbox.mbox(path + "/" + name, create=False)
        out[name] = [{"id": m["Message-ID"], "flags": "".join(sorted(m.get_flags())), "from": m.get_from()} for m in box]
else:
    md = mailbox.Maildir(path, factory=None, create=False)
    def read(box, name):
        out[name] = sorted(
            [{"id": m["Message-ID"], "flags": m.get_flags(), "sha": hashlib.sha256(box.get_bytes(k)).hexdigest()}
             for k, m in box.iteritems()], key=lambda r: r["id"])
    read(md, "INBOX")
    for f in md.list_folders():
        read(md.get_folder(f), f)
print(json.dumps(out, sort_keys=True))
`;

test("Python's mailbox module reads our mbox files and Maildir with the same messages and flags", async (t) => {
  const skip = commandSkip("python3");
  if (skip) return t.skip(skip);
  await mkdir(join(dir, "py"), { recursive: true });
  const script = join(dir, "py", "read.py");
  await writeFile(script, PY_READER);
  const run = (args: string[]) => {
    const r = spawnSync("python3", [script, ...args], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, Record<string, unknown>[]>;
  };
  const mbox = run(["mbox", join(dir, "out-mbox"), "INBOX", "Sent", "Work.sbd/Projects 2024"]);
  assert.deepEqual(mbox, {
    INBOX: [
      { id: "<1@x>", flags: "AOR", from: "bob@example.org Thu May  6 07:08:09 2021" },
      { id: "<2@x>", flags: "O", from: "MAILER-DAEMON Fri Dec 31 23:59:59 1999" },
    ],
    Sent: [{ id: "<3@x>", flags: "FORT", from: "MAILER-DAEMON Thu Feb 29 12:00:00 2024" }],
    "Work.sbd/Projects 2024": [{ id: "<4@x>", flags: "DOR", from: "MAILER-DAEMON Fri Jan  1 00:00:00 2010" }],
  });
  const md = run(["maildir", join(dir, "out-maildir")]);
  const sha = (s: string) => createHash("sha256").update(Buffer.from(s, "utf8")).digest("hex");
  assert.deepEqual(md.INBOX, [
    { id: "<1@x>", flags: "PRSab", sha: sha(MESSAGES[0]!.body) },
    { id: "<2@x>", flags: "", sha: sha(MESSAGES[1]!.body) },
  ]);
  assert.deepEqual(md.Sent, [{ id: "<3@x>", flags: "DFSa", sha: sha(MESSAGES[2]!.body) }]);
  assert.deepEqual(md["Work.Projects 2024"], [{ id: "<4@x>", flags: "ST", sha: sha(MESSAGES[3]!.body) }]);
});

test("a message expunged while the export runs is skipped; a body unreadable for another reason fails it", async () => {
  const { store, accountId } = await newStore("vanishing");
  const inbox = (await store.mail.getMailbox(accountId, "INBOX"))!;
  for (const i of [1, 2, 3])
    await store.mail.append(accountId, inbox.id, { body: Buffer.from(`Subject: ${i}\r\n\r\n${i}\r\n`) });
  const second = (await store.mail.listMessages(inbox.id))[1]!;
  let expunge = true;
  const mail = Object.create(store.mail) as Store["mail"];
  mail.readBody = async (blobId: string) => {
    if (blobId !== second.blobId) return store.mail.readBody(blobId);
    if (expunge) await store.mail.expunge(inbox.id, [second.uid]);
    throw Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" });
  };
  const s = await exportAccount({ mail }, accountId, join(dir, "vanishing-out"), {
    format: "mbox",
    folders: ["INBOX"],
  });
  assert.equal(s.messages, 2);
  const text = await readFile(join(dir, "vanishing-out", "INBOX"), "latin1");
  assert.deepEqual(
    [...text.matchAll(/^Subject: (\d)$/gm)].map((m) => m[1]),
    ["1", "3"],
  );
  expunge = false;
  await store.mail.append(accountId, inbox.id, { body: Buffer.from("Subject: 2\r\n\r\n2\r\n") });
  const again = (await store.mail.listMessages(inbox.id)).at(-1)!;
  assert.equal(again.blobId, second.blobId);
  await assert.rejects(
    exportAccount({ mail }, accountId, join(dir, "unreadable"), { format: "maildir", folders: ["INBOX"] }),
    /ENOENT/,
  );
});

test("names a format cannot hold are reported where they went; keywords past 26 per Maildir folder are counted", async () => {
  const { store, accountId } = await newStore("names");
  await store.mail.createMailbox(accountId, "v1.2/x");
  await store.mail.createMailbox(accountId, ".hidden");
  const inbox = (await store.mail.getMailbox(accountId, "INBOX"))!;
  const keywords = Array.from({ length: 30 }, (_, i) => `k${i}`);
  await store.mail.append(accountId, inbox.id, {
    body: Buffer.from("Subject: k\r\n\r\nk\r\n"),
    flags: keywords,
  });
  const md = await exportAccount(store, accountId, join(dir, "names-md"), { format: "maildir" });
  assert.deepEqual(md.renamed, [
    { folder: ".hidden", path: "._hidden" },
    { folder: "v1.2", path: ".v1_2" },
    { folder: "v1.2/x", path: ".v1_2.x" },
  ]);
  assert.equal(md.keywordsDropped, 4);
  const kw = await readFile(join(dir, "names-md", "dovecot-keywords"), "utf8");
  assert.equal(kw.split("\n").length - 1, 26);
  const [file] = await readdir(join(dir, "names-md", "cur"));
  assert.match(file!, /:2,abcdefghijklmnopqrstuvwxyz$/);
  const mb = await exportAccount(store, accountId, join(dir, "names-mbox"), { format: "mbox" });
  assert.deepEqual(mb.renamed, [{ folder: ".hidden", path: "_hidden" }]);
  assert.ok((await readdir(join(dir, "names-mbox"))).includes("_hidden"));
});
