// The import engine against a real SQLite store and an in-memory source: kept UIDs, resume after
// an error without duplicates, incremental runs, a renumbered source, quota before anything is
// filed and from a batch, failures with reasons, the folder filter, and memory bounded by the
// batch whatever the source's size.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite/index.js";
import type { ImportedMessage } from "../store/types.js";
import { cursorKey, ImportQuotaError, runImport } from "./engine.js";
import type { ImportProgress, ImportSource, SourceFailure, SourceFolder, SourceMessage } from "./types.js";

type Item = Omit<SourceMessage, "position" | "label"> | { failed: true; reason: string };

function body(n: number, pad = 0): Buffer {
  // Bare LF, as on disk: the engine makes it CRLF.
  return Buffer.from(
    `From: a@example.org\nSubject: m${n}\nMessage-ID: <m${n}@example.org>\n\nbody ${n}\n${"x".repeat(pad)}\n`,
  );
}

const message = (n: number, extra: Partial<SourceMessage> = {}): Item => ({
  body: body(n),
  flags: [],
  internalDate: new Date(Date.UTC(2021, 5, 1, 0, 0, n)),
  ...extra,
});

/** A folder over a list (read at iteration time, so a test can grow it between runs); position
 *  is the index after the item. `throwAt`: the iterator throws when reaching that index. */
function folder(
  name: string,
  items: Item[],
  extra: Partial<SourceFolder> & { throwAt?: number } = {},
): SourceFolder {
  const { throwAt, ...rest } = extra;
  return {
    name,
    specialUse: null,
    ...rest,
    async *messages(after: string | null) {
      for (let i = after === null ? 0 : Number(after); i < items.length; i++) {
        if (i === throwAt) throw new Error("connection lost");
        const it = items[i]!;
        const position = String(i + 1);
        if ("failed" in it)
          yield { failed: true, label: `#${i}`, reason: it.reason, position } as SourceFailure;
        else yield { ...it, position, label: `#${i}` };
      }
    },
  };
}

function source(id: string, folders: SourceFolder[]): ImportSource {
  return {
    id,
    async *folders() {
      yield* folders;
    },
    async close() {},
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("import engine", () => {
  let dir: string;
  let store: SqliteStore;
  let n = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "yubin-import-"));
    store = await openSqliteStore({ dataDir: dir, notifier: new LocalNotifier() });
    await store.directory.addDomain("example.com");
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const newAccount = (quota: { quotaBytes?: number; quotaMessages?: number } = {}) =>
    store.directory.createAccount({ address: `u${++n}@example.com`, passwordHash: "x", ...quota });
  const uidsOf = async (accountId: number, name: string) => {
    const box = await store.mail.getMailbox(accountId, name);
    return box ? (await store.mail.listMessages(box.id)).map((m) => m.uid) : [];
  };
  const subjectsOf = async (accountId: number, name: string) => {
    const box = await store.mail.getMailbox(accountId, name);
    if (!box) return [];
    const out: string[] = [];
    for (const m of await store.mail.listMessages(box.id)) {
      out.push((await store.mail.getMessageById(m.id))?.structure.envelope.subject ?? "");
    }
    return out;
  };

  test("kept UIDVALIDITY, UIDs and UIDNEXT; flags, dates and CRLF bodies", async () => {
    const a = await newAccount();
    const items = [
      message(1, { uid: 3, flags: ["\\Seen", "$label1"] }),
      message(2, { uid: 7 }),
      message(3, { uid: 9, flags: ["\\Flagged"] }),
    ];
    const s = await runImport(
      store,
      a.id,
      source("t:kept", [folder("INBOX", items, { uidValidity: 777, uidNext: 50 })]),
    );
    assert.deepEqual(
      { imported: s.imported, keptUids: s.keptUids, folders: s.folders, failed: s.failed },
      { imported: 3, keptUids: 1, folders: 1, failed: 0 },
    );
    const box = (await store.mail.getMailbox(a.id, "INBOX"))!;
    assert.equal(box.uidValidity, 777);
    assert.equal(box.uidNext, 50);
    const list = await store.mail.listMessages(box.id);
    assert.deepEqual(
      list.map((m) => [m.uid, [...m.flags].sort(), m.internalDate.getTime()]),
      [
        [3, ["$label1", "\\Seen"], Date.UTC(2021, 5, 1, 0, 0, 1)],
        [7, [], Date.UTC(2021, 5, 1, 0, 0, 2)],
        [9, ["\\Flagged"], Date.UTC(2021, 5, 1, 0, 0, 3)],
      ],
    );
    const raw = await store.mail.readBody(list[0]!.blobId);
    assert.equal(raw.toString(), body(1).toString().replace(/\n/g, "\r\n"));
  });

  test("flags the store cannot keep are dropped, an unreadable date replaced: the message is filed", async () => {
    const a = await newAccount();
    const items = [
      message(1, { flags: ["\\Seen", "\\Recent", "\\Important", "a b", "", "$ok"] }),
      message(2, { internalDate: new Date(Number.NaN), uid: 2 ** 33 }),
    ];
    const s = await runImport(store, a.id, source("t:odd", [folder("Odd", items, { uidValidity: 31 })]));
    assert.deepEqual([s.imported, s.failed], [2, 0]);
    const list = await store.mail.listMessages((await store.mail.getMailbox(a.id, "Odd"))!.id);
    assert.deepEqual(
      list.map((m) => [m.uid, [...m.flags].sort()]),
      [
        [1, ["$ok", "\\Seen"]],
        [2, []],
      ],
    );
    assert.ok(Math.abs(list[1]!.internalDate.getTime() - Date.now()) < 60_000);
  });

  test("a UID taken meanwhile by new mail: later messages take the next ones instead", async () => {
    const a = await newAccount();
    const items = [message(1, { uid: 1 }), message(2, { uid: 2 })];
    const src = source("t:taken", [folder("INBOX", items, { uidValidity: 900 })]);
    await runImport(store, a.id, src);
    await store.mail.deliver(body(99), [{ accountId: a.id }]); // takes UID 3
    items.push(message(3, { uid: 3 }), message(4, { uid: 10 }));
    const s = await runImport(store, a.id, src);
    assert.equal(s.imported, 2);
    assert.deepEqual(await uidsOf(a.id, "INBOX"), [1, 2, 3, 4, 10]);
  });

  test("an error mid-folder: the re-run continues after the last filed batch, no duplicates", async () => {
    const a = await newAccount();
    const items = range(1, 250).map((i) => message(i));
    const broken = source("t:resume", [folder("Old", items, { throwAt: 130 })]);
    await assert.rejects(runImport(store, a.id, broken, { batchMessages: 50 }), /connection lost/);
    const filed = (await uidsOf(a.id, "Old")).length;
    assert.equal(filed, 100, "the two whole batches before the error, their cursor with them");
    const cursor = JSON.parse((await store.imports.cursor(a.id, cursorKey("t:resume", "Old")))!);
    assert.deepEqual(cursor, { uidValidity: null, position: "100" });
    const s = await runImport(store, a.id, source("t:resume", [folder("Old", items)]), { batchMessages: 50 });
    assert.equal(s.imported, 150);
    const subjects = await subjectsOf(a.id, "Old");
    assert.deepEqual(
      subjects,
      range(1, 250).map((i) => `m${i}`),
    );
  });

  test("incremental: a later run files only what arrived since; a renumbered source is read again with dedupe", async () => {
    const a = await newAccount();
    const items = range(1, 10).map((i) => message(i, { uid: i }));
    const src = (v: number) => source("t:incr", [folder("INBOX", items, { uidValidity: v })]);
    assert.equal((await runImport(store, a.id, src(5))).imported, 10);
    items.push(...range(11, 15).map((i) => message(i, { uid: i })));
    const second = await runImport(store, a.id, src(5));
    assert.deepEqual([second.imported, second.duplicates], [5, 0]);
    assert.equal((await runImport(store, a.id, src(5))).imported, 0);
    // The old server renumbered (UIDVALIDITY changed): everything is read again, nothing doubled.
    items.push(message(16, { uid: 16 }));
    const third = await runImport(store, a.id, src(6));
    assert.deepEqual([third.imported, third.duplicates, third.keptUids], [1, 15, 0]);
    assert.deepEqual(await uidsOf(a.id, "INBOX"), range(1, 16));
  });

  test("dedupe on request: mail the account already holds is skipped and counted", async () => {
    const a = await newAccount();
    await store.mail.deliver(Buffer.from(body(1).toString().replace(/\n/g, "\r\n")), [{ accountId: a.id }]);
    const items = [message(1), message(2), message(2)];
    const s = await runImport(store, a.id, source("t:dedupe", [folder("Archive/Old", items)]), {
      dedupe: true,
    });
    assert.deepEqual([s.imported, s.duplicates], [1, 2]);
    assert.equal(s.bytes, body(2).toString().replace(/\n/g, "\r\n").length, "duplicates are not counted");
  });

  test("quota up front from the folders' sizes: a clear error and nothing filed", async () => {
    const a = await newAccount({ quotaMessages: 25 });
    const items = range(1, 20).map((i) => message(i));
    const src = source("t:quota", [
      folder("INBOX", items, { count: 20, bytes: 20 * 100 }),
      folder("Sent", items, { count: 20, bytes: 20 * 100 }),
    ]);
    await assert.rejects(runImport(store, a.id, src), (e: unknown) => {
      assert.ok(e instanceof ImportQuotaError);
      assert.match(
        e.message,
        /needs 40 messages but the account has room for 25 of its 25; nothing was imported/,
      );
      assert.equal(e.summary.imported, 0);
      return true;
    });
    assert.equal((await store.mail.quotaUsage(a.id)).messages, 0);
    const b = await newAccount({ quotaBytes: 1000 });
    await assert.rejects(
      runImport(store, b.id, source("t:quota", [folder("INBOX", items, { bytes: 2 * 1024 * 1024 })])),
      /import needs 2\.0 MiB but the account has 0\.0 MiB free/,
    );
  });

  test("quota from a batch when the source could not tell sizes: stops, that batch not filed", async () => {
    const a = await newAccount({ quotaMessages: 120 });
    const items = range(1, 300).map((i) => message(i));
    await assert.rejects(
      runImport(store, a.id, source("t:quota2", [folder("INBOX", items)]), { batchMessages: 50 }),
      (e: unknown) => {
        assert.ok(e instanceof ImportQuotaError);
        assert.match(e.message, /the next 50 messages of INBOX would take the account over its quota/);
        assert.equal(e.summary.imported, 100);
        return true;
      },
    );
    assert.equal((await uidsOf(a.id, "INBOX")).length, 100);
  });

  test("failures are listed with reasons (bounded), counted, and passed over by the cursor", async () => {
    const a = await newAccount();
    const items: Item[] = [
      message(1),
      { failed: true, reason: "unreadable file" },
      { ...(message(2) as SourceMessage), body: Buffer.alloc(0) },
      { ...(message(3) as SourceMessage), body: body(3, 5000) },
      message(4),
      { failed: true, reason: "another" },
    ];
    const src = source("t:fail", [folder("INBOX", items)]);
    const s = await runImport(store, a.id, src, { maxMessageBytes: 4000, maxFailures: 3 });
    assert.equal(s.imported, 2);
    assert.equal(s.failed, 4);
    assert.deepEqual(
      s.failures.map((f) => [f.folder, f.label, f.reason.replace(/\b\d+ octets/, "N octets")]),
      [
        ["INBOX", "#1", "unreadable file"],
        ["INBOX", "#2", "empty message"],
        ["INBOX", "#3", "N octets, larger than the 4000 allowed"],
      ],
    );
    // The trailing failure moved the cursor too: a re-run reads nothing again.
    const again = await runImport(store, a.id, src);
    assert.deepEqual([again.imported, again.failed], [0, 0]);
  });

  test("a folder whose name the store refuses is a failure; the other folders are imported", async () => {
    const a = await newAccount();
    const src = source("t:badname", [
      folder("Bad*Name", [message(1), message(2)], { count: 2 }),
      folder("Good", [message(3)]),
    ]);
    const s = await runImport(store, a.id, src);
    assert.deepEqual([s.imported, s.failed, s.folders], [1, 2, 1]);
    assert.deepEqual(
      s.failures.map((f) => [f.folder, f.label]),
      [["Bad*Name", "the whole folder"]],
    );
    assert.match(s.failures[0]!.reason, /invalid mailbox name/);
  });

  test("--folder: only the named folders (INBOX in any case); progress reports totals", async () => {
    const a = await newAccount();
    const seen: ImportProgress[] = [];
    const src = source("t:filter", [
      folder("INBOX", [message(1), message(2)], { count: 2 }),
      folder("Junk", [message(3)], { count: 1, specialUse: "\\Junk" }),
      folder("Work/Projects", [message(4)], { count: 1 }),
    ]);
    const s = await runImport(store, a.id, src, {
      folders: ["inbox", "Work/Projects"],
      onProgress: (p) => seen.push(p),
    });
    assert.deepEqual([s.folders, s.imported], [2, 3]);
    assert.equal((await uidsOf(a.id, "Junk")).length, 0);
    assert.equal((await uidsOf(a.id, "Work/Projects")).length, 1);
    const last = seen.at(-1)!;
    assert.deepEqual([last.done, last.total, last.folder], [3, 3, "Work/Projects"]);
  });

  test("memory: at most one batch filed and one read ahead, whatever the source's size", async () => {
    const a = await newAccount();
    const batchMessages = 100;
    let yielded = 0;
    let filed = 0;
    let worst = 0;
    const counting = {
      mail: store.mail,
      imports: {
        ...store.imports,
        async importBatch(...args: Parameters<typeof store.imports.importBatch>) {
          const r = await store.imports.importBatch(...args);
          filed += (args[2] as ImportedMessage[]).length;
          return r;
        },
      },
    };
    const big: SourceFolder = {
      name: "INBOX",
      specialUse: null,
      async *messages() {
        for (let i = 1; i <= 3000; i++) {
          worst = Math.max(worst, yielded - filed);
          yielded++;
          yield { ...(message(i) as SourceMessage), position: String(i), label: `#${i}` };
        }
      },
    };
    const s = await runImport(counting, a.id, source("t:mem", [big]), { batchMessages });
    assert.equal(s.imported, 3000);
    assert.ok(worst <= 2 * batchMessages, `messages held at once: ${worst}`);
  });

  test("memory: 20,000 messages of 10 KiB (200 MB) through a heap that does not grow with them", async (t) => {
    const a = await newAccount();
    const total = 20_000;
    const pad = "y".repeat(10 * 1024);
    let peak = 0;
    const m0 = process.memoryUsage();
    const base = m0.heapUsed + m0.arrayBuffers;
    const big: SourceFolder = {
      name: "INBOX",
      specialUse: null,
      count: total,
      async *messages() {
        for (let i = 1; i <= total; i++) {
          yield {
            body: Buffer.from(
              `Subject: big ${i}\r\nMessage-ID: <big${i}@example.org>\r\n\r\n${i}\r\n${pad}\r\n`,
            ),
            flags: [],
            internalDate: new Date(),
            position: String(i),
            label: `#${i}`,
          };
        }
      },
    };
    const s = await runImport(store, a.id, source("t:big", [big]), {
      onProgress: () => {
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base);
      },
    });
    assert.equal(s.imported, total);
    assert.ok(s.bytes > 200_000_000);
    t.diagnostic(`heap + buffers grew by at most ${Math.round(peak / 1024 / 1024)} MB`);
    // Two batches of 200 x 10 KiB are 4 MB; the whole import is 200 MB.
    assert.ok(peak < 100 * 1024 * 1024, `heap and buffers grew by ${Math.round(peak / 1024 / 1024)} MB`);
  });
});
