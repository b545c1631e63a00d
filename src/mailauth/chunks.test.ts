import assert from "node:assert/strict";
import { test } from "node:test";
import { inChunks } from "./chunks.js";

test("inChunks: slices of at most the chunk size that add up to the body", async () => {
  const body = Buffer.alloc(200_000, 7);
  body.write("From: a@a.test\r\n", 0);
  const parts: Buffer[] = [];
  for await (const p of inChunks(body, 65536)) parts.push(p as Buffer);
  assert.deepEqual(
    parts.map((p) => p.length),
    [65536, 65536, 65536, 3392],
  );
  assert.ok(Buffer.concat(parts).equals(body));
  const none: Buffer[] = [];
  for await (const p of inChunks(Buffer.alloc(0))) none.push(p as Buffer);
  assert.equal(none.length, 0);
});
