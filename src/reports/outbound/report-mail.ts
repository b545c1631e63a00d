// The message that carries a report we send: a text part saying what it is and the gzipped
// report as a base64 attachment. TLS-RPT (RFC 8460 5.3) wants multipart/report with
// report-type="tlsrpt" and its TLS-Report-* fields; DMARC (RFC 7489 7.2.1.1) a multipart with
// the gzipped XML (application/gzip) and its own Subject. One builder for both.
import { randomBytes } from "node:crypto";
import { rfc5322Date } from "../../outbound/dsn.js";

export interface ReportMailInput {
  from: string;
  to: string;
  subject: string;
  /** Extra header fields, complete ("Name: value"). */
  fields: string[];
  /** The Content-Type of the whole message, without the boundary parameter. */
  contentType: string;
  text: string;
  attachment: { type: string; filename: string; data: Buffer };
  hostname: string;
  date: Date;
}

export function buildReportMail(m: ReportMailInput): Buffer {
  const boundary = `=_yubin_report_${randomBytes(12).toString("hex")}`;
  const b64 = m.attachment.data.toString("base64").replace(/.{1,76}/g, "$&\r\n");
  const header = [
    `From: <${m.from}>`,
    `To: <${m.to}>`,
    `Subject: ${m.subject}`,
    `Date: ${rfc5322Date(m.date)}`,
    `Message-ID: <report.${randomBytes(9).toString("hex")}@${m.hostname}>`,
    // RFC 3834 5: no automatic answers to this one.
    "Auto-Submitted: auto-generated",
    ...m.fields,
    "MIME-Version: 1.0",
    `Content-Type: ${m.contentType};\r\n boundary="${boundary}"`,
  ];
  return Buffer.from(
    `${header.join("\r\n")}\r\n\r\nThis is a multipart message in MIME format.\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${m.text}\r\n\r\n` +
      `--${boundary}\r\nContent-Type: ${m.attachment.type}\r\nContent-Transfer-Encoding: base64\r\n` +
      `Content-Disposition: attachment;\r\n filename="${m.attachment.filename}"\r\n\r\n${b64}\r\n` +
      `--${boundary}--\r\n`,
    "latin1",
  );
}
