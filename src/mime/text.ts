// Decoded text of a text/* part, for SEARCH BODY/TEXT (RFC 3501 6.4.4) and JMAP previews.

import { decodeLoose } from "./charset.js";
import { decodeTransfer } from "./transfer.js";
import type { MimePart } from "./types.js";

/** The part's body with its transfer encoding undone, in its charset (see decodeLoose for the
 *  fallbacks). "" for parts that are not text/* (including multiparts and messages). */
export function textOf(body: Buffer, part: MimePart): string {
  if (part.type !== "text" || part.parts.length > 0) return "";
  const raw = decodeTransfer(body.subarray(part.bodyStart, part.bodyEnd), part.encoding);
  return decodeLoose(raw, part.params.charset);
}
