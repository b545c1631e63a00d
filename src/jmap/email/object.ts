// The Email object (RFC 8621 4.1) of one stored message: metadata from MessageMeta, the rest
// from the cached MIME structure and the body bytes (read only when a property needs them).

import { textOf, textPrefixOf } from "../../mime/text.js";
import type { MessageStructure, MimePart } from "../../mime/types.js";
import type { MessageMeta } from "../../store/types.js";
import { emailIdOf, mailboxIdOf, threadIdOf } from "../core/ids.js";
import type { Json, JsonObject } from "../core/types.js";
import { type BodyLists, bodyLists, bodyPartObject, hasAttachment, type PartRef, rootRef } from "./body.js";
import { allHeaders, headerPropertyValue, headerView, parseHeaderProperty } from "./headers.js";
import { htmlPrefixToText, htmlToText } from "./html-text.js";
import { flagsToKeywords } from "./keywords.js";

export const DEFAULT_EMAIL_PROPERTIES = [
  "id",
  "blobId",
  "threadId",
  "mailboxIds",
  "keywords",
  "size",
  "receivedAt",
  "messageId",
  "inReplyTo",
  "references",
  "sender",
  "from",
  "to",
  "cc",
  "bcc",
  "replyTo",
  "subject",
  "sentAt",
  "hasAttachment",
  "preview",
  "bodyValues",
  "textBody",
  "htmlBody",
  "attachments",
];

export const META_PROPERTIES = new Set([
  "id",
  "blobId",
  "threadId",
  "mailboxIds",
  "keywords",
  "size",
  "receivedAt",
]);
export const KNOWN_PROPERTIES = new Set([...DEFAULT_EMAIL_PROPERTIES, "headers", "bodyStructure"]);

/** Convenience properties and the header form they stand for (4.1.2-4.1.3). */
const HEADER_SHORTHANDS: Record<string, string> = {
  messageId: "header:Message-ID:asMessageIds",
  inReplyTo: "header:In-Reply-To:asMessageIds",
  references: "header:References:asMessageIds",
  sender: "header:Sender:asAddresses",
  from: "header:From:asAddresses",
  to: "header:To:asAddresses",
  cc: "header:Cc:asAddresses",
  bcc: "header:Bcc:asAddresses",
  replyTo: "header:Reply-To:asAddresses",
  subject: "header:Subject:asText",
  sentAt: "header:Date:asDate",
};

export function needsBody(props: readonly string[]): boolean {
  return props.some((p) => !META_PROPERTIES.has(p));
}

export const utcDate = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export interface BodyValueOptions {
  fetchText: boolean;
  fetchHtml: boolean;
  fetchAll: boolean;
  maxBytes: number; // 0 = no limit
  /** Octets of a text part read for the preview ([jmap] previewScanBytes). */
  previewScanBytes: number;
}

export interface EmailSource {
  /** null for a message that is not stored (Email/parse): its metadata properties are null. */
  meta: MessageMeta | null;
  /** The whole message's blobId; its parts' blobIds derive from it (body.ts partBlobId). */
  blobId: string;
  size: number;
  structure: MessageStructure | null;
  body: Buffer | null;
}

const PREVIEW_CHARS = 256;

/** The text of a textBody part for previews and snippets: at most `scanBytes` octets of it are
 *  decoded, HTML turned into text (what the cut interrupted dropped, see htmlPrefixToText). */
export function partPreviewText(body: Buffer, part: MimePart, scanBytes: number): string {
  const { text, truncated } = textPrefixOf(body, part, scanBytes);
  if (part.subtype !== "html") return text;
  return truncated ? htmlPrefixToText(text) : htmlToText(text);
}

/** RFC 8621 4.1.4 preview: the first text part's words, whitespace collapsed, 256 characters. */
export function previewOf(body: Buffer, lists: BodyLists, scanBytes: number): string {
  const first = lists.textBody.find((r) => r.part.type === "text");
  if (!first) return "";
  const text = partPreviewText(body, first.part, scanBytes).replace(/\s+/g, " ").trim();
  let out = "";
  let n = 0;
  for (const c of text) {
    if (n++ === PREVIEW_CHARS) break;
    out += c;
  }
  return out;
}

/** RFC 8621 4.1.4 EmailBodyValue, truncated to maxBytes UTF-8 octets without splitting a char. */
function bodyValue(body: Buffer, ref: PartRef, maxBytes: number): JsonObject {
  let value = textOf(body, ref.part);
  const isEncodingProblem = value.includes("\uFFFD");
  let isTruncated = false;
  if (maxBytes > 0 && Buffer.byteLength(value) > maxBytes) {
    const buf = Buffer.from(value).subarray(0, maxBytes);
    value = buf.toString("utf8").replace(/\uFFFD$/, "");
    isTruncated = true;
  }
  return { value, isEncodingProblem, isTruncated };
}

/** The Email object with `props`. `bodyProps` are the EmailBodyPart properties to return. */
export function emailObject(
  src: EmailSource,
  props: readonly string[],
  bodyProps: readonly string[],
  bv: BodyValueOptions,
): JsonObject {
  const { meta } = src;
  const out: JsonObject = {};
  let lists: BodyLists | null = null;
  const getLists = () => {
    lists ??= bodyLists(src.structure!);
    return lists;
  };
  const view = () => headerView(src.body!, src.structure!.root);
  const parts = (refs: PartRef[]) =>
    refs.map((r) => bodyPartObject(src.body!, src.blobId, r, bodyProps, false)) as Json[];
  for (const p of props) {
    switch (p) {
      case "id":
        out.id = meta ? emailIdOf(meta.id) : null;
        break;
      case "blobId":
        out.blobId = src.blobId;
        break;
      case "threadId":
        out.threadId = meta ? threadIdOf(meta.threadId) : null;
        break;
      case "mailboxIds":
        out.mailboxIds = meta ? { [mailboxIdOf(meta.mailboxId)]: true } : null;
        break;
      case "keywords":
        out.keywords = meta ? flagsToKeywords(meta.flags) : null;
        break;
      case "size":
        out.size = src.size;
        break;
      case "receivedAt":
        out.receivedAt = meta ? utcDate(meta.internalDate) : null;
        break;
      case "headers":
        out.headers = allHeaders(view());
        break;
      case "hasAttachment":
        out.hasAttachment = hasAttachment(getLists());
        break;
      case "preview":
        out.preview = previewOf(src.body!, getLists(), bv.previewScanBytes);
        break;
      case "bodyStructure":
        out.bodyStructure = bodyPartObject(
          src.body!,
          src.blobId,
          rootRef(src.structure!),
          [...bodyProps, "subParts"],
          true,
        );
        break;
      case "textBody":
        out.textBody = parts(getLists().textBody);
        break;
      case "htmlBody":
        out.htmlBody = parts(getLists().htmlBody);
        break;
      case "attachments":
        out.attachments = parts(getLists().attachments);
        break;
      case "bodyValues": {
        const l = getLists();
        const values: JsonObject = {};
        const add = (refs: PartRef[]) => {
          for (const r of refs) {
            if (r.part.type === "text" && values[r.path] === undefined) {
              values[r.path] = bodyValue(src.body!, r, bv.maxBytes);
            }
          }
        };
        if (bv.fetchAll) {
          add(l.textBody);
          add(l.htmlBody);
          add(l.attachments.filter((r) => r.part.type === "text"));
        } else {
          if (bv.fetchText) add(l.textBody);
          if (bv.fetchHtml) add(l.htmlBody);
        }
        out.bodyValues = values;
        break;
      }
      default: {
        const shorthand = HEADER_SHORTHANDS[p];
        const h = parseHeaderProperty(shorthand ?? p);
        if (!h) break;
        // The convenience properties show the first field of a name, as IMAP's ENVELOPE does
        // (src/mime/envelope.ts), not RFC 8621 4.1.3's last one: a message with two From fields
        // (invalid, RFC 5322 3.6, but it may be stored) names one author in every client.
        // "header:From:asAddresses" keeps the RFC's last field.
        const first = () => (headerPropertyValue(view(), { ...h, all: true }) as Json[])[0] ?? null;
        out[p] = shorthand ? first() : headerPropertyValue(view(), h);
      }
    }
  }
  return out;
}
