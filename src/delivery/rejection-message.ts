// The Sieve rejection message (RFC 5429 2.1): when a script rejects a message the server already
// accepted, the envelope sender gets an MDN (RFC 8098) saying so, with the script's reason:
// multipart/report; report-type=disposition-notification, a human-readable part, the
// message/disposition-notification part ("automatic-action/MDN-sent-automatically; deleted")
// and the original's header (text/rfc822-headers, RFC 6522 3: enough to recognise it, without
// sending a large message back). Auto-Submitted: auto-replied (RFC 3834 5), so nothing answers it.
import { randomBytes } from "node:crypto";
import { rfc5322Date } from "../mime/date-format.js";
import { extractMessageIds } from "../mime/envelope.js";
import { fieldValue, scanHeader } from "../mime/headers.js";

export interface RejectionInput {
  /** The message as received (its header is quoted). */
  original: Buffer;
  /** The script's reason (UTF-8 text). */
  reason: string;
  /** The recipient whose script rejected it (From of the MDN, Final-Recipient). */
  recipient: string;
  /** The envelope sender: the MDN's To. */
  to: string;
  hostname: string;
  now: Date;
  /** Longest original header quoted, in bytes. */
  maxHeaderBytes?: number;
  /** Message-ID and boundary without randomness (tests). */
  fixedId?: string;
}

const ascii = (s: string) => /^[\x20-\x7e]*$/.test(s);

/** A text part: 7bit when it is short-lined ASCII, else UTF-8 in base64. */
function textPart(text: string): string {
  const crlf = text.replace(/\r?\n/g, "\r\n");
  if (crlf.split("\r\n").every((l) => ascii(l) && l.length <= 998))
    return `Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${crlf}\r\n`;
  const b64 = Buffer.from(crlf, "utf8").toString("base64").replace(/.{76}/g, "$&\r\n");
  return `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`;
}

/** The header of the original (up to its blank line), cut at a field boundary when too long;
 *  its bytes as they are (8-bit header text is not re-encoded). */
function originalHeader(original: Buffer, max: number): Buffer {
  const { fields } = scanHeader(original, 0, original.length);
  let end = 0;
  for (const f of fields) {
    if (f.end > max) break;
    end = f.end;
  }
  return original.subarray(0, end);
}

export function buildRejectionMessage(i: RejectionInput): Buffer {
  const { fields } = scanHeader(i.original, 0, i.original.length);
  const first = (name: string) => {
    const f = fields.find((x) => x.lname === name);
    return f ? fieldValue(i.original, f) : null;
  };
  const msgId = extractMessageIds(first("message-id") ?? "")[0] ?? null;
  const token = i.fixedId ?? randomBytes(12).toString("hex");
  const boundary = `=_rejection_${token}`;
  const recipient = i.recipient.replace(/[\r\n<>]/g, "");
  const reason = i.reason.trim() === "" ? "(no reason given)" : i.reason;
  const header = [
    `From: <${recipient}>`,
    `To: <${i.to.replace(/[\r\n<>]/g, "")}>`,
    "Subject: Automatically rejected mail",
    `Date: ${rfc5322Date(i.now)}`,
    `Message-ID: <${token}@${i.hostname}>`,
    ...(msgId !== null ? [`In-Reply-To: ${msgId}`, `References: ${msgId}`] : []),
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=disposition-notification;\r\n\tboundary="${boundary}"`,
  ];
  const human = `Your message to <${recipient}> was automatically rejected by Sieve, a mail filtering language.\r\n\r\nThe following reason was given:\r\n${reason}`;
  // RFC 8098 3.2: the fields of the disposition notification.
  const report = [
    `Reporting-UA: ${i.hostname}; Yubin Sieve (RFC 5429)`,
    `Final-Recipient: rfc822; ${recipient}`,
    ...(msgId !== null ? [`Original-Message-ID: ${msgId}`] : []),
    "Disposition: automatic-action/MDN-sent-automatically; deleted",
  ];
  const quoted = originalHeader(i.original, i.maxHeaderBytes ?? 32 * 1024);
  const before =
    `${header.join("\r\n")}\r\n\r\n` +
    `--${boundary}\r\n${textPart(human)}` +
    `--${boundary}\r\nContent-Type: message/disposition-notification\r\n\r\n${report.join("\r\n")}\r\n\r\n` +
    `--${boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n`;
  return Buffer.concat([Buffer.from(before, "utf8"), quoted, Buffer.from(`\r\n--${boundary}--\r\n`, "utf8")]);
}
