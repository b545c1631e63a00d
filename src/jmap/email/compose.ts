// Builds the RFC 5322 message for Email/set create (RFC 8621 4.6): header fields from the
// convenience properties and "header:" properties, the body from textBody / htmlBody (their
// partId naming a bodyValues entry) and attachments (by blobId). Non-ASCII header text is an
// RFC 2047 encoded word; text parts are UTF-8 quoted-printable, attachments base64.
import { randomBytes } from "node:crypto";
import { rfc5322Date } from "../../mime/date-format.js";
import { isObject } from "../core/args.js";
import type { Json, JsonObject } from "../core/types.js";

export class ComposeError extends Error {
  constructor(
    readonly properties: string[],
    message: string,
  ) {
    super(message);
  }
}

export interface Attachment {
  data: Buffer;
  type: string;
  name: string | null;
  disposition: string;
  cid: string | null;
}

const needsEncoding = (s: string) => /[^\x20-\x7e]/.test(s);

export function encodeWord(s: string): string {
  if (!needsEncoding(s)) return s;
  return `=?UTF-8?B?${Buffer.from(s, "utf8").toString("base64")}?=`;
}

function quoteName(name: string): string {
  if (needsEncoding(name)) return encodeWord(name);
  return /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*$/.test(name) ? name : `"${name.replace(/(["\\])/g, "\\$1")}"`;
}

function addresses(v: Json, prop: string): string {
  if (!Array.isArray(v)) throw new ComposeError([prop], `${prop} must be a list of EmailAddress`);
  return v
    .map((a) => {
      if (!isObject(a) || typeof a.email !== "string" || !/^[^\s<>@]+@[^\s<>@]+$/.test(a.email)) {
        throw new ComposeError([prop], `${prop} has an invalid EmailAddress`);
      }
      const name = typeof a.name === "string" && a.name !== "" ? `${quoteName(a.name)} ` : "";
      return `${name}<${a.email}>`;
    })
    .join(", ");
}

function messageIds(v: Json, prop: string): string {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || /[<>\s]/.test(x))) {
    throw new ComposeError([prop], `${prop} must be a list of message ids`);
  }
  return (v as string[]).map((x) => `<${x}>`).join(" ");
}

function fold(line: string): string {
  // RFC 5322 2.2.3: keep lines short by folding at spaces past 78 characters.
  if (line.length <= 78) return line;
  const out: string[] = [];
  let cur = "";
  for (const w of line.split(" ")) {
    if (cur !== "" && cur.length + 1 + w.length > 78) {
      out.push(cur);
      cur = ` ${w}`;
    } else cur = cur === "" ? w : `${cur} ${w}`;
  }
  out.push(cur);
  return out.join("\r\n");
}

function qp(text: string): string {
  const lines = text.replace(/\r?\n/g, "\n").split("\n");
  return lines
    .map((line) => {
      let out = "";
      let len = 0;
      const bytes = Buffer.from(line, "utf8");
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        const last = i === bytes.length - 1;
        let enc =
          (b >= 33 && b <= 126 && b !== 61) || (b === 32 && !last)
            ? String.fromCharCode(b)
            : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
        if (b === 32 && last) enc = "=20";
        if (len + enc.length > 75) {
          out += "=\r\n";
          len = 0;
        }
        out += enc;
        len += enc.length;
      }
      return out;
    })
    .join("\r\n");
}

const base64Lines = (b: Buffer) => (b.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");

const boundary = () => `=_yubin_${randomBytes(12).toString("hex")}`;

function textPart(subtype: string, text: string): string {
  return `Content-Type: text/${subtype}; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp(text)}`;
}

function attachmentPart(a: Attachment): string {
  const name = a.name ? `; name="${encodeWord(a.name).replace(/"/g, "")}"` : "";
  const fname = a.name ? `; filename="${encodeWord(a.name).replace(/"/g, "")}"` : "";
  let h = `Content-Type: ${a.type}${name}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: ${a.disposition}${fname}\r\n`;
  if (a.cid) h += `Content-ID: <${a.cid}>\r\n`;
  return `${h}\r\n${base64Lines(a.data)}`;
}

function multipart(subtype: string, parts: string[]): string {
  const b = boundary();
  // RFC 2046 5.1.1: the CRLF before each delimiter belongs to the delimiter, not the part.
  return `Content-Type: multipart/${subtype}; boundary="${b}"\r\n\r\n${parts.map((p) => `--${b}\r\n${p}\r\n`).join("")}--${b}--`;
}

export interface ComposeInput {
  email: JsonObject;
  text: string | null;
  html: string | null;
  attachments: Attachment[];
  hostname: string;
  now: Date;
}

const ADDRESS_HEADERS: [string, string][] = [
  ["from", "From"],
  ["sender", "Sender"],
  ["replyTo", "Reply-To"],
  ["to", "To"],
  ["cc", "Cc"],
  ["bcc", "Bcc"],
];

export function composeMessage(c: ComposeInput): Buffer {
  const e = c.email;
  const headers: string[] = [];
  for (const [prop, name] of ADDRESS_HEADERS) {
    const v = e[prop];
    if (v !== undefined && v !== null) headers.push(fold(`${name}: ${addresses(v, prop)}`));
  }
  if (e.subject !== undefined && e.subject !== null) {
    if (typeof e.subject !== "string") throw new ComposeError(["subject"], "subject must be a string");
    headers.push(fold(`Subject: ${encodeWord(e.subject.replace(/[\r\n]+/g, " "))}`));
  }
  let date = c.now;
  if (typeof e.sentAt === "string") {
    const t = Date.parse(e.sentAt);
    if (!Number.isFinite(t)) throw new ComposeError(["sentAt"], "sentAt must be a Date");
    date = new Date(t);
  }
  headers.push(`Date: ${rfc5322Date(date)}`);
  const mid = e.messageId ?? [`${randomBytes(16).toString("hex")}@${c.hostname}`];
  headers.push(`Message-ID: ${messageIds(mid, "messageId")}`);
  if (e.inReplyTo != null) headers.push(fold(`In-Reply-To: ${messageIds(e.inReplyTo, "inReplyTo")}`));
  if (e.references != null) headers.push(fold(`References: ${messageIds(e.references, "references")}`));
  for (const [k, v] of Object.entries(e)) {
    const m = /^header:([\x21-\x39\x3b-\x7e]+)(?::asText|:asRaw)?$/.exec(k);
    if (!m) continue;
    if (typeof v !== "string" || /[\r\n]/.test(v))
      throw new ComposeError([k], `${k} must be a one-line string`);
    headers.push(fold(`${m[1]}: ${k.endsWith(":asText") ? encodeWord(v) : v}`));
  }
  headers.push("MIME-Version: 1.0");

  let body: string;
  const textish: string[] = [];
  if (c.text !== null && c.html !== null)
    textish.push(multipart("alternative", [textPart("plain", c.text), textPart("html", c.html)]));
  else if (c.html !== null) textish.push(textPart("html", c.html));
  else textish.push(textPart("plain", c.text ?? ""));
  if (c.attachments.length > 0) body = multipart("mixed", [...textish, ...c.attachments.map(attachmentPart)]);
  else body = textish[0]!;
  return Buffer.from(`${headers.join("\r\n")}\r\n${body}`, "utf8");
}
