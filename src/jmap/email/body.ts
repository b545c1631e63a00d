// Body structure of an Email (RFC 8621 4.1.4): the bodyStructure tree of EmailBodyParts, and
// the textBody / htmlBody / attachments lists computed by the algorithm of 4.1.4. partId is the
// path of child positions ("1", "2.1"), as IMAP section numbers but never descending into an
// attached message (JMAP treats message/rfc822 as a leaf). The blobId of a part is
// B<emailNumber>_<path with "_"> (partBlobId); its download is the decoded content.
import { decodeHeaderValue } from "../../mime/encoded-word.js";
import type { MessageStructure, MimePart } from "../../mime/types.js";
import type { JsonObject } from "../core/types.js";
import { allHeaders, headerPropertyValue, headerView, parseHeaderProperty } from "./headers.js";

export interface PartRef {
  part: MimePart;
  /** Position path: "1", "2.1"; "" for a multipart root. The partId of a non-multipart. */
  path: string;
}

export const messageBlobId = (messageId: number): string => `B${messageId}`;

/** The blobId of a part of the message whose blobId is `messageBlob`: "B12" + "2.1" → "B12_2_1";
 *  for a message that is itself a part (an attached message/rfc822, parsed by Email/parse) or
 *  an upload, "-" starts the path inside it: "B12_3" + "1" → "B12_3-1", "Gab…" + "2" → "Gab…-2".
 *  blob/resolve.ts reads them back. */
export function partBlobId(messageBlob: string, partId: string): string {
  const path = partId.replace(/\./g, "_");
  return /^B[0-9]+$/.test(messageBlob) ? `${messageBlob}_${path}` : `${messageBlob}-${path}`;
}

/** A blobId's parts: the stored message ("B12") or upload ("G…") it starts from, then one part
 *  path per level: "B12_2_1" → {base: "B12", paths: [[2, 1]]}; "B12_3-1_2" → paths [[3], [1, 2]];
 *  "Gab-2" → {base: "Gab", paths: [[2]]}. */
export function parseBlobId(id: string): { base: string; paths: number[][] } | null {
  const m =
    /^(B[1-9][0-9]{0,15}|G[0-9a-f]{64})((?:_[1-9][0-9]{0,5})*)((?:-[1-9][0-9]{0,5}(?:_[1-9][0-9]{0,5})*)*)$/.exec(
      id,
    );
  if (!m) return null;
  const paths: number[][] = [];
  if (m[2] !== "") paths.push(m[2]!.slice(1).split("_").map(Number));
  for (const seg of m[3]!.split("-").slice(1)) paths.push(seg.split("_").map(Number));
  if (paths.length > MAX_BLOB_NESTING) return null;
  return { base: m[1]!, paths };
}

/** Levels of attached messages a blobId may descend into. */
export const MAX_BLOB_NESTING = 8;

/** The part at a partId path (child positions; a non-multipart root is "1"). */
export function partAtPath(s: MessageStructure, path: number[]): MimePart | null {
  if (path.length === 0) return null;
  let list = s.root.parts.length > 0 ? s.root.parts : [s.root];
  let part: MimePart | null = null;
  for (const n of path) {
    part = list[n - 1] ?? null;
    if (!part) return null;
    list = part.parts;
  }
  return part;
}

const isMultipart = (p: MimePart) => p.type === "multipart";

/** Decoded size estimate of a part's content (RFC 8621: size after transfer decoding). */
function decodedSize(p: MimePart): number {
  const n = p.bodyEnd - p.bodyStart;
  if (p.encoding === "base64") return Math.floor((n * 3) / 4);
  return n;
}

export const DEFAULT_BODY_PROPERTIES = [
  "partId",
  "blobId",
  "size",
  "name",
  "type",
  "charset",
  "disposition",
  "cid",
  "language",
  "location",
];

function partName(p: MimePart): string | null {
  const n = p.disposition?.params.filename ?? p.params.name;
  return n === undefined ? null : decodeHeaderValue(n);
}

/** One EmailBodyPart with the requested properties. */
export function bodyPartObject(
  body: Buffer,
  messageBlob: string,
  ref: PartRef,
  props: readonly string[],
  withSubParts: boolean,
): JsonObject {
  const p = ref.part;
  const out: JsonObject = {};
  const view = () => headerView(body, p);
  for (const prop of props) {
    switch (prop) {
      case "partId":
        out.partId = isMultipart(p) ? null : ref.path;
        break;
      case "blobId":
        out.blobId = isMultipart(p) ? null : partBlobId(messageBlob, ref.path);
        break;
      case "size":
        out.size = isMultipart(p) ? 0 : decodedSize(p);
        break;
      case "headers":
        out.headers = allHeaders(view());
        break;
      case "name":
        out.name = partName(p);
        break;
      case "type":
        out.type = `${p.type}/${p.subtype}`;
        break;
      case "charset":
        out.charset = p.params.charset ?? (p.type === "text" ? "us-ascii" : null);
        break;
      case "disposition":
        out.disposition = p.disposition?.type ?? null;
        break;
      case "cid":
        out.cid = p.id === null ? null : p.id.replace(/^\s*<|>\s*$/g, "");
        break;
      case "language":
        out.language = p.language;
        break;
      case "location":
        out.location = p.location;
        break;
      case "subParts":
        break;
      default: {
        const hp = parseHeaderProperty(prop);
        if (hp) out[prop] = headerPropertyValue(view(), hp);
      }
    }
  }
  // subParts: the children of a multipart (RFC 8621 4.1.4), only in bodyStructure.
  if (withSubParts && props.includes("subParts")) {
    out.subParts = isMultipart(p)
      ? p.parts.map((c, i) => bodyPartObject(body, messageBlob, childRef(ref, c, i), props, true))
      : null;
  }
  return out;
}

function childRef(parent: PartRef, child: MimePart, index: number): PartRef {
  return { part: child, path: parent.path === "" ? `${index + 1}` : `${parent.path}.${index + 1}` };
}

/** The root's PartRef: a multipart root has no partId; a single-part message's root is "1". */
export function rootRef(s: MessageStructure): PartRef {
  return { part: s.root, path: isMultipart(s.root) ? "" : "1" };
}

export interface BodyLists {
  textBody: PartRef[];
  htmlBody: PartRef[];
  attachments: PartRef[];
}

const isInlineMedia = (p: MimePart) => p.type === "image" || p.type === "audio" || p.type === "video";

/** RFC 8621 4.1.4, the parseStructure algorithm, over our parsed tree. */
export function bodyLists(s: MessageStructure): BodyLists {
  const out: BodyLists = { textBody: [], htmlBody: [], attachments: [] };
  const walk = (
    parts: PartRef[],
    multipartType: "mixed" | "alternative" | "related" | string,
    inAlternative: boolean,
    htmlBody: PartRef[] | null,
    textBody: PartRef[] | null,
  ) => {
    const textLength = textBody ? textBody.length : -1;
    const htmlLength = htmlBody ? htmlBody.length : -1;
    for (let i = 0; i < parts.length; i++) {
      const ref = parts[i]!;
      const p = ref.part;
      const isMulti = isMultipart(p);
      const isInline =
        p.disposition?.type !== "attachment" &&
        (p.type === "text" && (p.subtype === "plain" || p.subtype === "html") ? true : isInlineMedia(p)) &&
        (i === 0 || (multipartType !== "related" && (isInlineMedia(p) || partName(p) === null)));
      if (isMulti) {
        const subType = p.subtype;
        walk(
          p.parts.map((c, j) => childRef(ref, c, j)),
          subType,
          inAlternative || subType === "alternative",
          htmlBody,
          textBody,
        );
      } else if (isInline) {
        if (multipartType === "alternative") {
          if (p.type === "text" && p.subtype === "plain") textBody?.push(ref);
          else if (p.type === "text" && p.subtype === "html") htmlBody?.push(ref);
          else out.attachments.push(ref);
          continue;
        }
        if (inAlternative) {
          if (p.type === "text" && p.subtype === "plain") htmlBody = null;
          if (p.type === "text" && p.subtype === "html") textBody = null;
        }
        textBody?.push(ref);
        htmlBody?.push(ref);
        if ((!textBody || !htmlBody) && isInlineMedia(p)) out.attachments.push(ref);
      } else {
        out.attachments.push(ref);
      }
    }
    if (multipartType === "alternative" && textBody && htmlBody) {
      // Found only one kind of body in the alternative: use it for both lists.
      if (textLength === textBody.length && htmlLength !== htmlBody.length) {
        for (let k = htmlLength; k < htmlBody.length; k++) textBody.push(htmlBody[k]!);
      }
      if (htmlLength === htmlBody.length && textLength !== textBody.length) {
        for (let k = textLength; k < textBody.length; k++) htmlBody.push(textBody[k]!);
      }
    }
  };
  walk([rootRef(s)], "mixed", false, out.htmlBody, out.textBody);
  return out;
}

/** hasAttachment (4.1.4): true when the attachments list has a part that is not inline media
 *  referenced from the HTML (approximated: any attachment with disposition attachment or a name). */
export function hasAttachment(lists: BodyLists): boolean {
  return lists.attachments.some(
    (r) => r.part.disposition?.type === "attachment" || partName(r.part) !== null,
  );
}
