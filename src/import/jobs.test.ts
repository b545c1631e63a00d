// Background imports (the admin pages' runner): one per account, at most maxRunning at once, the
// summary kept when a job ends, a source that cannot be opened a failed job with its reason, and
// stop() ending a running import at its next message with what was filed kept.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite/index.js";
import { type ImportJobError, type ImportJobSpec, ImportJobs } from "./jobs.js";
import type { ImportSource, SourceMessage } from "./types.js";

/** A one-folder source of `count` messages; each waits for `gate()` before it is handed over. */
function source(count: number, gate: () => Promise<void> = async () => {}): ImportSource {
  return {
    id: `test:${count}`,
    async close() {},
    async *folders() {
      yield {
        name: "INBOX",
        specialUse: null,
        count,
        async *messages(after): AsyncIterable<SourceMessage> {
          for (let i = after === null ? 0 : Number(after) + 1; i < count; i++) {
            await gate();
            yield {
              body: Buffer.from(`Subject: m${i}\r\nMessage-ID: <m${i}@x>\r\n\r\nbody ${i}\r\n`),
              flags: i % 2 ? ["\\Seen"] : [],
              internalDate: new Date(Date.UTC(2024, 0, 1 + i)),
              position: String(i),
              label: `m${i}`,
            };
          }
        },
      };
    },
  };
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 3000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10)); // 30 s at least: a loaded CI
  assert.ok(cond(), what);
};

describe("ImportJobs", () => {
  let dir: string;
  let store: SqliteStore;
  let ann: number;
  let ben: number;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "yubin-jobs-"));
    store = await openSqliteStore({ dataDir: dir, notifier: new LocalNotifier() });
    await store.directory.addDomain("example.test");
    ann = (await store.directory.createAccount({ address: "ann@example.test", passwordHash: "x" })).id;
    ben = (await store.directory.createAccount({ address: "ben@example.test", passwordHash: "x" })).id;
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const spec = (accountId: number, src: () => Promise<ImportSource>): ImportJobSpec => ({
    accountId,
    address: accountId === ann ? "ann@example.test" : "ben@example.test",
    kind: "maildir",
    label: "test",
    startedBy: "admin@example.test",
    dedupe: false,
    open: src,
  });

  test("runs in the background to its summary; one per account; at most maxRunning", async () => {
    const jobs = new ImportJobs({ store, maxRunning: 1, keepFinished: 2 });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const job = jobs.start(spec(ann, async () => source(5, () => held)));
    assert.equal(job.state, "running");
    assert.throws(
      () => jobs.start(spec(ann, async () => source(1))),
      (e: ImportJobError) => e.code === "account-busy",
    );
    assert.throws(
      () => jobs.start(spec(ben, async () => source(1))),
      (e: ImportJobError) => e.code === "too-many",
    );
    release();
    await until(() => job.state !== "running", "the job ends");
    assert.equal(job.state, "done");
    assert.equal(job.summary?.imported, 5);
    assert.equal(job.progress?.done, 5);
    const inbox = (await store.mail.getMailbox(ann, "INBOX"))!;
    assert.equal((await store.mail.listMessages(inbox.id)).length, 5);
    // Now ben's may start; a source that cannot be opened fails with its reason.
    const bad = jobs.start(
      spec(ben, async () => {
        throw new Error("connection refused");
      }),
    );
    await until(() => bad.state !== "running", "the failing job ends");
    assert.equal(bad.state, "failed");
    assert.equal(bad.error, "connection refused");
    assert.deepEqual(
      jobs.list().map((j) => j.id),
      [bad.id, job.id],
    );
  });

  test("stop() ends a running import at its next message; a new run continues after it", async () => {
    const jobs = new ImportJobs({ store, maxRunning: 2, keepFinished: 10 });
    let n = 0;
    const job = jobs.start(
      spec(ben, async () =>
        source(1000, async () => {
          // Slow enough that stop() comes while it runs.
          if (++n > 300) await new Promise((r) => setTimeout(r, 20));
        }),
      ),
    );
    await until(() => (job.progress?.done ?? 0) >= 200, "some batches filed");
    await jobs.stop();
    assert.equal(job.state, "stopped");
    assert.match(job.error ?? "", /stopping/);
    assert.throws(
      () => jobs.start(spec(ann, async () => source(1))),
      (e: ImportJobError) => e.code === "stopping",
    );
    const inbox = (await store.mail.getMailbox(ben, "INBOX"))!;
    const filed = (await store.mail.listMessages(inbox.id)).length;
    assert.ok(filed >= 200 && filed < 1000, `${filed} filed before the stop`);
    // The same source again (the engine's cursor): only the rest, no duplicates.
    const again = new ImportJobs({ store, maxRunning: 1, keepFinished: 10 });
    const rest = again.start(spec(ben, async () => source(1000)));
    await until(() => rest.state !== "running", "the second run ends");
    assert.equal(rest.state, "done", rest.error ?? "");
    assert.equal((await store.mail.listMessages(inbox.id)).length, 1000);
  });
});
