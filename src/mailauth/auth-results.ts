// Authentication-Results fields that claim to come from us (RFC 8601 §5): an MTA at the border
// MUST remove (or rename) such fields arriving from outside before adding its own, or a sender
// could forge "dkim=pass" for our readers and filters.
import { scanHeader } from "../mime/headers.js";

/** The authserv-id of an Authentication-Results value (RFC 8601 §2.2), or null if unreadable. */
export function authservIdOf(value: string): string | null {
  let i = skipCfws(value, 0);
  if (i >= value.length) return null;
  if (value[i] === '"') {
    // quoted-string (RFC 5322 §3.2.4)
    let out = "";
    for (i++; i < value.length; i++) {
      const c = value[i]!;
      if (c === "\\" && i + 1 < value.length) out += value[++i];
      else if (c === '"') return out;
      else out += c;
    }
    return null;
  }
  let end = i;
  while (end < value.length && !/[\s;()"]/.test(value[end]!)) end++;
  return end > i ? value.slice(i, end) : null;
}

// Folding white space and (nested) comments.
function skipCfws(s: string, i: number): number {
  let depth = 0;
  let guard = 0;
  while (i < s.length && guard++ < 100000) {
    const c = s[i]!;
    if (depth > 0) {
      if (c === "\\") i++;
      else if (c === "(") depth++;
      else if (c === ")") depth--;
      i++;
    } else if (c === "(") {
      depth = 1;
      i++;
    } else if (c === " " || c === "\t" || c === "\r" || c === "\n") i++;
    else break;
  }
  return i;
}

/** The message without Authentication-Results fields whose authserv-id is `authservId`
 *  (case-insensitive, RFC 8601 §2.5). The same buffer when there is none. */
export function stripOwnAuthResults(message: Buffer, authservId: string): Buffer {
  const { fields } = scanHeader(message, 0, message.length);
  const own = authservId.toLowerCase();
  const drop = fields.filter((f) => {
    if (f.lname !== "authentication-results") return false;
    // Unfolded value; the raw bytes are ASCII for any header worth matching.
    const value = message.toString("latin1", f.valueStart, f.valueEnd).replace(/\r?\n/g, "");
    return authservIdOf(value)?.toLowerCase() === own;
  });
  if (drop.length === 0) return message;
  const parts: Buffer[] = [];
  let pos = 0;
  for (const f of drop) {
    parts.push(message.subarray(pos, f.start));
    pos = f.end;
  }
  parts.push(message.subarray(pos));
  return Buffer.concat(parts);
}
