// The message decoded once for the spam filter (tokeniser, rules, URL lists): header fields
// unfolded and RFC 2047-decoded, the text of its text parts (HTML reduced to text), its links
// and attachments. Bounded: at most `maxTextBytes` octets of encoded text are decoded in all and
// at most `maxLinks` links kept, and every scan here is linear (issue 18), so hostile input costs
// what its size does and a 25 MB attachment costs nothing.
import { htmlToText } from "../jmap/email/html-text.js";
import { decodeHeaderValue } from "../mime/encoded-word.js";
import { getHeaderFields } from "../mime/headers.js";
import { parseParts } from "../mime/parse.js";
import { textPrefixOf } from "../mime/text.js";
import type { MimePart } from "../mime/types.js";
import { extractLinks } from "./links.js";
import type { AttachmentInfo, Link, MessageView } from "./types.js";

export interface ViewLimits {
  /** Encoded octets of text (plain and HTML) decoded in all; default 256 KiB. */
  maxTextBytes?: number;
  /** Links kept; default 500. */
  maxLinks?: number;
  /** MIME parts looked at; default 200. */
  maxParts?: number;
}

export function buildMessageView(body: Buffer, limits: ViewLimits = {}): MessageView {
  const maxText = limits.maxTextBytes ?? 256 * 1024;
  const maxLinks = limits.maxLinks ?? 500;
  // The MIME tree without what only IMAP needs (ENVELOPE, line counts): parseParts.
  const root = parseParts(body, { maxParts: limits.maxParts ?? 200 });
  const headerEnd = root.bodyStart;
  const headers = getHeaderFields(body.subarray(0, headerEnd)).map((f) => ({
    name: f.name.toLowerCase(),
    value: decodeHeaderValue(f.value),
  }));
  const plain: string[] = [];
  const htmls: string[] = [];
  const attachments: AttachmentInfo[] = [];
  let budget = maxText;
  let truncated = false;
  const visit = (part: MimePart): void => {
    if (part.parts.length > 0) {
      for (const p of part.parts) visit(p);
      return;
    }
    const filename = partFilename(part);
    const isText = part.type === "text" && (part.subtype === "plain" || part.subtype === "html");
    const attached = part.disposition?.type === "attachment" || filename !== "";
    if (!isText || attached) {
      attachments.push({
        filename,
        contentType: `${part.type}/${part.subtype}`,
        size: part.bodyEnd - part.bodyStart,
      });
      if (!isText) return;
    }
    if (budget <= 0) {
      truncated = true;
      return;
    }
    const { text, truncated: cut } = textPrefixOf(body, part, budget);
    budget -= Math.min(budget, part.bodyEnd - part.bodyStart);
    if (cut) truncated = true;
    (part.subtype === "html" ? htmls : plain).push(text);
  };
  visit(root);
  const html = htmls.join("\n");
  const links: Link[] = extractLinks(html, plain.join("\n"), maxLinks);
  const text = [...plain, ...htmls.map(htmlToText)].join("\n");
  const subject = headers.find((h) => h.name === "subject")?.value ?? "";
  return { headers, subject, text, html, links, attachments, size: body.length, truncated };
}

function partFilename(part: MimePart): string {
  const raw = part.disposition?.params.filename ?? part.params.name ?? "";
  return raw === "" ? "" : decodeHeaderValue(raw).slice(0, 255);
}
