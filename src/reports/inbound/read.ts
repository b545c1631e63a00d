// A report payload to a typed report: unpack (decompress.ts) under the byte cap, then parse.
import type { ReceivedReport } from "../../store/types.js";
import { gunzipReport, unzipReport } from "./decompress.js";
import { parseDmarcAggregate } from "./dmarc-aggregate.js";
import type { ReportPayload } from "./extract.js";
import { parseTlsRpt } from "./tlsrpt.js";

export interface ReadLimits {
  maxDecompressedBytes: number;
  maxRecords: number;
}

/** Throws UnpackError or ReportParseError. */
export async function readReport(p: ReportPayload, limits: ReadLimits): Promise<ReceivedReport> {
  const unpackLimits = { maxBytes: limits.maxDecompressedBytes };
  const raw =
    p.packing === "gzip"
      ? await gunzipReport(p.data, unpackLimits)
      : p.packing === "zip"
        ? unzipReport(p.data, p.kind === "dmarc" ? ".xml" : ".json", unpackLimits)
        : p.data;
  // Reports are UTF-8 (RFC 8460 §4.4 for JSON; DMARC reporters' XML declarations say so too);
  // a BOM is dropped.
  const text = raw.toString("utf8").replace(/^\uFEFF/, "");
  const parseLimits = { maxRecords: limits.maxRecords };
  return p.kind === "dmarc" ? parseDmarcAggregate(text, parseLimits) : parseTlsRpt(text, parseLimits);
}
