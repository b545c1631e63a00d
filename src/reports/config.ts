// [reports] section: aggregate reports about our domains' mail — DMARC (RFC 7489 §7.2) and
// TLS-RPT (RFC 8460) — received from other operators (src/reports/inbound) and, for the
// outbound keys, sent by us (src/reports/outbound).
import { bool, int, str } from "../config/dsl.js";

export const reportsSection = {
  receive: bool(
    true,
    "Read DMARC aggregate and TLS-RPT reports mailed over port 25 to a hosted domain's report address (mailauth.recordReportAddress, or postmaster@ the domain) and show them in the admin pages. The message itself is filed as any other (keepMessages).",
  ),
  keepMessages: bool(
    true,
    "File a report message in the recipient's mailbox as usual. false: a message whose every recipient is a report address and that carries a report attachment (by its type) is not filed, only read into the report store; if reading it then fails, the failure is logged and the message is gone.",
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
    "Report attachments waiting to be read in the background at once; past it (or past queueMaxBytes) one is logged and skipped (the message is still filed), so a flood cannot hold memory.",
    { min: 1, max: 10000 },
  ),
  readTimeoutSec: int(
    120,
    "Longest time reading one received report may take (on a thread of its own); past it the report is dropped and logged.",
    { min: 1, max: 3600 },
  ),
  readHeapMb: int(
    1024,
    "Heap cap, in MiB, of the thread that reads received reports (a 50 MiB DMARC report of 100,000 records needs about 600); a report needing more ends the thread and is dropped and logged.",
    { min: 64, max: 16384 },
  ),
  queueMaxBytes: int(
    64 * 1024 * 1024,
    "Most octets of report attachments waiting to be read in the background at once.",
    { min: 1024 * 1024, max: 1024 * 1024 * 1024 },
  ),
  // Reports we send (src/reports/outbound).
  tlsrptSend: bool(
    true,
    'Send a daily TLS-RPT report (RFC 8460) of our outbound TLS sessions to each destination domain that publishes _smtp._tls TXT "v=TLSRPTv1; rua=..." (mailto: or https:). Only such domains\' results are kept.',
  ),
  sendHourUtc: int(
    1,
    "Hour (UTC) after which the previous UTC day's reports are sent (RFC 8460 4.1: one report per UTC day).",
    { min: 0, max: 23 },
  ),
  organizationName: str("", "organization-name / org_name in the reports we send; empty: server.hostname."),
  maxRuaPerDomain: int(
    2,
    "Most report addresses (rua) of one domain a report is sent to; the rest are skipped and logged.",
    { min: 1, max: 10 },
  ),
  httpsTimeoutMs: int(30000, "Time allowed to POST a TLS-RPT report to an https: rua (RFC 8460 5.4).", {
    min: 1000,
    max: 600000,
  }),
  flushIntervalMs: int(
    60000,
    "Outbound TLS results and DMARC rows are counted in memory and written to the store this often (and at stop).",
    { min: 100, max: 3600000 },
  ),
  maxPendingRows: int(5000, "Distinct rows counted in memory before an early write to the store.", {
    min: 1,
    max: 1000000,
  }),
  sentRetentionDays: int(14, "Days the counts behind the reports we send (and which were sent) are kept.", {
    min: 2,
    max: 400,
  }),
  dmarcSend: bool(
    false,
    "Send daily DMARC aggregate reports (RFC 7489 7.2) about mail received from domains with a DMARC record, to their rua addresses: only for mail not classified as spam, and only to an address in the author domain's own organisational domain or one that authorises it (RFC 7489 7.1: TXT <domain>._report._dmarc.<rua domain> = v=DMARC1).",
  ),
  dmarcMaxReportsPerDay: int(
    100,
    "Most DMARC aggregate reports sent per day overall; the rest wait for none (logged).",
    {
      min: 1,
      max: 100000,
    },
  ),
};
