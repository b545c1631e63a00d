// A 50 MB mbox imported with bounded memory: the file is never read whole, and a message over
// the size limit (here 24 MB of it) is skipped without being held. Asserts on memory, not time.
import assert from "node:assert/strict";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { LocalNotifier } from "../../store/notifier.js";
import { openSqliteStore } from "../../store/sqlite/index.js";
import { runImport } from "../engine.js";
import { openMboxSource } from "./source.js";

const MB = 1024 * 1024;

// Samples measure what is held, not garbage not yet collected (64 KB read chunks of a 24 MB
// message are all garbage, but V8 may keep them until it feels like collecting): a full GC
// before each sample. The runner does not pass --expose-gc, so the flag is set here.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function writeMbox(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  const put = (s: string) =>
    new Promise<void>((resolve) => {
      if (out.write(s)) resolve();
      else out.once("drain", resolve);
    });
  const line = `${"z".repeat(998)}\n`;
  await put("From giant@x Thu Nov 24 18:22:48 1986\nSubject: giant\n\n");
  for (let i = 0; i < 24 * 1024; i++) await put(line);
  await put("\n");
  const body = `${"q".repeat(76)}\n`.repeat(130); // ~10 KB
  for (let i = 0; i < count; i++) {
    await put(
      `From s${i}@x Thu Nov 24 18:22:48 1986\nSubject: m${i}\nMessage-ID: <${i}@x>\n\n${i}\n${body}\n`,
    );
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

test("a 50 MB mbox (one 24 MB message over the limit) imports with heap and buffers bounded", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "yubin-mbox-mem-"));
  const store = await openSqliteStore({ dataDir: join(dir, "data"), notifier: new LocalNotifier() });
  try {
    const file = join(dir, "big.mbox");
    await writeMbox(file, 2900);
    const size = (await stat(file)).size;
    assert.ok(size > 50 * MB, String(size));
    await store.directory.addDomain("example.com");
    const a = await store.directory.createAccount({ address: "ann@example.com", passwordHash: "x" });
    gc();
    const m0 = process.memoryUsage();
    const base = m0.heapUsed + m0.arrayBuffers;
    let peak = 0;
    const sample = () => {
      gc();
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base);
    };
    const timer = setInterval(sample, 100);
    let s: Awaited<ReturnType<typeof runImport>>;
    try {
      s = await runImport(
        store,
        a.id,
        await openMboxSource(file, { maxMessageBytes: MB, chunkBytes: 64 * 1024 }),
        {
          maxMessageBytes: MB,
          onProgress: sample,
        },
      );
    } finally {
      clearInterval(timer);
    }
    assert.equal(s.imported, 2900);
    assert.equal(s.failed, 1);
    assert.match(s.failures[0]!.reason, /larger than the 1048576 allowed/);
    t.diagnostic(
      `file ${Math.round(size / MB)} MB; heap + buffers grew by at most ${Math.round(peak / MB)} MB`,
    );
    // Reading the file whole would hold 50 MB, the giant message 24 MB; a batch of 200 messages
    // of 10 KB is 2 MB, two of them (one filed, one read) 4 MB.
    assert.ok(peak < 18 * MB, `heap and buffers grew by ${Math.round(peak / MB)} MB`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
