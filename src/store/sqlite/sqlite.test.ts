import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { runStoreContract, sampleMessage } from "../contract.js";
import { StoreError } from "../errors.js";
import { LocalNotifier, type MailEvent } from "../notifier.js";
import type { Store } from "../types.js";
import { crashBody } from "./crash-body.js";
import { DATABASE_FILE, openSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./index.js";
import { migrations } from "./schema.js";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "yubin-store-"));
}

function contractOpener(extra: Partial<SqliteStoreOptions>) {
  return async () => {
    const dataDir = tempDir();
    const notifier = new LocalNotifier();
    const opts = { dataDir, notifier, ...extra };
    let current: Store = await openSqliteStore(opts);
    return {
      store: current,
      notifier,
      async reopen() {
        await current.close();
        current = await openSqliteStore(opts);
        return current;
      },
      async cleanup() {
        await current.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  };
}

runStoreContract("sqlite", contractOpener({}));
// Also with a flag cache of 4 messages: most mailboxes are read from SQL, small ones cached and evicted.
runStoreContract(
  "sqlite, every body a file, small batches, tiny flag cache",
  contractOpener({ inlineMaxBytes: 0, groupCommitMaxBatch: 3, flagCacheMessages: 4 }),
);

/** A read-only look at the database behind a store, to check what the contract cannot see. */
function peek<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function blobFiles(dataDir: string): string[] {
  const root = join(dataDir, "blobs");
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((sub) => readdirSync(join(root, sub)).map((f) => `${sub}/${f}`));
}

async function setup(extra: Partial<SqliteStoreOptions> = {}) {
  const dataDir = tempDir();
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), ...extra });
  await store.directory.addDomain("example.com");
  const accounts = [];
  for (const name of ["a", "b", "c"]) {
    accounts.push(await store.directory.createAccount({ address: `${name}@example.com`, passwordHash: "h" }));
  }
  return {
    dataDir,
    store,
    accounts,
    async done() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe("sqlite store", () => {
  test("WAL with synchronous=FULL, schema at the latest version", async () => {
    const s = await setup();
    try {
      peek(s.dataDir, (db) => {
        assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
        assert.equal(db.pragma("user_version", { simple: true }), migrations.length);
      });
      // synchronous is per connection: check it on a connection opened the same way.
      const { openDatabase } = await import("./db.js");
      const db = openDatabase({ path: join(s.dataDir, "other.sqlite") });
      assert.equal(db.pragma("synchronous", { simple: true }), 2);
      db.close();
    } finally {
      await s.done();
    }
  });

  test("a database from a newer version is refused", async () => {
    const dataDir = tempDir();
    try {
      const db = new Database(join(dataDir, DATABASE_FILE));
      db.pragma(`user_version = ${migrations.length + 1}`);
      db.close();
      await assert.rejects(openSqliteStore({ dataDir, notifier: new LocalNotifier() }), StoreError);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  for (const mode of ["inline", "file"] as const) {
    test(`a body delivered to 3 accounts is stored once (${mode}) and freed with its last copy`, async () => {
      const s = await setup(mode === "file" ? { inlineMaxBytes: 100 } : {});
      try {
        const body = Buffer.concat([sampleMessage("dedup"), Buffer.alloc(mode === "file" ? 5000 : 10, "z")]);
        const copies = await s.store.mail.deliver(
          body,
          s.accounts.map((a) => ({ accountId: a.id })),
        );
        const count = () =>
          peek(s.dataDir, (db) => ({
            blobs: (db.prepare("SELECT count(*) AS n FROM blobs").get() as { n: number }).n,
            data: (db.prepare("SELECT count(*) AS n FROM blob_data").get() as { n: number }).n,
            refcount: (db.prepare("SELECT refcount FROM blobs").get() as { refcount: number } | undefined)
              ?.refcount,
          }));
        assert.deepEqual(count(), { blobs: 1, data: mode === "inline" ? 1 : 0, refcount: 3 });
        assert.equal(blobFiles(s.dataDir).length, mode === "file" ? 1 : 0);
        for (const c of copies.slice(0, 2)) await s.store.mail.expunge(c.mailboxId, [c.uid]);
        assert.deepEqual(count(), { blobs: 1, data: mode === "inline" ? 1 : 0, refcount: 1 });
        assert.equal(blobFiles(s.dataDir).length, mode === "file" ? 1 : 0);
        const last = await s.store.mail.getMessageById(copies[2]!.messageId);
        assert.deepEqual(await s.store.mail.readBody(last!.meta.blobId), body);
        await s.store.mail.expunge(copies[2]!.mailboxId, [copies[2]!.uid]);
        assert.deepEqual(count(), { blobs: 0, data: 0, refcount: undefined });
        assert.deepEqual(blobFiles(s.dataDir), []);
        peek(s.dataDir, (db) =>
          assert.equal((db.prepare("SELECT count(*) AS n FROM blob_trash").get() as { n: number }).n, 0),
        );
      } finally {
        await s.done();
      }
    });
  }

  test("concurrent deliveries are group-committed in few transactions", async () => {
    const s = await setup();
    try {
      const store = s.store as SqliteStore;
      const before = { ...store.stats };
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          store.mail.deliver(sampleMessage(i), [{ accountId: s.accounts[0]!.id }]),
        ),
      );
      const batches = store.stats.batches - before.batches;
      assert.equal(store.stats.jobs - before.jobs, 100);
      assert.ok(batches <= 5, `100 concurrent deliveries took ${batches} commits`);
    } finally {
      await s.done();
    }
  });

  test("listFlags sees flag changes and expunges written by another process", async () => {
    const s = await setup();
    try {
      const m = s.store.mail;
      const inbox = (await m.getMailbox(s.accounts[0]!.id, "INBOX"))!;
      for (let i = 0; i < 4; i++) await m.append(s.accounts[0]!.id, inbox.id, { body: sampleMessage(i) });
      assert.deepEqual(
        (await m.listFlags(inbox.id)).map((x) => x.flags),
        [[], [], [], []],
      );
      // Another connection to the file, as a second Yubin process would write: a flag change on
      // UID 2 and an expunge of UID 3, each with a mod-sequence above the mailbox's.
      const other = new Database(join(s.dataDir, DATABASE_FILE));
      try {
        other.transaction(() => {
          const hi = (
            other.prepare("SELECT highest_modseq AS h FROM mailboxes WHERE id = ?").get(inbox.id) as {
              h: number;
            }
          ).h;
          other
            .prepare("UPDATE messages SET sys_flags = 1, modseq = ? WHERE mailbox_id = ? AND uid = 2")
            .run(hi + 1, inbox.id);
          const gone = other
            .prepare("SELECT id FROM messages WHERE mailbox_id = ? AND uid = 3")
            .get(inbox.id) as { id: number };
          other.prepare("DELETE FROM messages WHERE id = ?").run(gone.id);
          other
            .prepare("INSERT INTO expunged (mailbox_id, uid, modseq, message_id) VALUES (?, 3, ?, ?)")
            .run(inbox.id, hi + 2, gone.id);
          other.prepare("UPDATE mailboxes SET highest_modseq = ? WHERE id = ?").run(hi + 2, inbox.id);
        })();
      } finally {
        other.close();
      }
      const after = await m.listFlags(inbox.id);
      assert.deepEqual(
        after.map((x) => [x.uid, x.flags]),
        [
          [1, []],
          [2, ["\\Seen"]],
          [4, []],
        ],
      );
      assert.deepEqual(
        after,
        (await m.listMessages(inbox.id)).map((x) => ({ uid: x.uid, modseq: x.modseq, flags: x.flags })),
      );
    } finally {
      await s.done();
    }
  });

  test("this process's STORE, APPEND and EXPUNGE update the flag copy itself, and it stays exact", async () => {
    const s = await setup();
    try {
      const m = s.store.mail;
      const inbox = (await m.getMailbox(s.accounts[0]!.id, "INBOX"))!;
      for (let i = 0; i < 4; i++) await m.append(s.accounts[0]!.id, inbox.id, { body: sampleMessage(i) });
      await m.listFlags(inbox.id); // the copy, current
      const exact = async () =>
        assert.deepEqual(
          await m.listFlags(inbox.id),
          (await m.listMessages(inbox.id)).map((x) => ({ uid: x.uid, modseq: x.modseq, flags: x.flags })),
        );
      await m.setFlags(inbox.id, [2], { mode: "add", flags: ["\\Flagged", "$Work"] });
      await exact();
      await m.append(s.accounts[0]!.id, inbox.id, { body: sampleMessage(9), flags: ["\\Seen", "$New"] });
      await exact();
      await m.setFlags(inbox.id, [3], { mode: "add", flags: ["\\Deleted"] });
      await m.expunge(inbox.id, [3]);
      await exact();
      await m.deliver(sampleMessage(10), [{ accountId: s.accounts[0]!.id }]);
      await exact();
      // Now a row changed behind the store's back without a new MODSEQ (no Yubin write does
      // this): a copy brought up to date by reading the rows changed since its MODSEQ would read
      // it, one updated in memory by the write itself does not.
      await m.setFlags(inbox.id, [1], { mode: "add", flags: ["\\Answered"] });
      const other = new Database(join(s.dataDir, DATABASE_FILE));
      try {
        other
          .prepare("UPDATE messages SET keywords = 'behind' WHERE mailbox_id = ? AND uid = 1")
          .run(inbox.id);
      } finally {
        other.close();
      }
      const one = (await m.listFlags(inbox.id)).find((x) => x.uid === 1)!;
      assert.deepEqual(one.flags, ["\\Answered"]);
    } finally {
      await s.done();
    }
  });

  test("groupCommitMaxBatch bounds a batch", async () => {
    const s = await setup({ groupCommitMaxBatch: 10 });
    try {
      const store = s.store as SqliteStore;
      const before = store.stats.batches;
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.mail.deliver(sampleMessage(i), [{ accountId: s.accounts[0]!.id }]),
        ),
      );
      assert.ok(store.stats.batches - before >= 5);
    } finally {
      await s.done();
    }
  });

  test("flag, expunge, copy and mailbox writes share the group commit, in order, failing alone", async () => {
    const notifier = new LocalNotifier();
    const s = await setup({ notifier });
    try {
      const store = s.store as SqliteStore;
      const acc = s.accounts[0]!.id;
      const inbox = (await store.mail.getMailbox(acc, "INBOX"))!;
      const seen: string[] = [];
      const listener = {
        onMailEvent: (e: MailEvent) => seen.push(`${e.kind}:${"modseq" in e ? e.modseq : ""}`),
      };
      notifier.subscribe(acc, listener);
      const before = { ...store.stats };
      const m0 = inbox.highestModseq;
      // Submitted together, none awaited: one batch, run in submission order.
      const appended = store.mail.append(acc, inbox.id, { body: sampleMessage(1) });
      const flagged = store.mail.setFlags(inbox.id, [inbox.uidNext], { mode: "add", flags: ["\\Flagged"] });
      // An unknown mailbox fails alone (its savepoint), the rest of the batch commits.
      const bad = assert.rejects(
        store.mail.setFlags(inbox.id + 1000, [1], { mode: "add", flags: ["\\Seen"] }),
        (err: unknown) => err instanceof StoreError && err.code === "not-found",
      );
      const created = store.mail.createMailbox(acc, "Projects/2026");
      const expunged = store.mail.expunge(inbox.id, [inbox.uidNext]);
      const [a, f, e] = await Promise.all([appended, flagged, expunged]);
      await bad;
      const box = await created;
      assert.equal(store.stats.batches - before.batches, 1);
      assert.equal(store.stats.jobs - before.jobs, 5);
      assert.equal(a.uid, inbox.uidNext);
      assert.deepEqual(f, {
        updated: [{ uid: a.uid, flags: ["\\Flagged"], modseq: m0 + 2, messageId: a.messageId }],
        failedUnchangedSince: [],
      });
      assert.deepEqual(e, [a.uid]);
      assert.equal(box.name, "Projects/2026");
      // Events were published after the commit and before the callers resumed, in order.
      assert.deepEqual(seen, [
        `added:${m0 + 1}`,
        `flags:${m0 + 2}`,
        "mailbox-created:",
        "mailbox-created:",
        `expunged:${m0 + 3}`,
      ]);
      // Durable and visible to another connection once resolved.
      peek(s.dataDir, (db) => {
        const r = db.prepare("SELECT highest_modseq AS m FROM mailboxes WHERE id = ?").get(inbox.id) as {
          m: number;
        };
        assert.equal(r.m, m0 + 3);
        const n = db.prepare("SELECT count(*) AS n FROM mailboxes WHERE account_id = ?").get(acc) as {
          n: number;
        };
        assert.ok(n.n >= 3);
      });
      // COPY after an awaited APPEND sees it; MOVE is grouped too.
      const b = await store.mail.append(acc, inbox.id, { body: sampleMessage(2) });
      const [c, mv] = await Promise.all([
        store.mail.copy(inbox.id, [b.uid], box.id),
        store.mail.move(inbox.id, [b.uid], box.id),
      ]);
      assert.deepEqual(c.mapping, [{ from: b.uid, to: 1 }]);
      assert.deepEqual(mv.mapping, [{ from: b.uid, to: 2 }]);
      assert.deepEqual(
        (await store.mail.listMessages(box.id)).map((m) => m.uid),
        [1, 2],
      );
      notifier.unsubscribe(acc, listener);
    } finally {
      await s.done();
    }
  });

  test("orphan and temporary blob files are removed at open; referenced ones kept", async () => {
    const s = await setup({ inlineMaxBytes: 10 });
    const body = sampleMessage("kept");
    await s.store.mail.deliver(body, [{ accountId: s.accounts[0]!.id }]);
    await s.store.close();
    const [kept] = blobFiles(s.dataDir);
    assert.ok(kept);
    mkdirSync(join(s.dataDir, "blobs", "ab"), { recursive: true });
    writeFileSync(join(s.dataDir, "blobs", "ab", "ab".padEnd(64, "0")), "half a mess");
    writeFileSync(join(s.dataDir, "blobs", kept.slice(0, 2), `${kept.slice(3)}.tmp-123456`), "partial");
    const reopened = await openSqliteStore({
      dataDir: s.dataDir,
      notifier: new LocalNotifier(),
      inlineMaxBytes: 10,
    });
    try {
      assert.deepEqual(blobFiles(s.dataDir), [kept]);
      const inbox = await reopened.mail.getMailbox(s.accounts[0]!.id, "INBOX");
      const [msg] = await reopened.mail.listMessages(inbox!.id);
      assert.deepEqual(await reopened.mail.readBody(msg!.blobId), body);
    } finally {
      await reopened.close();
      rmSync(s.dataDir, { recursive: true, force: true });
    }
  });

  test("a parser that throws still stores the message, with a minimal structure", async () => {
    const s = await setup({
      parse: () => {
        throw new Error("parser bug");
      },
    });
    try {
      const body = sampleMessage("p");
      const [c] = await s.store.mail.deliver(body, [{ accountId: s.accounts[0]!.id }]);
      const got = await s.store.mail.getMessageById(c!.messageId);
      assert.equal(got?.structure.root.type, "text");
      assert.equal(got?.structure.root.bodyEnd, body.length);
      assert.equal(body.subarray(got!.structure.root.bodyStart).toString(), "Body of message p.\r\n");
    } finally {
      await s.done();
    }
  });

  test("a closed store refuses calls; close() flushes pending deliveries first", async () => {
    const s = await setup();
    const pending = s.store.mail.deliver(sampleMessage(1), [{ accountId: s.accounts[0]!.id }]);
    await s.store.close();
    assert.equal((await pending)[0]!.uid, 1);
    await assert.rejects(s.store.mail.listMailboxes(s.accounts[0]!.id), StoreError);
    await assert.rejects(s.store.mail.deliver(sampleMessage(2), [{ accountId: 1 }]), StoreError);
    rmSync(s.dataDir, { recursive: true, force: true });
  });

  test("SIGKILL mid-write: every acknowledged message is intact, nothing half-written, orphans cleaned", async () => {
    const s = await setup({ inlineMaxBytes: 1000 });
    const accountId = s.accounts[0]!.id;
    await s.store.close();
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("./crash-child.ts", import.meta.url)),
        s.dataDir,
        String(accountId),
        "1000",
        "100000",
        "20000",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const acked = new Set<number>();
    let buf = "";
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("child produced too few deliveries in time")), 30_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        buf += chunk.toString();
        let nl = buf.indexOf("\n");
        while (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith("ok ")) acked.add(Number(line.slice(3)));
          nl = buf.indexOf("\n");
        }
        if (acked.size >= 150) {
          clearTimeout(timer);
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.on("exit", () => {
        clearTimeout(timer);
        if (acked.size < 150) reject(new Error(`child exited early after ${acked.size} deliveries`));
      });
    });
    await exited;
    const store = await openSqliteStore({
      dataDir: s.dataDir,
      notifier: new LocalNotifier(),
      inlineMaxBytes: 1000,
    });
    try {
      const inbox = await store.mail.getMailbox(accountId, "INBOX");
      const list = await store.mail.listMessages(inbox!.id);
      const present = new Map<number, (typeof list)[number]>();
      for (const meta of list) {
        const parsed = await store.mail.getMessageById(meta.id);
        const n = Number(/crash (\d+)/.exec(parsed!.structure.envelope.subject ?? "")?.[1]);
        assert.ok(Number.isInteger(n), "every visible message is a whole one with its structure");
        const body = await store.mail.readBody(meta.blobId);
        assert.deepEqual(body, crashBody(n), `message ${n} is intact`);
        assert.equal(meta.size, body.length);
        present.set(n, meta);
      }
      for (const n of acked) assert.ok(present.has(n), `acknowledged message ${n} survived`);
      const uids = list.map((m) => m.uid);
      assert.deepEqual(
        uids,
        [...new Set(uids)].sort((x, y) => x - y),
      );
      const fileHashes = peek(s.dataDir, (db) =>
        (db.prepare("SELECT hash FROM blobs WHERE inline = 0").all() as { hash: string }[])
          .map((r) => r.hash)
          .sort(),
      );
      assert.deepEqual(
        blobFiles(s.dataDir)
          .map((f) => f.slice(3))
          .sort(),
        fileHashes,
        "blob files are exactly the referenced ones",
      );
      const c = await store.mail.deliver(sampleMessage("after"), [{ accountId }]);
      assert.ok(c[0]!.uid > Math.max(0, ...uids));
    } finally {
      await store.close();
      rmSync(s.dataDir, { recursive: true, force: true });
    }
  });
});
