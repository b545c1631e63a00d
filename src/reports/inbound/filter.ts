// Recognising a received report at delivery: a post-office filter on the inbound door (port 25)
// that never refuses anything. When a recipient is one of our report addresses — the address
// `yubin domain dns` publishes in rua= for DMARC (RFC 7489 §6.3) and TLS-RPT (RFC 8460 §3)
// (mailauth.recordReportAddress, default postmaster@ the domain) or postmaster@ a hosted domain —
// it finds the report attachments (extract.ts; a MIME parse, linear) and queues them for the
// background reader (recorder.ts): unpacking and parsing never hold up the 250.
import type { Logger } from "../../log/logger.js";
import type { Filter, FilterInput, FilterVerdict } from "../../postoffice/types.js";
import type { DirectoryStore } from "../../store/types.js";
import { extractReports } from "./extract.js";
import type { ReportRecorder } from "./recorder.js";

export interface ReportFilterOptions {
  recorder: Pick<ReportRecorder, "enqueue">;
  directory: Pick<DirectoryStore, "getDomain">;
  log: Logger;
  /** mailauth.recordReportAddress: "" means postmaster@ each domain. */
  reportAddress: string;
  maxAttachmentBytes: number;
  /** reports.keepMessages */
  keepMessages: boolean;
}

export function reportFilter(o: ReportFilterOptions): Filter {
  const configured = o.reportAddress.trim().toLowerCase();
  const isReportAddress = async (address: string): Promise<boolean> => {
    const a = address.toLowerCase();
    if (configured !== "" && a === configured) return true;
    const at = a.lastIndexOf("@");
    if (at < 0 || a.slice(0, at) !== "postmaster") return false;
    return (await o.directory.getDomain(a.slice(at + 1))) !== null;
  };
  return {
    name: "reports",
    doors: ["inbound"],
    async check(input: FilterInput): Promise<FilterVerdict> {
      let reportRecipients = 0;
      for (const r of input.recipients) if (await isReportAddress(r.address)) reportRecipients++;
      if (reportRecipients === 0) return { kind: "accept" };
      const log = o.log.child({ cid: input.id });
      const { payloads, skipped } = extractReports(input.body, { maxBytes: o.maxAttachmentBytes });
      for (const name of skipped)
        log.warn("report attachment too large, not read", { report: name, maxBytes: o.maxAttachmentBytes });
      if (payloads.length === 0) return { kind: "accept" };
      let queued = 0;
      for (const p of payloads) if (o.recorder.enqueue(p, log)) queued++;
      const note = payloads.map((p) => p.kind).join(",");
      // keepMessages off: a message for report addresses only, whose reports are all being read,
      // is not filed.
      if (!o.keepMessages && reportRecipients === input.recipients.length && queued === payloads.length)
        return { kind: "discard", reason: `report (${note}) read into the report store, not filed` };
      return { kind: "accept", note };
    },
  };
}
