// What the reader shows of a message (RFC 8621 4.1.4): the HTML version if it has one, built
// from htmlBody with its other text parts escaped into <pre> (never read as markup), else the
// text version; and the inline images an HTML body names by Content-ID (RFC 2392 cid:).
import { escapeHtml } from "./sanitize";
import type { BodyPart, EmailFull } from "./types";

const partValue = (e: EmailFull, p: BodyPart) => (p.partId ? (e.bodyValues[p.partId]?.value ?? "") : "");

/** The HTML to sanitize and show, or null when the message has no text/html part. */
export function htmlOf(e: EmailFull): string | null {
  if (!e.htmlBody.some((p) => p.type === "text/html")) return null;
  return e.htmlBody
    .map((p) => {
      if (p.type === "text/html") return partValue(e, p);
      if (p.type.startsWith("text/")) return `<pre>${escapeHtml(partValue(e, p))}</pre>`;
      return "";
    })
    .join("\n");
}

export const textOf = (e: EmailFull): string => e.textBody.map((p) => partValue(e, p)).join("\n");

/** Content-ID → the attachment it names; parts without a blob cannot be shown and are left out. */
export function partsByCid(e: EmailFull): Map<string, BodyPart> {
  const out = new Map<string, BodyPart>();
  for (const a of e.attachments) if (a.cid && a.blobId) out.set(a.cid, a);
  return out;
}
