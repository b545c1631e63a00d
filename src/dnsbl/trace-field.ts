// The X-Yubin-Screen header field: a port-25 message's connection score and its reasons, for users'
// filters and the admin reading a message's source. Any such field the client sent is removed
// first, so a spammer cannot write "score=0" for us (as our own Authentication-Results are,
// RFC 8601 §5). Stages of the post office read Letter.screen, never the field.
import { scanHeader } from "../mime/headers.js";

export const SCREEN_FIELD = "X-Yubin-Screen";

export function screenHeader(r: { score: number; reasons: string[] }): string {
  return `${SCREEN_FIELD}: score=${r.score}${r.reasons.length > 0 ? ` (${r.reasons.join(" ")})` : ""}`;
}

/** The message without the client's X-Yubin-Screen fields, with ours on top when the screen
 *  found something (a clean client's mail stays byte-exact). */
export function withScreenField(message: Buffer, r: { score: number; reasons: string[] }): Buffer {
  const { fields } = scanHeader(message, 0, message.length);
  const forged = fields.filter((f) => f.lname === SCREEN_FIELD.toLowerCase());
  const parts: Buffer[] = [];
  if (r.reasons.length > 0) parts.push(Buffer.from(`${screenHeader(r)}\r\n`));
  let pos = 0;
  for (const f of forged) {
    parts.push(message.subarray(pos, f.start));
    pos = f.end;
  }
  if (parts.length === 0) return message;
  parts.push(message.subarray(pos));
  return Buffer.concat(parts);
}
