// Reports read on their own thread: the same result as on this one, the same typed errors, the
// event loop free meanwhile, and a thread that runs out of heap costs that one report only.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { UnpackError } from "./decompress.js";
import { ReportParseError } from "./errors.js";
import type { ReportPayload } from "./extract.js";
import { readReport } from "./read.js";
import { googleDmarcXml } from "./test-fixtures.js";
import { WorkerReportReader } from "./worker-reader.js";

const D = "example.test";
const limits = { maxDecompressedBytes: 64 * 1024 * 1024, maxRecords: 1_000_000 };
const plain = (xml: string): ReportPayload => ({
  kind: "dmarc",
  packing: "plain",
  data: Buffer.from(xml),
  name: "t.xml",
});

/** A DMARC report with its two records repeated `n` times. */
function bigXml(n: number): string {
  const x = googleDmarcXml(D);
  const i = x.indexOf("<record>");
  const j = x.lastIndexOf("</record>") + "</record>".length;
  return x.slice(0, i) + x.slice(i, j).repeat(n) + x.slice(j);
}

describe("the report reader thread", () => {
  const reader = new WorkerReportReader({ timeoutMs: 120_000, heapMb: 512 });
  after(() => reader.close());

  test("reads a report as this thread would; errors keep their type and reason", async () => {
    const p = plain(googleDmarcXml(D));
    assert.deepEqual(await reader.read(p, limits), await readReport(p, limits));
    const bomb: ReportPayload = {
      kind: "dmarc",
      packing: "gzip",
      data: gzipSync(Buffer.alloc(8 << 20)),
      name: "b",
    };
    await assert.rejects(reader.read(bomb, { ...limits, maxDecompressedBytes: 1 << 20 }), (e: unknown) => {
      return e instanceof UnpackError && e.reason === "too-large";
    });
    await assert.rejects(reader.read(plain("<feedback>"), limits), (e: unknown) => {
      return e instanceof ReportParseError && e.reason === "malformed";
    });
  });

  test("the event loop runs while a large report is parsed", async () => {
    const p = plain(bigXml(5000)); // about 5 MiB, 10,000 records
    let ticks = 0;
    let reading = true;
    const tick = () => {
      if (!reading) return;
      ticks++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const r = await reader.read(p, limits);
    reading = false;
    assert.equal(r.kind === "dmarc" && r.records.length, 10_000);
    // Parsing on this thread would run to the end in one turn: no tick in between.
    assert.ok(ticks > 1, `the loop turned ${ticks} times during the read`);
  });

  test("a report that needs more heap than the thread has is dropped; the next one is read", async () => {
    const small = new WorkerReportReader({ timeoutMs: 120_000, heapMb: 64 });
    try {
      await assert.rejects(small.read(plain(bigXml(40_000)), limits), /reader thread/);
      const r = await small.read(plain(googleDmarcXml(D)), limits);
      assert.equal(r.kind === "dmarc" && r.records.length, 2);
    } finally {
      await small.close();
    }
  });
});
