import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { Writable } from "node:stream";
import { type TestContext, test } from "node:test";
import { lineSink, MAX_PENDING_BYTES, surviveLostReader } from "./output-sink.js";

/** Resolves on 'close' (events.once would reject on the 'error' event the test expects). */
const closed = (s: NodeJS.EventEmitter) => new Promise<void>((res) => s.once("close", () => res()));

/** The stdin pipe of a child running `code` (then idling a minute), once the child has said so on
 *  stdout; the child is killed when the test ends. */
async function childStdin(t: TestContext, code: string): Promise<Writable> {
  const child = spawn(process.execPath, ["-e", `${code}; setTimeout(() => {}, 60000)`], {
    stdio: ["pipe", "pipe", "ignore"],
  });
  const exited = once(child, "exit");
  t.after(async () => {
    child.kill("SIGKILL");
    await exited;
  });
  await once(child.stdout!, "data");
  return child.stdin!;
}

test("a pipe whose reader died: lines are dropped, no error escapes, later lines skip the write", async (t) => {
  // A real pipe: a child closes its end of its stdin and says so, so ours has no reader (EPIPE).
  const stream = await childStdin(t, "require('fs').closeSync(0); console.log('closed')");
  let writes = 0;
  const write = stream.write.bind(stream);
  stream.write = ((...a: Parameters<typeof write>) => {
    writes++;
    return write(...a);
  }) as typeof stream.write;
  const line = lineSink(stream);
  const state = surviveLostReader(stream);
  line("first");
  // The failure is reported after the write returns; 'close' comes after 'error'.
  await closed(stream);
  assert.equal(state.gone, true);
  assert.ok(state.errors >= 1);
  const before = writes;
  for (let i = 0; i < 100; i++) line(`more ${i}`);
  assert.equal(writes, before, "nothing is written once the reader is gone");
});

test("one listener and one state per stream, whoever asks", () => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const a = surviveLostReader(sink);
  const b = surviveLostReader(sink);
  assert.equal(a, b);
  assert.equal(sink.listenerCount("error"), 1);
});

test("an error that does not mean the reader is gone drops that line only", async () => {
  let calls = 0;
  const sink = new Writable({
    write: (_c, _e, cb) => {
      calls++;
      cb(Object.assign(new Error("no space left"), { code: "ENOSPC" }));
    },
  });
  const line = lineSink(sink);
  const state = surviveLostReader(sink);
  line("x");
  await closed(sink);
  assert.equal(state.errors, 1);
  assert.equal(state.gone, false);
  assert.equal(calls, 1);
});

test("a stream that throws on write never throws out of the sink", () => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  sink.write = () => {
    throw new Error("write after end");
  };
  const line = lineSink(sink);
  assert.doesNotThrow(() => line("x"));
  assert.equal(surviveLostReader(sink).gone, true);
});

test("a reader alive but not reading: pending output stops at MAX_PENDING_BYTES, lines dropped", async (t) => {
  // A real pipe whose reader never reads: the kernel's buffer fills, then Node holds the rest.
  const stream = await childStdin(t, "console.log('up')");
  const line = lineSink(stream);
  const state = surviveLostReader(stream);
  const text = "x".repeat(1000);
  // 3 MiB of lines: three times the bound, far more than any pipe buffer holds.
  for (let i = 0; i < 3 * 1024; i++) line(text);
  assert.ok(stream.writableLength <= MAX_PENDING_BYTES + text.length + 1, `${stream.writableLength} pending`);
  assert.ok(state.dropped > 0, "some lines were dropped");
  assert.equal(state.gone, false);
});

test("a reader that lagged and caught up is told, once, how many lines it missed", async () => {
  // A Writable whose reader takes nothing until released: what it holds is its writableLength.
  const held: (() => void)[] = [];
  const got: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      // Long lines as their length, so a failure prints something readable.
      got.push(chunk.length > 100 ? `<${chunk.length}>` : chunk.toString());
      held.push(done);
    },
  });
  // The reader catches up: every held write completes (each completion lets the next one in).
  const drain = async () => {
    while (held.length > 0 || sink.writableLength > 0) {
      while (held.length > 0) held.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  const line = lineSink(sink, (n) => `missed ${n}`);
  const text = "y".repeat(64 * 1024);
  for (let i = 0; i < 20; i++) line(text); // 1.25 MiB: the last lines are over the bound
  const dropped = surviveLostReader(sink).dropped;
  assert.ok(dropped > 0 && dropped < 20, `${dropped} dropped`);
  await drain();
  line("after");
  line("again");
  await drain();
  assert.deepEqual(got.slice(-3), [`missed ${dropped}\n`, "after\n", "again\n"]);
  assert.equal(got.length, 20 - dropped + 3);
});
