// Decoded text of a text/* part, for SEARCH BODY/TEXT (RFC 3501 6.4.4) and JMAP previews.

import { decodeLoose } from "./charset.js";
import { decodeTransfer } from "./transfer.js";
import type { MimePart } from "./types.js";

/** The part's body with its transfer encoding undone, in its charset (see decodeLoose for the
 *  fallbacks). "" for parts that are not text/* (including multiparts and messages). */
export function textOf(body: Buffer, part: MimePart): string {
  return textPrefixOf(body, part, 0).text;
}

export interface TextPrefix {
  text: string;
  /** True when the part went on beyond the octets that were decoded. */
  truncated: boolean;
}

/** Like textOf, but decodes at most the first `maxBytes` octets of the encoded body (0: all):
 *  previews and snippets need the start of a part, and a 25 MB part must not be decoded (nor its
 *  text scanned) to show 256 characters of it. Base64 and quoted-printable decode to no more
 *  octets than they take, so the text is never longer than maxBytes. A character cut in two at the
 *  end is dropped rather than shown as U+FFFD. */
export function textPrefixOf(body: Buffer, part: MimePart, maxBytes: number): TextPrefix {
  if (part.type !== "text" || part.parts.length > 0) return { text: "", truncated: false };
  const size = part.bodyEnd - part.bodyStart;
  const truncated = maxBytes > 0 && size > maxBytes;
  const end = truncated ? part.bodyStart + maxBytes : part.bodyEnd;
  const raw = decodeTransfer(body.subarray(part.bodyStart, end), part.encoding);
  let text = decodeLoose(raw, part.params.charset);
  if (truncated && text.endsWith("\uFFFD")) text = text.slice(0, -1);
  return { text, truncated };
}
