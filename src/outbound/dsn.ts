// Delivery status notifications (RFC 3464): a multipart/report (RFC 6522) with a readable
// explanation, a message/delivery-status part (per-message fields, then one block per
// recipient) and the original message (RET=FULL) or its header (RET=HDRS, RFC 3461 4.3).
// Sent from the null sender (RFC 3461 6.1, RFC 5321 4.5.5) so that they never bounce back.
import { randomBytes } from "node:crypto";

export type DsnAction = "failed" | "delayed" | "delivered" | "relayed";

export interface DsnRecipient {
  address: string;
  /** ORCPT as given at submission ("rfc822;addr"). */
  orcpt: string | null;
  action: DsnAction;
  /** RFC 3463 status, e.g. "5.1.1". */
  status: string;
  /** The remote server's reply, or our own reason. */
  diagnostic: string | null;
  /** Whether the diagnostic is a remote SMTP reply (Diagnostic-Code: smtp;) or ours (X-Yubin;). */
  diagnosticIsSmtp: boolean;
  remoteMta: string | null;
  lastAttempt: Date | null;
  willRetryUntil: Date | null;
}

export interface DsnInput {
  reportingMta: string; // our host name
  /** The envelope sender of the original message, who gets the report. */
  to: string;
  envId: string | null;
  arrivalDate: Date;
  recipients: DsnRecipient[];
  original: Buffer;
  ret: "FULL" | "HDRS" | null;
  /** RET=FULL (or none given) returns the whole message only up to this size. */
  returnMaxBytes: number;
  date?: Date;
}

/** The enhanced status code from a reply ("550 5.1.1 ..."), else one derived from its class. */
export function statusFromReply(code: number | null, reply: string): string {
  const m = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply);
  if (m?.[1]) return m[1];
  if (code !== null && code >= 500) return "5.0.0";
  return "4.0.0";
}

export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, "+0000");
}

export function buildDsn(input: DsnInput): Buffer {
  const date = input.date ?? new Date();
  const boundary = `=_yubin_dsn_${randomBytes(12).toString("hex")}`;
  const failed = input.recipients.filter((r) => r.action === "failed");
  const delayed = input.recipients.filter((r) => r.action === "delayed");
  const subject =
    failed.length > 0
      ? "Undelivered Mail Returned to Sender"
      : delayed.length > 0
        ? "Delayed Mail (still being retried)"
        : "Successful Mail Delivery Report";

  const header = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.reportingMta}>`,
    `To: <${input.to}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(date)}`,
    `Message-ID: <dsn.${randomBytes(9).toString("hex")}@${input.reportingMta}>`,
    // RFC 3834 5: automatic responses must not trigger further automatic responses.
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="${boundary}"`,
  ];

  const text = humanText(input, failed, delayed);

  const perMessage = [`Reporting-MTA: dns; ${input.reportingMta}`];
  if (input.envId) perMessage.push(`Original-Envelope-Id: ${oneLine(input.envId)}`);
  perMessage.push(`Arrival-Date: ${rfc5322Date(input.arrivalDate)}`);
  const blocks = input.recipients.map((r) => {
    const f = [`Final-Recipient: rfc822; ${r.address}`];
    if (r.orcpt) {
      const i = r.orcpt.indexOf(";");
      f.push(
        `Original-Recipient: ${i < 0 ? `rfc822; ${r.orcpt}` : `${r.orcpt.slice(0, i)}; ${r.orcpt.slice(i + 1)}`}`,
      );
    }
    f.push(`Action: ${r.action}`, `Status: ${r.status}`);
    if (r.remoteMta) f.push(`Remote-MTA: dns; ${r.remoteMta}`);
    if (r.diagnostic)
      f.push(`Diagnostic-Code: ${r.diagnosticIsSmtp ? "smtp" : "X-Yubin"}; ${oneLine(r.diagnostic)}`);
    if (r.lastAttempt) f.push(`Last-Attempt-Date: ${rfc5322Date(r.lastAttempt)}`);
    if (r.willRetryUntil) f.push(`Will-Retry-Until: ${rfc5322Date(r.willRetryUntil)}`);
    return f.join("\r\n");
  });
  const status = [perMessage.join("\r\n"), ...blocks].join("\r\n\r\n");

  const full =
    input.ret !== "HDRS" &&
    input.original.length <= input.returnMaxBytes &&
    failed.length + delayed.length > 0;
  const returned = full ? input.original : headerOf(input.original);
  const returnedType = full ? "message/rfc822" : "text/rfc822-headers";

  const parts = [
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}\r\n`,
    `--${boundary}\r\nContent-Type: message/delivery-status\r\n\r\n${status}\r\n\r\n`,
    `--${boundary}\r\nContent-Type: ${returnedType}\r\n\r\n`,
  ];
  return Buffer.concat([
    Buffer.from(`${header.join("\r\n")}\r\n\r\n`, "utf8"),
    Buffer.from(parts.join(""), "utf8"),
    returned,
    Buffer.from(
      `${returned.subarray(-2).toString("latin1") === "\r\n" ? "" : "\r\n"}--${boundary}--\r\n`,
      "latin1",
    ),
  ]);
}

function humanText(input: DsnInput, failed: DsnRecipient[], delayed: DsnRecipient[]): string {
  const lines = [`This is the mail system at ${input.reportingMta}.`, ""];
  if (failed.length > 0) {
    lines.push("Your message could not be delivered to the following recipients:", "");
    for (const r of failed) lines.push(`  <${r.address}>: ${oneLine(r.diagnostic ?? r.status)}`);
    lines.push("");
  }
  if (delayed.length > 0) {
    lines.push("Delivery to the following recipients is delayed; it will be retried:", "");
    for (const r of delayed) {
      const until = r.willRetryUntil ? ` (until ${rfc5322Date(r.willRetryUntil)})` : "";
      lines.push(`  <${r.address}>: ${oneLine(r.diagnostic ?? r.status)}${until}`);
    }
    lines.push("", "You do not need to send the message again.", "");
  }
  const ok = input.recipients.filter((r) => r.action === "delivered" || r.action === "relayed");
  if (ok.length > 0) {
    lines.push("Your message was delivered to:", "");
    for (const r of ok) lines.push(`  <${r.address}>`);
    lines.push("");
  }
  return lines.join("\r\n");
}

/** The header of a message, up to and including the blank line. */
export function headerOf(msg: Buffer): Buffer {
  const end = msg.indexOf("\r\n\r\n");
  return end < 0 ? msg : msg.subarray(0, end + 4);
}

function oneLine(s: string): string {
  // Each line break with the blanks around it becomes one space. Split, not
  // /[ \t]*[\r\n]+[ \t]*/g: that regex rescans every run of blanks from each of its starts
  // (quadratic on a remote server's reply made of blanks).
  return s
    .split(/[\r\n]+/)
    .map((l) => l.replace(/^[ \t]+/, "").trimEnd())
    .join(" ")
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "")
    .trim();
}
