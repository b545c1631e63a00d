// The Sieve mailto notification (RFC 5436) as a message, written from the mailto URI (RFC 6068,
// read by src/sieve/extensions/mailto.ts) and the triggering message.
//  - §2.7: the URI's header fields a script must not set (From, Sender, Received, Auto-Submitted,
//    Message-ID, trace fields...) are already dropped by the parser; "body" is the body.
//  - §2.3: From is :from when it is an address, else the account's address (the user's).
//  - §2.6: the Subject is the URI's subject, else :message, else a summary of the triggering
//    message's From and Subject; the body is the URI's body, else :message and that summary.
//  - §2.7: "Auto-Submitted: auto-notified" (RFC 3834 §5) so no responder answers it.
//  - §2.4 :importance 1 / 3 as Importance: high / low (RFC 2156 field, what clients show).
import { randomBytes } from "node:crypto";
import { rfc5322Date } from "../mime/date-format.js";
import { decodeHeaderValue } from "../mime/encoded-word.js";
import { fieldValue, scanHeader } from "../mime/headers.js";
import type { MailtoUri } from "../sieve/extensions/mailto.js";

export interface NotificationInput {
  uri: MailtoUri;
  from: string;
  importance: 1 | 2 | 3;
  message: string | null;
  /** The triggering message (its header is read for the summary). */
  trigger: Buffer;
  hostname: string;
  now: Date;
}

const ascii = (s: string) => /^[\x20-\x7e]*$/.test(s);
const encodeWord = (s: string) => (ascii(s) ? s : `=?UTF-8?B?${Buffer.from(s, "utf8").toString("base64")}?=`);

export function notificationMessage(n: NotificationInput): Buffer {
  const { fields } = scanHeader(n.trigger, 0, n.trigger.length);
  const first = (name: string) => {
    const f = fields.find((x) => x.lname === name);
    return f ? decodeHeaderValue(fieldValue(n.trigger, f)).replace(/\s+/g, " ").trim() : "";
  };
  const summary = `New message from ${first("from") || "(unknown sender)"}: ${first("subject") || "(no subject)"}`;
  const subject = (n.uri.subject ?? n.message ?? summary).replace(/[\r\n]+/g, " ").slice(0, 200);
  const to = n.uri.recipients.filter((r) => !r.cc).map((r) => r.address);
  const cc = n.uri.recipients.filter((r) => r.cc).map((r) => r.address);
  const lines = [
    `From: ${n.from}`,
    `To: ${to.join(", ") || "undisclosed-recipients:;"}`,
    ...(cc.length > 0 ? [`Cc: ${cc.join(", ")}`] : []),
    `Subject: ${encodeWord(subject)}`,
    `Date: ${rfc5322Date(n.now)}`,
    `Message-ID: <${randomBytes(12).toString("hex")}@${n.hostname}>`,
    "Auto-Submitted: auto-notified",
    ...(n.importance === 1 ? ["Importance: high", "X-Priority: 1"] : []),
    ...(n.importance === 3 ? ["Importance: low", "X-Priority: 5"] : []),
    ...n.uri.headers.map((h) => `${h.name}: ${encodeWord(h.value)}`),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
  ];
  const text = n.uri.body ?? [n.message ?? "", summary].filter((s) => s !== "").join("\r\n\r\n");
  const b64 = Buffer.from(`${text.replace(/\r?\n/g, "\r\n")}\r\n`, "utf8").toString("base64");
  const body = b64.replace(/.{1,76}/g, "$&\r\n");
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`, "utf8");
}
