// Finding the report in a message: DMARC aggregate reports come as an attachment (or the whole
// body) of type application/zip, application/gzip or text/xml (RFC 7489 §7.2.1.1, and what
// reporters really send: application/x-zip-compressed, application/x-gzip, application/
// octet-stream named *.xml.gz); TLS-RPT reports as the application/tlsrpt+gzip or
// application/tlsrpt+json part of a multipart/report (RFC 8460 §5.3).
import { parseStructure } from "../../mime/parse.js";
import { decodeTransfer } from "../../mime/transfer.js";
import type { MimePart } from "../../mime/types.js";
import type { ReceivedReportKind } from "../../store/types.js";

export type Packing = "plain" | "gzip" | "zip";

export interface ReportPayload {
  kind: ReceivedReportKind;
  packing: Packing;
  /** The part's body, transfer-decoded, still packed. */
  data: Buffer;
  /** The attachment's file name, for the log. */
  name: string;
}

export interface ExtractLimits {
  /** Largest packed payload taken; a larger part is left out (and reported in `skipped`). */
  maxBytes: number;
}

/** Report messages are a few parts; more are not read. */
const MAX_PARTS = 64;
/** Report payloads taken from one message. */
const MAX_PAYLOADS = 4;

const byType: Record<string, { kind: ReceivedReportKind; packing: Packing } | undefined> = {
  "application/tlsrpt+gzip": { kind: "tlsrpt", packing: "gzip" },
  "application/tlsrpt+json": { kind: "tlsrpt", packing: "plain" },
  "application/zip": { kind: "dmarc", packing: "zip" },
  "application/x-zip": { kind: "dmarc", packing: "zip" },
  "application/x-zip-compressed": { kind: "dmarc", packing: "zip" },
  "application/gzip": { kind: "dmarc", packing: "gzip" },
  "application/x-gzip": { kind: "dmarc", packing: "gzip" },
  "text/xml": { kind: "dmarc", packing: "plain" },
  "application/xml": { kind: "dmarc", packing: "plain" },
};

function byName(name: string): { kind: ReceivedReportKind; packing: Packing } | undefined {
  const n = name.toLowerCase();
  if (n.endsWith(".xml.gz") || n.endsWith(".xml.gzip")) return { kind: "dmarc", packing: "gzip" };
  if (n.endsWith(".zip")) return { kind: "dmarc", packing: "zip" };
  if (n.endsWith(".xml")) return { kind: "dmarc", packing: "plain" };
  if (n.endsWith(".json.gz")) return { kind: "tlsrpt", packing: "gzip" };
  if (n.endsWith(".json")) return { kind: "tlsrpt", packing: "plain" };
  return undefined;
}

/** The report payloads of a message, and the names of those too large to take. */
export function extractReports(
  message: Buffer,
  limits: ExtractLimits,
): { payloads: ReportPayload[]; skipped: string[] } {
  const structure = parseStructure(message, { maxParts: MAX_PARTS, maxDepth: 8 });
  const payloads: ReportPayload[] = [];
  const skipped: string[] = [];
  const visit = (part: MimePart) => {
    if (payloads.length >= MAX_PAYLOADS) return;
    if (part.type === "multipart") {
      for (const p of part.parts) visit(p);
      return;
    }
    const name = part.disposition?.params.filename ?? part.params.name ?? "";
    const type = `${part.type}/${part.subtype}`;
    const what = byType[type] ?? (type === "application/octet-stream" ? byName(name) : undefined);
    if (!what) return;
    const encoded = part.bodyEnd - part.bodyStart;
    // base64 is 4 octets for 3; anything else is about its own size.
    const decodedAtLeast = part.encoding === "base64" ? Math.floor((encoded * 3) / 4) - 4096 : encoded;
    if (decodedAtLeast > limits.maxBytes) {
      skipped.push(name || type);
      return;
    }
    const data = decodeTransfer(message.subarray(part.bodyStart, part.bodyEnd), part.encoding);
    if (data.length > limits.maxBytes) {
      skipped.push(name || type);
      return;
    }
    payloads.push({ ...what, data, name: name || type });
  };
  visit(structure.root);
  return { payloads, skipped };
}
