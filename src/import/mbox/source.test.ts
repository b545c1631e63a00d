import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { LocalNotifier } from "../../store/notifier.js";
import { openSqliteStore } from "../../store/sqlite/index.js";
import type { Store } from "../../store/types.js";
import { runImport } from "../engine.js";
import type { SourceFailure, SourceMessage } from "../types.js";
import { openMboxSource } from "./source.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "yubin-mbox-src-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const msg = (from: string, subject: string, extra = "", body = "hello") =>
  `From ${from} Thu Nov 24 18:22:48 1986\nFrom: ${from}\nSubject: ${subject}\n${extra}\n${body}\n\n`;

async function all(src: Awaited<ReturnType<typeof openMboxSource>>) {
  const out: {
    name: string;
    specialUse: string | null;
    bytes?: number;
    items: (SourceMessage | SourceFailure)[];
  }[] = [];
  for await (const f of src.folders()) {
    const items: (SourceMessage | SourceFailure)[] = [];
    for await (const m of f.messages(null)) items.push(m);
    out.push({
      name: f.name,
      specialUse: f.specialUse,
      ...(f.bytes !== undefined ? { bytes: f.bytes } : {}),
      items,
    });
  }
  return out;
}

test("a Thunderbird profile directory: Inbox, Sent, Folder.sbd/Sub, .msf files and other files ignored", async () => {
  const root = join(dir, "tb");
  await mkdir(join(root, "Work.sbd", "Deep.sbd"), { recursive: true });
  await mkdir(join(root, "Inbox.mozmsgs"), { recursive: true });
  await writeFile(
    join(root, "Inbox"),
    msg("a@x", "one", "X-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n") + msg("b@x", "two"),
  );
  await writeFile(join(root, "Inbox.msf"), '// <!-- <mdb:mork:z v="1.4"/> -->');
  await writeFile(join(root, "Sent"), msg("me@x", "sent", "X-Mozilla-Status: 0003\n"));
  await writeFile(join(root, "Templates"), "");
  await writeFile(join(root, "Work"), msg("c@x", "work"));
  await writeFile(join(root, "Work.sbd", "Projects"), msg("d@x", "proj", "X-Mozilla-Keys: $label1 todo\n"));
  await writeFile(join(root, "Work.sbd", "Deep.sbd", "Er"), "");
  await mkdir(join(root, "Inbox.sbd"));
  await writeFile(join(root, "Inbox.sbd", "Lists"), msg("l@x", "list"));
  await writeFile(join(root, "msgFilterRules.dat"), 'version="9"');
  await writeFile(join(root, "popstate.dat"), "# POP3 State File");
  await writeFile(join(root, "notes"), "not an mbox\n");
  const src = await openMboxSource(root, { maxMessageBytes: 1 << 20 });
  const got = await all(src);
  assert.deepEqual(
    got.map((f) => [f.name, f.specialUse, f.items.length]),
    [
      ["INBOX", null, 2],
      ["INBOX/Lists", null, 1],
      ["Sent", "\\Sent", 1],
      ["Templates", null, 0],
      ["Work", null, 1],
      ["Work/Deep/Er", null, 0],
      ["Work/Projects", null, 1],
    ],
  );
  const inbox = got[0]!.items as SourceMessage[];
  assert.deepEqual(inbox[0]!.flags, ["\\Seen"]);
  assert.equal(inbox[0]!.body.toString(), "From: a@x\r\nSubject: one\r\n\r\nhello\r\n");
  assert.equal(inbox[0]!.internalDate.toISOString(), "1986-11-24T18:22:48.000Z");
  assert.equal(inbox[0]!.label, "Inbox offset 0");
  assert.deepEqual((got[2]!.items[0] as SourceMessage).flags, ["\\Seen", "\\Answered"]);
  assert.deepEqual((got[6]!.items[0] as SourceMessage).flags, ["$label1", "todo"]);
  assert.equal(
    got[0]!.bytes,
    Buffer.byteLength(
      msg("a@x", "one", "X-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n") + msg("b@x", "two"),
    ),
  );
});

test("a single file: INBOX for 'mbox', its name otherwise, --folder's name when given; a non-mbox file is refused", async () => {
  const f = join(dir, "mbox");
  await writeFile(f, msg("a@x", "one"));
  assert.equal((await all(await openMboxSource(f, { maxMessageBytes: 1000 })))[0]!.name, "INBOX");
  const g = join(dir, "Lists.mbox");
  await writeFile(g, msg("a@x", "one"));
  assert.equal((await all(await openMboxSource(g, { maxMessageBytes: 1000 })))[0]!.name, "Lists");
  assert.equal(
    (await all(await openMboxSource(g, { maxMessageBytes: 1000, folder: "Old/Lists" })))[0]!.name,
    "Old/Lists",
  );
  const bad = join(dir, "notmbox.txt");
  await writeFile(bad, "hello\n");
  await assert.rejects(openMboxSource(bad, { maxMessageBytes: 1000 }), /not an mbox file/);
  await assert.rejects(
    openMboxSource(join(dir, "missing"), { maxMessageBytes: 1000 }),
    /cannot read .*ENOENT/,
  );
});

test("positions are byte offsets: reading after one continues with the next message", async () => {
  const f = join(dir, "resume");
  await writeFile(f, msg("a@x", "one") + msg("b@x", "two") + msg("c@x", "three"));
  const src = await openMboxSource(f, { maxMessageBytes: 1000 });
  for await (const folder of src.folders()) {
    const first: SourceMessage[] = [];
    for await (const m of folder.messages(null)) first.push(m as SourceMessage);
    const rest: SourceMessage[] = [];
    for await (const m of folder.messages(first[0]!.position)) rest.push(m as SourceMessage);
    assert.deepEqual(
      rest.map((m) => m.body.toString()),
      first.slice(1).map((m) => m.body.toString()),
    );
    const none: unknown[] = [];
    for await (const m of folder.messages(first[2]!.position)) none.push(m);
    assert.equal(none.length, 0);
  }
});

test("into a store: failures listed with reasons, a re-run imports nothing twice, the Date field when the From_ line has no date", async () => {
  const data = await mkdtemp(join(tmpdir(), "yubin-mbox-store-"));
  const store: Store = await openSqliteStore({ dataDir: data, notifier: new LocalNotifier() });
  try {
    await store.directory.addDomain("example.com");
    const a = await store.directory.createAccount({ address: "ann@example.com", passwordHash: "x" });
    const f = join(dir, "Archive");
    const big = `From big@x Thu Nov 24 18:22:48 1986\nSubject: big\n\n${"x".repeat(3000)}\n\n`;
    const nodate = "From weird-sender\nDate: Tue, 3 Feb 2015 04:05:06 +0100\nSubject: nodate\n\nhi\n\n";
    await writeFile(
      f,
      msg("a@x", "one", "Status: RO\nX-Status: F\n") +
        big +
        nodate +
        "From last@x Thu Nov 24 18:22:48 1986\n",
    );
    const src = await openMboxSource(f, { maxMessageBytes: 2000 });
    const s1 = await runImport(store, a.id, src, {});
    assert.equal(s1.imported, 2);
    assert.equal(s1.failed, 2);
    assert.match(s1.failures[0]!.reason, /larger than the 2000 allowed/);
    assert.equal(
      s1.failures[0]!.label,
      `Archive offset ${msg("a@x", "one", "Status: RO\nX-Status: F\n").length}`,
    );
    assert.match(s1.failures[1]!.reason, /empty message/);
    const mb = (await store.mail.getMailbox(a.id, "Archive"))!;
    assert.equal(mb.specialUse, "\\Archive");
    const list = await store.mail.listMessages(mb.id);
    assert.deepEqual(list[0]!.flags, ["\\Seen", "\\Flagged"]);
    assert.equal(list[1]!.internalDate.toISOString(), "2015-02-03T03:05:06.000Z");
    const s2 = await runImport(store, a.id, await openMboxSource(f, { maxMessageBytes: 2000 }), {});
    assert.equal(s2.imported, 0);
    assert.equal((await store.mail.listMessages(mb.id)).length, 2);
    // Mail appended to the file since is picked up by the next run.
    await writeFile(f, msg("n@x", "new"), { flag: "a" });
    const s3 = await runImport(store, a.id, await openMboxSource(f, { maxMessageBytes: 2000 }), {});
    assert.equal(s3.imported, 1);
  } finally {
    await store.close();
    await rm(data, { recursive: true, force: true });
  }
});

test("a 0-byte file is an empty folder", async () => {
  const f = join(dir, "Empty");
  await writeFile(f, "x");
  await truncate(f, 0);
  const got = await all(await openMboxSource(f, { maxMessageBytes: 1000 }));
  assert.deepEqual(got, [{ name: "Empty", specialUse: null, bytes: 0, items: [] }]);
});

test("a file rewritten since the last run is reported, not read from the middle of a message", async () => {
  const f = join(dir, "rewritten");
  await writeFile(f, msg("a@x", "one, with a subject longer than the next") + msg("b@x", "two"));
  const src = await openMboxSource(f, { maxMessageBytes: 1000 });
  for await (const folder of src.folders()) {
    const first: SourceMessage[] = [];
    for await (const m of folder.messages(null)) first.push(m as SourceMessage);
    // A client compacts the file: the first message goes, the offset now falls inside another.
    await writeFile(f, msg("b@x", "two") + msg("c@x", "three, much longer subject"));
    const rest: (SourceMessage | SourceFailure)[] = [];
    for await (const m of folder.messages(first[0]!.position)) rest.push(m);
    assert.equal(rest.length, 1);
    assert.match((rest[0] as SourceFailure).reason, /the file changed since the last import/);
  }
});

test("a resumed read skips the empty line an MDA writes before appending to a file that lacked it", async () => {
  const f = join(dir, "no-final-blank");
  const first = "From a@x Mon Jan  4 10:00:00 2021\nSubject: one\n\nbody one\n";
  await writeFile(f, first);
  const src = await openMboxSource(f, { maxMessageBytes: 1000 });
  for await (const folder of src.folders()) {
    const got: SourceMessage[] = [];
    for await (const m of folder.messages(null)) got.push(m as SourceMessage);
    assert.equal(got.length, 1);
    await writeFile(f, "\n", { flag: "a" });
    const none: unknown[] = [];
    for await (const m of folder.messages(got[0]!.position)) none.push(m);
    assert.deepEqual(none, []);
    await writeFile(f, "From b@x Mon Jan  4 10:00:01 2021\nSubject: two\n\nbody two\n", { flag: "a" });
    const rest: (SourceMessage | SourceFailure)[] = [];
    for await (const m of folder.messages(got[0]!.position)) rest.push(m);
    assert.equal(rest.length, 1);
    assert.ok(!("failed" in rest[0]!));
    assert.match((rest[0] as SourceMessage).body.toString(), /^Subject: two\r?\n/);
  }
});
