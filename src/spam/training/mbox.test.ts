import assert from "node:assert/strict";
import { test } from "node:test";
import { type MboxItem, readMbox } from "./mbox.js";

async function read(chunks: (string | Buffer)[], maxMessageBytes = 1 << 20): Promise<(string | object)[]> {
  const out: (string | object)[] = [];
  for await (const m of readMbox(chunks, { maxMessageBytes })) out.push(show(m));
  return out;
}
const show = (m: MboxItem) => ("body" in m ? m.body.toString("latin1") : m);

test("messages split on From lines, >From unescaped, CRLF, the blank line before a separator dropped", async () => {
  const mbox =
    "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nhello\n>From the start\n>>From deeper\n\n" +
    "From c@d Mon Jan  1 00:00:00 2024\r\nSubject: two\r\n\r\nbye\r\n\r\n\r\n";
  const want = [
    "Subject: one\r\n\r\nhello\r\nFrom the start\r\n>From deeper\r\n",
    "Subject: two\r\n\r\nbye\r\n\r\n",
  ];
  assert.deepEqual(await read([mbox]), want);
  // Any chunking gives the same messages (lines and separators cut across chunks).
  for (const size of [1, 2, 3, 5, 7, 64]) {
    const chunks: Buffer[] = [];
    const b = Buffer.from(mbox);
    for (let i = 0; i < b.length; i += size) chunks.push(b.subarray(i, i + size));
    assert.deepEqual(await read(chunks), want, `chunks of ${size}`);
  }
});

test("a file without a separator is one message; empty input is none", async () => {
  assert.deepEqual(await read(["Subject: x\n\nbody"]), ["Subject: x\r\n\r\nbody\r\n"]);
  assert.deepEqual(await read([]), []);
  assert.deepEqual(await read(["\n\n"]), []);
});

test("a message over the bound is skipped and reported, also when one line is longer than the bound", async () => {
  const big = "x".repeat(500);
  const mbox = `From a\nSubject: big\n\n${big}\n\nFrom b\nSubject: small\n\nok\n\nFrom c\n${big}${big}`;
  const chunks: string[] = [];
  for (let i = 0; i < mbox.length; i += 97) chunks.push(mbox.slice(i, i + 97));
  assert.deepEqual(await read(chunks, 300), [
    { skipped: "too-large", size: 14 + 2 + 502 },
    "Subject: small\r\n\r\nok\r\n",
    { skipped: "too-large", size: 1002 },
  ]);
});
