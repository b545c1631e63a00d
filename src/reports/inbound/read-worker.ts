// The thread that reads reports (worker-reader.ts starts it): unpacking and parsing a report of
// tens of megabytes takes seconds of CPU (a 51 MiB DMARC report of 100,000 records: 25 s on a
// loaded 2-core machine), which on the main thread would stall every connection meanwhile.
import { parentPort } from "node:worker_threads";
import { UnpackError } from "./decompress.js";
import { ReportParseError } from "./errors.js";
import type { ReportPayload } from "./extract.js";
import { type ReadLimits, readReport } from "./read.js";

export interface ReadRequest {
  seq: number;
  payload: ReportPayload;
  limits: ReadLimits;
}

export type ReadResponse =
  | { seq: number; ok: true; report: Awaited<ReturnType<typeof readReport>> }
  | { seq: number; ok: false; cls: "unpack" | "parse" | "other"; reason: string; message: string };

parentPort?.on("message", async (req: ReadRequest) => {
  // Structured clone hands the Buffer over as a plain Uint8Array.
  const payload = { ...req.payload, data: Buffer.from(req.payload.data) };
  let res: ReadResponse;
  try {
    res = { seq: req.seq, ok: true, report: await readReport(payload, req.limits) };
  } catch (error) {
    const e = error as Error;
    res =
      error instanceof UnpackError
        ? { seq: req.seq, ok: false, cls: "unpack", reason: error.reason, message: e.message }
        : error instanceof ReportParseError
          ? { seq: req.seq, ok: false, cls: "parse", reason: error.reason, message: e.message }
          : { seq: req.seq, ok: false, cls: "other", reason: "error", message: String(e?.message ?? e) };
  }
  parentPort?.postMessage(res);
});
