// [reports] section: aggregate reports about our domains' mail — DMARC (RFC 7489 §7.2) and
// TLS-RPT (RFC 8460) — received from other operators (src/reports/inbound) and, for the
// outbound keys, sent by us (src/reports/outbound).
import { bool, int } from "../config/dsl.js";

export const reportsSection = {
  receive: bool(
    true,
    "Read DMARC aggregate and TLS-RPT reports mailed over port 25 to a hosted domain's report address (mailauth.recordReportAddress, or postmaster@ the domain) and show them in the admin pages. The message itself is filed as any other (keepMessages).",
  ),
  keepMessages: bool(
    true,
    "File a recognised report message in the recipient's mailbox as usual; false: a report that was read and stored is not filed (one that could not be read still is).",
  ),
  maxAttachmentBytes: int(
    10 * 1024 * 1024,
    "Largest compressed report attachment (zip, gzip) or plain report body read, in octets; a larger one is logged and left unread.",
    { min: 1024, max: 1024 * 1024 * 1024 },
  ),
  maxDecompressedBytes: int(
    50 * 1024 * 1024,
    "Most octets one report may expand to when unzipped or gunzipped; decompression stops there (zip and gzip bombs), the report is logged and dropped.",
    { min: 1024, max: 1024 * 1024 * 1024 },
  ),
  maxRecords: int(
    100000,
    "Most records (DMARC <record> rows, TLS-RPT failure details) one report may hold; a report with more is logged and dropped.",
    { min: 1, max: 10_000_000 },
  ),
  retentionDays: int(400, "Days a received report is kept (by the end of the period it covers).", {
    min: 1,
    max: 3650,
  }),
  queueMax: int(
    64,
    "Report messages waiting to be parsed in the background at once; past it a report is logged and skipped (the message is still filed), so a flood cannot hold memory.",
    { min: 1, max: 10000 },
  ),
};
