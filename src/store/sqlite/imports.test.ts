// SQLite's side of imports beyond the contract: a kill -9 mid-import leaves each batch and its
// resume cursor together or neither (so a re-run neither skips nor doubles mail), and imported
// bodies reach the full-text index like delivered ones.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { LocalNotifier } from "../notifier.js";
import { crashBody } from "./crash-body.js";
import { CRASH_BATCH, CRASH_CURSOR_KEY } from "./imports-crash-child.js";
import { openSqliteStore } from "./index.js";

const open = (dataDir: string) =>
  openSqliteStore({ dataDir, notifier: new LocalNotifier(), inlineMaxBytes: 1000 });

test("SIGKILL mid-import: every batch is there with its cursor, or neither", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "yubin-import-crash-"));
  try {
    let store = await open(dataDir);
    await store.directory.addDomain("example.com");
    const a = await store.directory.createAccount({ address: "a@example.com", passwordHash: "h" });
    const { mailbox } = await store.imports.importMailbox(a.id, "INBOX", {
      specialUse: null,
      uidValidity: 4242,
    });
    await store.close();
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("./imports-crash-child.ts", import.meta.url)),
        dataDir,
        String(a.id),
        String(mailbox.id),
        "100000",
        "30000",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let acked = -1;
    let buf = "";
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("child filed too few batches in time")), 60_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        buf += chunk.toString();
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith("ok ")) acked = Number(line.slice(3));
        }
        if (acked >= 8) {
          clearTimeout(timer);
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.on("exit", () => {
        clearTimeout(timer);
        if (acked < 8) reject(new Error(`child exited early after ${acked + 1} batches`));
      });
    });
    await exited;
    store = await open(dataDir);
    try {
      const cursor = Number(await store.imports.cursor(a.id, CRASH_CURSOR_KEY));
      assert.ok(cursor >= acked, `acknowledged batch ${acked} is recorded (cursor ${cursor})`);
      const list = await store.mail.listMessages(mailbox.id);
      assert.equal(list.length, (cursor + 1) * CRASH_BATCH, "exactly the batches up to the cursor");
      for (const [i, m] of list.entries()) {
        assert.equal(m.uid, 10 + i * 2, "kept UIDs");
        assert.deepEqual(await store.mail.readBody(m.blobId), crashBody(i), `message ${i} is whole`);
      }
      const box = await store.mail.getMailboxById(mailbox.id);
      assert.equal(box?.uidValidity, 4242);
      assert.equal(box?.uidNext, list.at(-1)!.uid + 1);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("imported bodies are indexed for search like delivered ones", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "yubin-import-fts-"));
  const store = await open(dataDir);
  try {
    await store.directory.addDomain("example.com");
    const a = await store.directory.createAccount({ address: "a@example.com", passwordHash: "h" });
    const { mailbox } = await store.imports.importMailbox(a.id, "Old", { specialUse: null });
    const body = (w: string) => Buffer.from(`Subject: ${w}\r\n\r\nthe ${w} flew by\r\n`);
    await store.imports.importBatch(a.id, mailbox.id, [
      { body: body("kingfisher"), flags: [], internalDate: new Date() },
      { body: body("nightjar"), flags: [], internalDate: new Date() },
    ]);
    await store.fullText.catchUp();
    assert.deepEqual(await store.mail.searchText({ mailboxId: mailbox.id }, "body", "nightjar"), [2]);
    assert.deepEqual(await store.mail.searchText({ accountId: a.id }, "text", "kingfisher"), [
      (await store.mail.getMessage(mailbox.id, 1))!.meta.id,
    ]);
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
