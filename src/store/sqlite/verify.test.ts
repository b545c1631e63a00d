// yubin verify's checks (verify.ts) find each kind of damage made by hand: a byte flipped in a
// body file and in a body kept in the database, a missing body file, a wrong reference count, a
// wrong quota total, a UIDNEXT and a HIGHESTMODSEQ behind the messages; --repair fixes the
// counters and leaves the bodies reported; a healthy store (and one the server has open) passes.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { LocalNotifier } from "../notifier.js";
import { hashBody } from "../shared/body-hash.js";
import { DATABASE_FILE, openSqliteStore } from "./index.js";
import { type VerifyProblem, verifySqliteStore } from "./verify.js";

const INLINE_MAX = 512;

function body(n: number, big: boolean): Buffer {
  return Buffer.from(
    `From: a@example.org\r\nSubject: m${n}\r\nMessage-ID: <m${n}@verify.test>\r\n\r\n${big ? "y".repeat(2000) : "short"} ${n}\r\n`,
  );
}

function sql(dataDir: string, text: string): void {
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    db.exec(text);
  } finally {
    db.close();
  }
}

const kinds = (ps: VerifyProblem[]) => ps.map((p) => p.kind).sort();

describe("sqlite verify", () => {
  test("finds corrupt, missing and miscounted state; --repair fixes what it can", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "yubin-verify-"));
    try {
      const store = await openSqliteStore({
        dataDir,
        notifier: new LocalNotifier(),
        inlineMaxBytes: INLINE_MAX,
      });
      await store.directory.addDomain("example.org");
      const a = await store.directory.createAccount({ address: "v@example.org", passwordHash: "h" });
      const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
      const bodies = Array.from({ length: 8 }, (_, n) => body(n, n < 4));
      for (const b of bodies) await store.mail.deliver(b, [{ accountId: a.id }]);
      // While the store is open (as while the server runs): read-only checks pass.
      const healthy = await verifySqliteStore({ dataDir });
      assert.deepEqual(healthy.problems, []);
      assert.equal(healthy.checked.blobs, 8);
      assert.equal(healthy.checked.messages, 8);
      await assert.rejects(verifySqliteStore({ dataDir, repair: true }), /stop it before --repair/);
      await store.close();

      const fileOf = (b: Buffer) => {
        const h = hashBody(b);
        return { h, path: join(dataDir, "blobs", h.slice(0, 2), h) };
      };
      // A byte flipped in a body file, another file gone.
      const flipped = fileOf(bodies[0]!);
      const data = readFileSync(flipped.path);
      const at = data.length - 3;
      data[at] = data[at]! ^ 0x01;
      writeFileSync(flipped.path, data);
      const gone = fileOf(bodies[1]!);
      unlinkSync(gone.path);
      // A byte flipped in a body kept in the database; counters made wrong.
      const inline = hashBody(bodies[5]!);
      sql(
        dataDir,
        `UPDATE blob_data SET data = CAST(replace(CAST(data AS TEXT), 'short', 'shOrt') AS BLOB)
           WHERE blob_id = (SELECT id FROM blobs WHERE hash = '${inline}');
         UPDATE blobs SET refcount = refcount + 2 WHERE hash = '${hashBody(bodies[6]!)}';
         UPDATE accounts SET used_bytes = used_bytes + 7, used_messages = used_messages - 1;
         UPDATE mailboxes SET uid_next = 5, highest_modseq = 2 WHERE id = ${inbox.id};`,
      );

      const found = await verifySqliteStore({ dataDir });
      assert.deepEqual(kinds(found.problems), [
        "body-corrupt",
        "body-corrupt",
        "body-missing",
        "highest-modseq",
        "quota",
        "refcount",
        "uid-next",
      ]);
      const missing = found.problems.find((p) => p.kind === "body-missing")!;
      assert.equal(missing.kind === "body-missing" && missing.hash, gone.h);
      assert.deepEqual(missing.kind === "body-missing" && missing.messages, [
        { account: "v@example.org", mailbox: "INBOX", uid: 2 },
      ]);
      const corrupt = found.problems.filter((p) => p.kind === "body-corrupt");
      assert.deepEqual(
        corrupt.map((p) => p.kind === "body-corrupt" && [p.hash, p.inline]).sort(),
        [
          [flipped.h, false],
          [inline, true],
        ].sort(),
      );
      const quota = found.problems.find((p) => p.kind === "quota")!;
      assert.ok(quota.kind === "quota" && quota.recordedBytes === quota.actualBytes + 7);
      assert.ok(quota.kind === "quota" && quota.actualMessages === 8);

      // A file no row names (as a crash between file and commit leaves): counted, not a problem.
      const strayHash = "ab".repeat(32);
      const stray = join(dataDir, "blobs", "ab", strayHash);
      mkdirSync(join(dataDir, "blobs", "ab"), { recursive: true });
      writeFileSync(stray, "stray");
      assert.equal((await verifySqliteStore({ dataDir })).orphanFiles, 1);
      const repaired = await verifySqliteStore({ dataDir, repair: true });
      assert.equal(repaired.repaired, 4);
      assert.equal(existsSync(stray), false, "repair removes it");
      const after = await verifySqliteStore({ dataDir });
      assert.deepEqual(kinds(after.problems), ["body-corrupt", "body-corrupt", "body-missing"]);

      // The store opens on the repaired data and goes on from the raised UIDNEXT.
      const again = await openSqliteStore({
        dataDir,
        notifier: new LocalNotifier(),
        inlineMaxBytes: INLINE_MAX,
      });
      try {
        const [copy] = await again.mail.deliver(body(99, false), [{ accountId: a.id }]);
        assert.equal(copy!.uid, 9);
        assert.equal((await again.mail.quotaUsage(a.id)).messages, 9);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("a refcount above zero with no users drops the body and its file on repair", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "yubin-verify-"));
    try {
      const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), inlineMaxBytes: 0 });
      await store.directory.addDomain("example.org");
      const a = await store.directory.createAccount({ address: "v@example.org", passwordHash: "h" });
      await store.mail.deliver(body(1, false), [{ accountId: a.id }]);
      await store.close();
      const h = hashBody(body(1, false));
      // The message row goes without its trigger (as a crash of a buggy version might leave it).
      sql(dataDir, "DROP TRIGGER messages_del; DELETE FROM messages;");
      const found = await verifySqliteStore({ dataDir });
      assert.deepEqual(kinds(found.problems), ["quota", "refcount"]);
      await verifySqliteStore({ dataDir, repair: true });
      assert.deepEqual((await verifySqliteStore({ dataDir })).problems, []);
      assert.throws(() => readFileSync(join(dataDir, "blobs", h.slice(0, 2), h)), { code: "ENOENT" });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
