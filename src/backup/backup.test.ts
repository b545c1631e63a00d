// Backup → restore → a server started on the restored data directory shows IMAP clients the same
// messages (bytes), UIDs, UIDVALIDITY, flags, keywords, internal dates and MODSEQ; a second
// backup into the same directory (or a new one --since the first) brings only the new bodies.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { backupInstallation, blobPath, listBlobFiles } from "./backup.js";
import { readManifest } from "./manifest.js";
import { restoreInstallation } from "./restore.js";
import { imapState, message } from "./test-state.js";

const INLINE_MAX = 1024;

// SQLite's backup (VACUUM INTO and body files); PostgreSQL's is postgres.test.ts.
const skip =
  process.env.YUBIN_TEST_BACKEND === "postgres"
    ? "the SQLite store's backup (postgres.test.ts is PostgreSQL's)"
    : false;

describe("backup and restore", { skip }, () => {
  let server: TestServer;
  let work: string;
  const since = new Date("2024-03-05T06:07:08Z");

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "yubin-backup-"));
    server = await startTestServer({ config: { storage: { inlineMaxBytes: INLINE_MAX } } });
    const alice = server.users[0]!.id;
    const store = server.store.mail;
    const inbox = (await store.getMailbox(alice, "INBOX"))!;
    const archive = (await store.getMailbox(alice, "Archive"))!;
    for (let n = 0; n < 12; n++) {
      const box = n % 3 === 0 ? archive : inbox;
      await store.append(alice, box.id, {
        body: message(n, n % 2 === 0),
        flags: n % 4 === 0 ? ["\\Seen", "$Label1"] : [],
        internalDate: new Date(since.getTime() + n * 3_600_000),
      });
    }
    // Later changes, so UIDs have a gap and MODSEQs differ from message to message.
    await store.setFlags(inbox.id, [2, 3], { mode: "add", flags: ["\\Flagged", "project-x"] });
    await store.expunge(inbox.id, [1]);
    await store.setFlags(archive.id, [1], { mode: "replace", flags: ["\\Answered"] });
  });
  after(async () => {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test("a server on the restored data directory shows the same mailboxes to IMAP", async () => {
    const dest = join(work, "full");
    const s = await backupInstallation({ dataDir: server.dataDir, dest });
    assert.equal(s.mode, "full");
    assert.equal(s.missingBodies.length, 0);
    assert.equal(s.counts.messages, 11);
    assert.equal(s.bodies.total, 6, "the big bodies are files");
    assert.ok(s.files > 0, "the TLS certificate and keys of the data directory");
    // Modes: the owner's alone.
    const m = await readManifest(dest);
    for (const p of [dest, join(dest, "blobs"), join(dest, m.run)])
      assert.equal((await stat(p)).mode & 0o777, 0o700, p);
    for (const p of [
      join(dest, "manifest.json"),
      join(dest, m.database.file),
      ...m.files.map((f) => join(dest, f.path)),
    ])
      assert.equal((await stat(p)).mode & 0o777, 0o600, p);

    const before = await imapState(server);
    assert.ok(
      before.INBOX!.messages.every((x) => /^\d+$/.test(x.modseq)),
      "CONDSTORE MODSEQs compared",
    );
    assert.match(before.INBOX!.highestModseq, /^\d+$/);
    const restoredDir = join(work, "restored");
    const r = await restoreInstallation({ from: dest, dataDir: restoredDir });
    assert.equal(r.bodies.total, 6);
    assert.deepEqual(r.warnings, []);
    for (const f of m.files) {
      const rel = f.path.slice(`${m.run}/files/`.length);
      assert.deepEqual(
        await readFile(join(restoredDir, rel)),
        await readFile(join(server.dataDir, rel)),
        rel,
      );
    }
    const restored = await startTestServer({ dataDir: restoredDir, domains: [], users: [] });
    try {
      const after = await imapState(restored);
      assert.deepEqual(Object.keys(after).sort(), ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"]);
      assert.equal(after.INBOX!.messages.length, 7);
      assert.ok(after.INBOX!.messages.some((x) => x.flags.includes("project-x")));
      assert.deepEqual(after, before);
    } finally {
      await restored.stop();
    }
  });

  test("restore refuses a data directory that is not empty, and a damaged backup", async () => {
    const dest = join(work, "refuse");
    await backupInstallation({ dataDir: server.dataDir, dest });
    await assert.rejects(restoreInstallation({ from: dest, dataDir: server.dataDir }), /not empty/);
    const m = await readManifest(dest);
    const manifestPath = join(dest, "manifest.json");
    const original = await readFile(manifestPath, "utf8");
    const edited = async (change: (x: typeof m) => void) => {
      const copy = JSON.parse(original) as typeof m;
      change(copy);
      await writeFile(manifestPath, JSON.stringify(copy));
    };
    await edited((x) => {
      x.schemaVersion = 9999;
    });
    await assert.rejects(
      restoreInstallation({ from: dest, dataDir: join(work, "n1") }),
      /newer than this program/,
    );
    await edited((x) => {
      x.database.sha256 = "0".repeat(64);
    });
    await assert.rejects(
      restoreInstallation({ from: dest, dataDir: join(work, "n2") }),
      /does not match its hash/,
    );
    await edited((x) => {
      x.files[0]!.path = `${x.run}/files/../../../etc/passwd`;
    });
    await assert.rejects(restoreInstallation({ from: dest, dataDir: join(work, "n3") }), /bad file path/);
    await writeFile(manifestPath, original);
    const [hash] = await listBlobFiles(join(dest, "blobs"));
    const file = blobPath(join(dest, "blobs"), hash!);
    // Unlinked, not rewritten: the backup's body files may be the server's own (hard links).
    await rm(file);
    const target = join(work, "never");
    await assert.rejects(restoreInstallation({ from: dest, dataDir: target }), /lacks 1 body files/);
    await assert.rejects(stat(target), { code: "ENOENT" }, "nothing left behind");
    assert.ok(m.counts.fileBlobs > 0);
  });

  test("a second backup brings only the new bodies; --since links the rest from the previous one", async () => {
    const dest = join(work, "incremental");
    const first = await backupInstallation({ dataDir: server.dataDir, dest });
    const alice = server.users[0]!.id;
    const inbox = (await server.store.mail.getMailbox(alice, "INBOX"))!;
    await server.store.mail.append(alice, inbox.id, { body: message(100, true) });
    await server.store.mail.append(alice, inbox.id, { body: message(101, true) });
    await server.store.mail.append(alice, inbox.id, { body: message(102, false) });

    const second = await backupInstallation({ dataDir: server.dataDir, dest });
    assert.equal(second.mode, "same-dir");
    assert.equal(second.bodies.kept, first.bodies.total);
    assert.equal(second.bodies.linked + second.bodies.copied, 2, "only the two new body files");
    assert.equal(second.bodies.total, first.bodies.total + 2);
    assert.equal(second.counts.messages, first.counts.messages + 3);
    // The first run's database is gone, the manifest names the second's.
    const m = await readManifest(dest);
    assert.equal((await listBlobFiles(join(dest, "blobs"))).length, m.counts.fileBlobs);

    await server.store.mail.append(alice, inbox.id, { body: message(103, true) });
    const next = join(work, "next");
    const third = await backupInstallation({ dataDir: server.dataDir, dest: next, since: dest });
    assert.equal(third.mode, "since");
    assert.equal(third.bodies.fromPrevious, second.bodies.total);
    assert.equal(third.bodies.linked + third.bodies.copied, 1);
    const restored = await restoreInstallation({ from: next, dataDir: join(work, "from-next") });
    assert.equal(restored.bodies.total, second.bodies.total + 1);
  });

  test("a body deleted between snapshot and link: the snapshot is taken again; a body gone for good is listed", async () => {
    const alice = server.users[0]!.id;
    const inbox = (await server.store.mail.getMailbox(alice, "INBOX"))!;
    let uid = 0;
    const raced = await backupInstallation({
      dataDir: server.dataDir,
      dest: join(work, "raced"),
      hooks: {
        // Delivered after the first pass linked the files, so only the snapshot names it...
        beforeSnapshot: async (attempt) => {
          if (attempt === 1)
            uid = (await server.store.mail.append(alice, inbox.id, { body: message(200, true) })).uid;
        },
        // ...and expunged (its file unlinked by the server) before the backup links it.
        afterSnapshot: async (attempt) => {
          if (attempt === 1) assert.deepEqual(await server.store.mail.expunge(inbox.id, [uid]), [uid]);
        },
      },
    });
    assert.equal(raced.database.attempts, 2);
    assert.deepEqual(raced.missingBodies, []);
    const r = await restoreInstallation({ from: join(work, "raced"), dataDir: join(work, "raced-restored") });
    assert.equal(r.manifest.counts.messages, raced.counts.messages);

    // A file missing from the data directory itself is damage: three snapshots, then listed.
    const lost = await server.store.mail.append(alice, inbox.id, { body: message(201, true) });
    const hash = (await server.store.mail.listMessages(inbox.id, { minUid: lost.uid })).at(0)!.blobId;
    await rm(blobPath(join(server.dataDir, "blobs"), hash));
    try {
      const damaged = await backupInstallation({ dataDir: server.dataDir, dest: join(work, "damaged") });
      assert.equal(damaged.database.attempts, 3);
      assert.deepEqual(damaged.missingBodies, [hash]);
      assert.deepEqual((await readManifest(join(work, "damaged"))).missingBodies, [hash]);
      await assert.rejects(
        restoreInstallation({ from: join(work, "damaged"), dataDir: join(work, "never2") }),
        /lacks 1 message bodies/,
      );
    } finally {
      await server.store.mail.expunge(inbox.id, [lost.uid]);
    }
  });
});
