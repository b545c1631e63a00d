// The vacation auto-reply message (RFC 3834 3.1, RFC 5230 5-6): From the user's address, To
// the envelope sender, "Auto-Submitted: auto-replied", In-Reply-To / References threading it to
// the original, and the subject of the response or "Auto: <original subject>" (RFC 3834 3.1.5).
// Non-ASCII header text is an RFC 2047 encoded word; a body part that is not short-lined ASCII
// is base64.
import { randomBytes } from "node:crypto";
import { parseAddressList } from "../mime/address.js";
import { rfc5322Date } from "../mime/date-format.js";
import { decodeHeaderValue } from "../mime/encoded-word.js";
import { extractMessageIds } from "../mime/envelope.js";
import { fieldValue, type RawField, scanHeader } from "../mime/headers.js";
import type { VacationResponse } from "../store/types.js";
import { dropScriptAndStyle, dropTags } from "./html-strip.js";

export interface ReplyInput {
  original: Buffer; // only its header is read
  response: VacationResponse;
  /** RFC 5230 5.7 :mime: the reason is a whole MIME entity (its own Content-Type and body),
   *  used as the reply's body instead of the response's text. */
  mimeEntity?: string;
  from: { name: string; email: string };
  to: string; // the envelope sender of the original
  hostname: string;
  now: Date;
  maxOriginalSubjectBytes: number;
  /** Message-ID of the reply, without brackets (tests); default random @hostname. */
  messageId?: string;
}

const ascii = (s: string) => /^[\x20-\x7e]*$/.test(s);
const encodeWord = (s: string) => (ascii(s) ? s : `=?UTF-8?B?${Buffer.from(s, "utf8").toString("base64")}?=`);
const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ");

/** RFC 5322 2.2.3: fold at spaces so lines stay near 78 characters. */
function fold(line: string): string {
  if (line.length <= 78) return line;
  const out: string[] = [];
  let cur = "";
  for (const word of line.split(" ")) {
    if (cur !== "" && cur.length + 1 + word.length > 78) {
      out.push(cur);
      cur = word;
    } else cur = cur === "" ? word : `${cur} ${word}`;
  }
  out.push(cur);
  return out.join("\r\n ");
}

function displayName(name: string): string {
  if (!ascii(name)) return encodeWord(name);
  return /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*$/.test(name) ? name : `"${name.replace(/(["\\])/g, "\\$1")}"`;
}

/** Cut a string to at most `max` UTF-8 octets without splitting a character. */
function cut(s: string, max: number): string {
  const b = Buffer.from(s, "utf8");
  if (b.length <= max) return s;
  return b
    .subarray(0, max)
    .toString("utf8")
    .replace(/\uFFFD{1,3}$/, ""); // what the cut can leave of one character: at most 3 octets
}

function textPart(subtype: "plain" | "html", text: string): string {
  const crlf = text.replace(/\r?\n/g, "\r\n");
  const simple = crlf.split("\r\n").every((l) => ascii(l) && l.length <= 998);
  if (simple) {
    return `Content-Type: text/${subtype}; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${crlf}`;
  }
  const b64 = Buffer.from(crlf, "utf8").toString("base64").replace(/.{76}/g, "$&\r\n");
  return `Content-Type: text/${subtype}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}`;
}

/** A plain-text stand-in for an HTML-only response (RFC 8621 8: textBody from htmlBody). */
export function htmlToText(html: string): string {
  return dropTags(dropScriptAndStyle(html).replace(/<br\s*\/?>|<\/(p|div|li|h[1-6])>/gi, "\n"))
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();
}

/** The reply's To: the envelope sender, with the display name the original's From or Sender gave
 *  that same address ("Ann" <ann@…>), as Pigeonhole writes it; else the bare address. */
function recipientField(fields: RawField[], original: Buffer, to: string): string {
  for (const name of ["from", "sender"]) {
    const f = fields.find((x) => x.lname === name);
    if (!f) continue;
    for (const a of parseAddressList(fieldValue(original, f))) {
      if (a.mailbox === null || a.host === null) continue;
      if (`${a.mailbox}@${a.host}`.toLowerCase() !== to.toLowerCase()) continue;
      const display = oneLine(decodeHeaderValue(a.name ?? "")).trim();
      if (display === "") return `<${to}>`;
      // Quoted as Pigeonhole writes it (RFC 5322 3.2.4 quoted-string; non-ASCII as an encoded word).
      return `${ascii(display) ? `"${display.replace(/(["\\])/g, "\\$1")}"` : encodeWord(display)} <${to}>`;
    }
  }
  return `<${to}>`;
}

export function buildVacationReply(i: ReplyInput): Buffer {
  const { fields } = scanHeader(i.original, 0, i.original.length);
  const first = (name: string) => {
    const f = fields.find((x) => x.lname === name);
    return f ? fieldValue(i.original, f) : null;
  };
  const msgId = extractMessageIds(first("message-id") ?? "")[0] ?? null;
  const refs = extractMessageIds(first("references") ?? "");
  if (msgId !== null && !refs.includes(msgId)) refs.push(msgId);

  const r = i.response;
  let subject: string;
  if (r.subject !== null && r.subject.trim() !== "") subject = encodeWord(oneLine(r.subject));
  else {
    // The original's subject as written (encoded words and all), cut to a sane length.
    const orig = cut(first("subject") ?? "", i.maxOriginalSubjectBytes);
    subject = `Auto: ${orig}`.trimEnd();
  }

  const name = oneLine(i.from.name).trim();
  const headers = [
    fold(`From: ${name === "" ? "" : `${displayName(name)} `}<${i.from.email}>`),
    fold(`To: ${recipientField(fields, i.original, i.to)}`),
    fold(`Subject: ${subject}`),
    `Date: ${rfc5322Date(i.now)}`,
    `Message-ID: <${i.messageId ?? `${randomBytes(16).toString("hex")}@${i.hostname}`}>`,
  ];
  if (msgId !== null) headers.push(`In-Reply-To: ${msgId}`);
  if (refs.length > 0) headers.push(fold(`References: ${refs.join(" ")}`));
  headers.push("Auto-Submitted: auto-replied", "MIME-Version: 1.0");

  const text = r.textBody ?? (r.htmlBody !== null ? htmlToText(r.htmlBody) : "");
  let body: string;
  if (i.mimeEntity !== undefined) body = mimeBody(i.mimeEntity);
  else if (r.htmlBody !== null) {
    const b = `=_vacation_${i.messageId === undefined ? randomBytes(8).toString("hex") : "test"}`;
    body =
      `Content-Type: multipart/alternative; boundary="${b}"\r\n\r\n` +
      `--${b}\r\n${textPart("plain", text)}\r\n--${b}\r\n${textPart("html", r.htmlBody)}\r\n--${b}--\r\n`;
  } else body = `${textPart("plain", text)}\r\n`;
  return Buffer.from(`${headers.join("\r\n")}\r\n${body}`, "utf8");
}

/** A script's MIME entity with CRLF line ends, its header fields (Content-*) below ours. One
 *  without any header field gets an empty header, so its first line is not taken for one. */
function mimeBody(entity: string): string {
  let crlf = entity.replace(/\r?\n/g, "\r\n");
  if (!crlf.endsWith("\r\n")) crlf += "\r\n";
  return /^[!-9;-~]+:/.test(crlf) ? crlf : `\r\n${crlf}`;
}
