// openMaildirSource on Maildirs written here file by file: the order and positions a re-run
// continues from, flags and dates, files no uidlist names, Courier's files, and odd files (empty,
// a directory, a FIFO, too large) as failures with reasons, not crashes or hangs. Then through the
// engine into a real server's store.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rename, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestServer } from "../../testing/harness.js";
import { runImport } from "../engine.js";
import type { SourceFailure, SourceFolder, SourceMessage } from "../types.js";
import { MaildirError, openMaildirSource } from "./source.js";

const msg = (n: string) => `From: a@example.org\nSubject: ${n}\n\nbody ${n}\n`;

async function mailbox(dir: string): Promise<void> {
  for (const sub of ["cur", "new", "tmp"]) await mkdir(join(dir, sub), { recursive: true });
}

async function put(path: string, body: string, date?: string): Promise<void> {
  await writeFile(path, body);
  if (date) await utimes(path, new Date(date), new Date(date));
}

async function all(f: SourceFolder, after: string | null = null): Promise<(SourceMessage | SourceFailure)[]> {
  const out: (SourceMessage | SourceFailure)[] = [];
  for await (const m of f.messages(after)) out.push(m);
  return out;
}

async function folders(root: string, readAhead?: number): Promise<Map<string, SourceFolder>> {
  const src = await openMaildirSource(root, { readAhead });
  const out = new Map<string, SourceFolder>();
  for await (const f of src.folders()) out.set(f.name, f);
  await src.close();
  return out;
}

const A = "1700000100.M1P1.host,S=50,W=54";
const B = "1700000050.M2P1.host";
const C = "1700000300.M3P1.host"; // no uid, new/
const D = "1700000200.M4P1.host"; // no uid, cur/

describe("openMaildirSource", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "yubin-maildir-src-"));
    await mailbox(root);
    await writeFile(join(root, "dovecot-uidlist"), `3 V4242 N3 Gx\n2 :${B}\n5 :${A}\n9 :gone.host\n`);
    await writeFile(join(root, "dovecot-keywords"), "0 work\n1 $Forwarded\n");
    await put(join(root, "cur", `${A}:2,RSa`), msg("a"), "2021-03-04T05:06:07Z");
    await put(join(root, "cur", `${B}:2,`), msg("b"), "2020-01-01T00:00:00Z");
    await put(join(root, "new", C), msg("c"), "2022-02-02T02:02:02Z");
    await put(join(root, "cur", `${D}:2,FPb`), msg("d"), "2022-01-01T00:00:00Z");
    await writeFile(join(root, "cur", ".hidden"), "not mail");
    await writeFile(join(root, "tmp", "1700000400.being-written"), msg("tmp"));
    await writeFile(join(root, "maildirfolder"), "");
  });
  after(() => rm(root, { recursive: true, force: true }));

  test("listed files by UID, then unlisted ones by delivery time; flags, keywords, dates", async () => {
    const inbox = (await folders(root)).get("INBOX")!;
    assert.equal(inbox.uidValidity, 4242);
    assert.equal(inbox.uidNext, 10); // past the listed 9, though the header says 3
    assert.equal(inbox.count, 4);
    const items = (await all(inbox)) as SourceMessage[];
    assert.deepEqual(
      items.map((m) => [m.uid, m.position, m.flags, m.internalDate.toISOString(), m.body.toString()]),
      [
        [2, "2", [], "2020-01-01T00:00:00.000Z", msg("b")],
        [5, "5", ["\\Answered", "\\Seen", "work"], "2021-03-04T05:06:07.000Z", msg("a")],
        [undefined, `5/${D}`, ["\\Flagged", "$Forwarded"], "2022-01-01T00:00:00.000Z", msg("d")],
        // In new/: not \Seen (and \Recent is a session's, never stored).
        [undefined, `5/${C}`, [], "2022-02-02T02:02:02.000Z", msg("c")],
      ],
    );
    assert.equal(items[0]!.label, join(root, "cur", `${B}:2,`));
  });

  test("a re-run continues after the position it was given", async () => {
    const inbox = (await folders(root)).get("INBOX")!;
    const pos = async (after: string) => (await all(inbox, after)).map((m) => m.position);
    assert.deepEqual(await pos("2"), ["5", `5/${D}`, `5/${C}`]);
    assert.deepEqual(await pos("5"), [`5/${D}`, `5/${C}`]);
    assert.deepEqual(await pos(`5/${D}`), [`5/${C}`]);
    assert.deepEqual(await pos(`5/${C}`), []);
  });

  test("an incremental run: what the server listed since, and only that", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yubin-maildir-incr-"));
    try {
      await mailbox(dir);
      await writeFile(join(dir, "dovecot-uidlist"), "3 V7 N2\n1 :1700000001.a\n");
      await put(join(dir, "cur", "1700000001.a:2,S"), msg("a"));
      await put(join(dir, "new", "1700000002.b"), msg("b"));
      const first = await all((await folders(dir)).get("INBOX")!);
      assert.deepEqual(
        first.map((m) => m.position),
        ["1", "1/1700000002.b"],
      );
      // The server, still running, lists b (UID 2) and delivers c (UID 3) and d (unlisted yet).
      await writeFile(
        join(dir, "dovecot-uidlist"),
        "3 V7 N4\n1 :1700000001.a\n2 :1700000002.b\n3 :1700000003.c\n",
      );
      await put(join(dir, "new", "1700000003.c"), msg("c"));
      await put(join(dir, "new", "1700000004.d"), msg("d"));
      const next = await all((await folders(dir)).get("INBOX")!, "1/1700000002.b");
      assert.deepEqual(
        next.map((m) => ["failed" in m ? m.reason : m.body.toString(), m.position]),
        [
          [msg("c"), "3/1700000002.b"],
          [msg("d"), "3/1700000004.d"],
        ],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("bytes from W= (the CRLF size), else S=, else the file's size", async () => {
    const inbox = (await folders(root)).get("INBOX")!;
    assert.equal(inbox.bytes, 54 + 3 * Buffer.byteLength(msg("b")));
  });

  test("a file renamed by a running server between listing and reading is found by its base", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yubin-maildir-moved-"));
    try {
      await mailbox(dir);
      await put(join(dir, "new", "1700000001.a.host"), msg("1"));
      await put(join(dir, "new", "1700000002.b.host"), msg("2"));
      // One file at a time, so the second is read after the rename below.
      const inbox = (await folders(dir, 1)).get("INBOX")!;
      const it = inbox.messages(null)[Symbol.asyncIterator]();
      const first = (await it.next()).value as SourceMessage;
      assert.equal(first.body.toString(), msg("1"));
      // A client read it: new/ → cur/ with \Seen (maildir(5)).
      await rename(join(dir, "new", "1700000002.b.host"), join(dir, "cur", "1700000002.b.host:2,S"));
      const second = (await it.next()).value as SourceMessage;
      assert.deepEqual([second.body.toString(), second.flags], [msg("2"), ["\\Seen"]]);
      assert.equal((await it.next()).done, true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("empty, directory, FIFO, too large and vanished files are failures with reasons", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yubin-maildir-odd-"));
    try {
      await mailbox(dir);
      await writeFile(join(dir, "cur", "1700000001.empty:2,S"), "");
      await mkdir(join(dir, "cur", "1700000002.dir:2,"));
      execFileSync("mkfifo", [join(dir, "cur", "1700000003.fifo:2,")]);
      await writeFile(join(dir, "cur", "1700000004.big:2,"), "x".repeat(2000));
      await put(join(dir, "cur", "1700000005.fine:2,S"), msg("fine"));
      const src = await openMaildirSource(dir, { maxMessageBytes: 1000 });
      let inbox: SourceFolder | undefined;
      for await (const f of src.folders()) inbox = f;
      const items = await all(inbox!);
      assert.deepEqual(
        items.map((m) => ("failed" in m ? [m.label.slice(dir.length), m.reason] : ["ok", m.body.toString()])),
        [
          ["/cur/1700000001.empty:2,S", "empty file"],
          ["/cur/1700000002.dir:2,", "not a regular file"],
          ["/cur/1700000003.fifo:2,", "not a regular file"],
          ["/cur/1700000004.big:2,", "2000 octets, larger than the 1000 allowed"],
          ["ok", msg("fine")],
        ],
      );
      // Listed, then expunged before it is read.
      const it = (await folders(dir, 1)).get("INBOX")!.messages(null)[Symbol.asyncIterator]();
      for (let i = 0; i < 4; i++) await it.next();
      await rm(join(dir, "cur", "1700000005.fine:2,S"));
      const last = (await it.next()).value as SourceMessage | SourceFailure;
      assert.ok("failed" in last);
      assert.equal(last.reason, "the file vanished while importing (expunged meanwhile?)");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("Courier: courierimapuiddb, courierimapsubscribed, courierimapkeywords; roles from folder names", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yubin-maildir-courier-"));
    try {
      await mailbox(dir);
      await mailbox(join(dir, ".Sent"));
      await mailbox(join(dir, ".Old.2019"));
      await writeFile(join(dir, ".Sent", "courierimapuiddb"), "1 777 12\n11 1600000000.1.host\n");
      await put(join(dir, ".Sent", "cur", "1600000000.1.host:2,S"), msg("sent"));
      await writeFile(join(dir, "courierimapsubscribed"), "INBOX.Sent\n");
      await mkdir(join(dir, ".Sent", "courierimapkeywords"));
      await writeFile(join(dir, ".Sent", "courierimapkeywords", ":list"), "$Label1\n\n1600000000.1.host:0\n");
      const fs = await folders(dir);
      assert.deepEqual([...fs.keys()], ["INBOX", "Old/2019", "Sent"]);
      const sent = fs.get("Sent")!;
      assert.deepEqual(
        [sent.uidValidity, sent.uidNext, sent.specialUse, sent.subscribed],
        [777, 12, "\\Sent", true],
      );
      assert.equal(fs.get("Old/2019")!.subscribed, false);
      assert.equal(fs.get("INBOX")!.uidValidity, undefined); // no uidlist: new UIDs
      assert.deepEqual(
        (await all(sent)).map((m) => ("failed" in m ? m.reason : [m.uid, m.flags])),
        [[11, ["\\Seen", "$Label1"]]],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a path that is not a Maildir is a MaildirError naming it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yubin-maildir-none-"));
    try {
      await assert.rejects(openMaildirSource(dir), (e: unknown) => {
        assert.ok(e instanceof MaildirError);
        assert.match(e.message, /not a Maildir/);
        return true;
      });
      await assert.rejects(openMaildirSource(join(dir, "missing")), /no such directory/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test("through the engine: UIDs kept, unlisted files after them, failures listed, re-run adds nothing", async () => {
  const srv = await startTestServer({ users: [{ address: "ann@example.test", password: "pw" }] });
  const dir = await mkdtemp(join(tmpdir(), "yubin-maildir-engine-"));
  try {
    await mailbox(dir);
    await writeFile(join(dir, "dovecot-uidlist"), "3 V99 N30\n10 :1700000001.a\n20 :1700000002.b\n");
    await put(join(dir, "cur", "1700000001.a:2,S"), msg("a"));
    await put(join(dir, "cur", "1700000002.b:2,F"), msg("b"));
    await put(join(dir, "new", "1700000003.c"), msg("c"));
    await writeFile(join(dir, "new", "1700000004.empty"), "");
    const id = srv.users[0]!.id;
    const src = await openMaildirSource(dir);
    const sum = await runImport(srv.store, id, src);
    assert.deepEqual([sum.imported, sum.failed, sum.keptUids], [3, 1, 1]);
    assert.deepEqual(sum.failures, [
      { folder: "INBOX", label: join(dir, "new", "1700000004.empty"), reason: "empty file" },
    ]);
    const inbox = (await srv.store.mail.getMailbox(id, "INBOX"))!;
    assert.equal(inbox.uidValidity, 99);
    const list = await srv.store.mail.listMessages(inbox.id);
    assert.deepEqual(
      list.map((m) => [m.uid, m.flags]),
      [
        [10, ["\\Seen"]],
        [20, ["\\Flagged"]],
        [21, []],
      ],
    );
    assert.equal((await srv.store.mail.getMailbox(id, "INBOX"))!.uidNext, 30);
    const again = await runImport(srv.store, id, await openMaildirSource(dir));
    assert.deepEqual([again.imported, again.failed], [0, 0]);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await srv.stop();
  }
});
